package nl

import (
	"strings"

	"github.com/tagbot/tagbot/commands"
)

// find, history and stats calls: read commands, resolved like the rest.

// find is /find [text] [tag:A …].
func (c *callReader) find(a toolArgs) Result {
	var args []commands.Token
	if t := strings.TrimSpace(a.Text); t != "" {
		for ph, orig := range c.back {
			t = strings.ReplaceAll(t, ph, orig)
		}
		if strings.Contains(t, "〔") { // a placeholder the masking never made
			return ask(notUnderstood)
		}
		args = append(args, word(t))
	}
	if len(a.Tags) > 0 {
		tags, q := c.tags(a.Tags)
		if q != "" {
			return ask(q)
		}
		for _, t := range tags {
			args = append(args, filter("tag", t))
		}
	}
	if len(args) == 0 {
		return ask("您想找哪位客户？例如：查一下手机号13812345678的客户、高意向的客户有哪些。")
	}
	return run(false, "find", args...)
}

// history is /history [customer] [@userid] [tag:A] [since:] [until:].
func (c *callReader) history(a toolArgs) Result {
	var args []commands.Token
	if a.Customer != "" {
		cust, q := c.customer(a.Customer, false)
		if q != nil {
			return *q
		}
		args = append(args, word(cust))
	}
	if a.Employee != "" {
		m, q := c.employee(a.Employee)
		if q != "" {
			return ask(q)
		}
		args = append(args, m)
	}
	if a.Tag != "" {
		t, ok := c.rq.names.Tag(strings.TrimSpace(a.Tag))
		if !ok {
			t, ok = c.rq.names.DeletedTag(strings.TrimSpace(a.Tag))
		}
		if !ok {
			c.rq.reading = true // a read: answered as /find answers an unknown tag
			q := c.rq.unknownTag(strings.TrimSpace(a.Tag))
			c.rq.reading = false
			return ask(q)
		}
		args = append(args, filter("tag", t))
	}
	times, q := c.times(a)
	if q != "" {
		return ask(q)
	}
	return run(false, "history", append(args, times...)...)
}

// stats is /stats, /stats tag:A [tag:B …], /stats trend tag:A,
// /stats @userid or /stats team, with since:/until:.
func (c *callReader) stats(a toolArgs) Result {
	var args []commands.Token
	switch a.Kind {
	case "tags", "trend":
		tags, q := c.tags(a.Tags)
		if q != "" {
			return ask(q)
		}
		if a.Kind == "trend" {
			if len(tags) != 1 {
				return ask("趋势只看一个标签，例如：高意向这个月的趋势。")
			}
			args = append(args, word("trend"))
		}
		for _, t := range tags {
			args = append(args, filter("tag", t))
		}
	case "person":
		m, q := c.employee(a.Employee)
		if q != "" {
			return ask(q)
		}
		args = append(args, m)
	case "team":
		args = append(args, word("team"))
	case "overview":
	default:
		return ask(notUnderstood)
	}
	times, q := c.times(a)
	if q != "" {
		return ask(q)
	}
	return run(false, "stats", append(args, times...)...)
}

// times are the since:/until: filters of a call, each checked.
func (c *callReader) times(a toolArgs) ([]commands.Token, string) {
	var out []commands.Token
	for _, f := range []struct{ key, v string }{{"since", a.Since}, {"until", a.Until}} {
		v := strings.TrimSpace(f.v)
		if v == "" {
			continue
		}
		if q := c.badTime(v, false); q != "" {
			return nil, q
		}
		out = append(out, filter(f.key, v))
	}
	return out, ""
}
