package config

import (
	"fmt"
	"time"

	"github.com/tagbot/tagbot/internal/yamlnode"

	"gopkg.in/yaml.v3"
)

// decoder walks a yaml.Node tree into a Config, reporting type errors and
// unknown keys with their lines. A null value (an empty "key:") keeps the
// default.
type decoder struct {
	reporter
}

// field is one known key of a YAML mapping and how to decode its value.
type field struct {
	name string
	set  func(n *yaml.Node, path string)
}

// root decodes the top-level mapping into c.
func (d *decoder) root(n *yaml.Node, c *Config) {
	d.mapping(n, "", []field{
		{"wecom", func(n *yaml.Node, p string) {
			d.mapping(n, p, []field{
				{"corp_id", d.str(&c.WeCom.CorpID)},
				{"agent_id", d.integer(&c.WeCom.AgentID)},
				{"secret", d.str(&c.WeCom.Secret)},
				{"token", d.str(&c.WeCom.Token)},
				{"encoding_aes_key", d.str(&c.WeCom.EncodingAESKey)},
				{"api_base", d.str(&c.WeCom.APIBase)},
				{"sync_interval", d.duration(&c.WeCom.SyncInterval)},
				{"rate_limits", func(n *yaml.Node, p string) {
					d.anyMap(n, p, func(name string, v *yaml.Node, p string) {
						if isNull(deref(v)) {
							d.at(v.Line, p, "want an integer, got null")
						} else if limit, ok := d.intValue(v, p); ok {
							c.WeCom.RateLimits[name] = limit
						}
					})
				}},
				{"hourly_limits", d.pathInts(c.WeCom.Outbox.HourlyLimits)},
				{"concurrency", d.pathInts(c.WeCom.Outbox.Concurrency)},
			})
		}},
		{"server", func(n *yaml.Node, p string) {
			d.mapping(n, p, []field{
				{"listen", d.str(&c.Server.Listen)},
				{"callback_path", d.str(&c.Server.CallbackPath)},
				{"timestamp_window", d.duration(&c.Server.TimestampWindow)},
				{"max_body_bytes", d.integer64(&c.Server.MaxBodyBytes)},
				{"admin_listen", d.str(&c.Server.AdminListen)},
				{"public_url", d.str(&c.Server.PublicURL)},
			})
		}},
		{"api", func(n *yaml.Node, p string) {
			d.mapping(n, p, []field{{"token", d.str(&c.API.Token)}, {"max_body_bytes", d.integer64(&c.API.MaxBodyBytes)}})
		}},
		{"intake", func(n *yaml.Node, p string) {
			d.mapping(n, p, []field{{"history", d.duration(&c.Intake.History)}})
		}},
		{"suggestions", func(n *yaml.Node, p string) {
			d.mapping(n, p, []field{{"expire", d.duration(&c.Suggestions.Expire)}, {"reject_memory", d.duration(&c.Suggestions.RejectMemory)}})
		}},
		{"todo", func(n *yaml.Node, p string) {
			d.mapping(n, p, []field{{"digest", d.boolean(&c.Todo.Digest)}, {"digest_at", d.str(&c.Todo.DigestAt)}})
		}},
		{"charts", func(n *yaml.Node, p string) {
			d.mapping(n, p, []field{{"font", d.str(&c.Charts.Font)}})
		}},
		{"jobs", d.jobs(&c.Jobs)},
		{"kf", func(n *yaml.Node, p string) {
			d.mapping(n, p, []field{{"enabled", d.boolean(&c.KF.Enabled)}, {"open_kfids", d.strList(&c.KF.OpenKfIDs)}})
		}},
		{"store", func(n *yaml.Node, p string) {
			d.mapping(n, p, []field{
				{"path", d.str(&c.Store.Path)},
				{"sync", d.str(&c.Store.Sync)},
				{"compact_interval", d.duration(&c.Store.CompactInterval)},
			})
		}},
		{"roles", func(n *yaml.Node, p string) {
			d.mapping(n, p, []field{
				{"admins", d.strList(&c.Roles.Admins)},
				{"managers", d.strList(&c.Roles.Managers)},
			})
		}},
		{"groups", func(n *yaml.Node, p string) {
			d.anyMap(n, p, func(name string, v *yaml.Node, p string) {
				var g GroupPolicy
				d.mapping(v, p, []field{
					{"editable_by", d.strList(&g.EditableBy)},
					{"exclusive", d.boolean(&g.Exclusive)},
					{"protected", d.strList(&g.Protected)},
					{"required", d.boolean(&g.Required)},
					{"max", d.integer(&g.Max)},
					{"visible_to", d.strList(&g.VisibleTo)},
				})
				c.Groups[name] = g
			})
		}},
		{"messages", func(n *yaml.Node, p string) {
			d.mapping(n, p, []field{
				{"per_user_per_minute", d.integer(&c.Messages.PerUserPerMinute)},
				{"per_user_per_hour", d.integer(&c.Messages.PerUserPerHour)},
			})
		}},
		{"rules", func(n *yaml.Node, _ string) { c.rulesNode = n }},
		{"rule_packs", d.strList(&c.RulePacks)},
		{"triggers", d.triggers(&c.Triggers)},
		{"log", func(n *yaml.Node, p string) {
			d.mapping(n, p, []field{
				{"level", d.str(&c.Log.Level)},
			})
		}},
		{"llm", d.llm(&c.LLM)},
		{"lifecycle", d.lifecycle(&c.Lifecycle)},
		{"import", d.importer(&c.Import)},
		{"tag_synonyms", d.tagSynonyms(&c.TagSynonyms)},
	})
}

// mapping decodes a mapping whose keys must all be among fields.
func (d *decoder) mapping(n *yaml.Node, path string, fields []field) {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	d.pairs(n, path, func(name string, k, v *yaml.Node, p string) {
		for _, f := range fields {
			if f.name == name {
				f.set(v, p)
				return
			}
		}
		d.at(k.Line, p, "unknown key%s", didYouMean(name, names))
	})
}

// anyMap decodes a mapping with free-form keys (tag group names, API paths).
func (d *decoder) anyMap(n *yaml.Node, path string, each func(name string, v *yaml.Node, path string)) {
	d.pairs(n, path, func(name string, _, v *yaml.Node, p string) { each(name, v, p) })
}

// pairs calls each for every key of a mapping, after checking the node is a
// mapping and rejecting non-string, merge and duplicate keys.
func (d *decoder) pairs(n *yaml.Node, path string, each func(name string, k, v *yaml.Node, path string)) {
	m := deref(n)
	if isNull(m) {
		return
	}
	if m.Kind != yaml.MappingNode {
		d.at(n.Line, path, "want a mapping, got %s", describe(m))
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		kd := deref(k)
		if kd.Kind != yaml.ScalarNode {
			d.at(k.Line, path, "keys must be strings, got %s", describe(kd))
			continue
		}
		if kd.ShortTag() == "!!merge" {
			d.at(k.Line, path, "merge keys (<<) are not supported")
			continue
		}
		p := keyPath(path, kd.Value)
		if first, dup := seen[kd.Value]; dup {
			d.at(k.Line, p, "duplicate key (first at line %d)", first)
			continue
		}
		seen[kd.Value] = k.Line
		d.src.lines[p] = k.Line
		each(kd.Value, k, v, p)
	}
}

// str decodes any scalar as its literal text.
func (d *decoder) str(dst *string) func(*yaml.Node, string) {
	return func(n *yaml.Node, path string) {
		v := deref(n)
		if isNull(v) {
			return
		}
		if v.Kind != yaml.ScalarNode {
			d.at(n.Line, path, "want a string, got %s", describe(v))
			return
		}
		*dst = v.Value
	}
}

// integer decodes a YAML integer into an int.
func (d *decoder) integer(dst *int) func(*yaml.Node, string) {
	return func(n *yaml.Node, path string) {
		if i, ok := d.intValue(n, path); ok {
			*dst = i
		}
	}
}

// integer64 decodes a YAML integer into an int64.
func (d *decoder) integer64(dst *int64) func(*yaml.Node, string) {
	return func(n *yaml.Node, path string) {
		if i, ok := d.int64Value(n, path); ok {
			*dst = i
		}
	}
}

// intValue decodes a YAML integer that fits in an int; ok is false for a
// null or a reported error.
func (d *decoder) intValue(n *yaml.Node, path string) (int, bool) {
	i, ok := d.int64Value(n, path)
	if ok && int64(int(i)) != i {
		d.at(n.Line, path, "integer %d is out of range", i)
		return 0, false
	}
	return int(i), ok
}

// int64Value decodes a YAML integer (a quoted "123" is a string, not an
// integer); ok is false for a null or a reported error.
func (d *decoder) int64Value(n *yaml.Node, path string) (int64, bool) {
	v := deref(n)
	if isNull(v) {
		return 0, false
	}
	var i int64
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!int" || v.Decode(&i) != nil {
		d.at(n.Line, path, "want an integer, got %s", describe(v))
		return 0, false
	}
	return i, true
}

// boolean decodes true or false.
func (d *decoder) boolean(dst *bool) func(*yaml.Node, string) {
	return func(n *yaml.Node, path string) {
		v := deref(n)
		if isNull(v) {
			return
		}
		var b bool
		if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" || v.Decode(&b) != nil {
			d.at(n.Line, path, "want true or false, got %s", describe(v))
			return
		}
		*dst = b
	}
}

// duration decodes a Go duration such as 5m or 90s (a bare 0 is allowed).
func (d *decoder) duration(dst *time.Duration) func(*yaml.Node, string) {
	return func(n *yaml.Node, path string) {
		v := deref(n)
		if isNull(v) {
			return
		}
		var dur time.Duration
		var err error
		if v.Kind == yaml.ScalarNode {
			dur, err = time.ParseDuration(v.Value)
		}
		if v.Kind != yaml.ScalarNode || err != nil {
			d.at(n.Line, path, "want a duration like 5m or 90s, got %s", describe(v))
			return
		}
		*dst = dur
	}
}

// strList decodes a list of scalars; on any bad element the default stays.
func (d *decoder) strList(dst *[]string) func(*yaml.Node, string) {
	return func(n *yaml.Node, path string) {
		v := deref(n)
		if isNull(v) {
			return
		}
		if v.Kind != yaml.SequenceNode {
			d.at(n.Line, path, "want a list, got %s", describe(v))
			return
		}
		out := make([]string, 0, len(v.Content))
		ok := true
		for i, e := range v.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			ev := deref(e)
			if ev.Kind != yaml.ScalarNode || isNull(ev) {
				d.at(e.Line, p, "want a string, got %s", describe(ev))
				ok = false
				continue
			}
			d.src.lines[p] = e.Line
			out = append(out, ev.Value)
		}
		if ok {
			*dst = out
		}
	}
}

// The node helpers live in internal/yamlnode (shared with the other YAML
// parser); these names keep the call sites short.
var (
	deref    = yamlnode.Deref
	isNull   = yamlnode.IsNull
	describe = yamlnode.Describe
)
