package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// Pack is a rule pack file: the tag groups it creates and its rules.
// 规则包：标签组与规则。
type Pack struct {
	Name        string
	Description string
	Groups      []Group
	Rules       []Rule
	File        string
}

// Group is a tag group a pack declares, with the tags it creates.
type Group struct {
	Name string
	Tags []string
}

// TagNames lists every tag the pack's groups create.
func (p *Pack) TagNames() []string {
	var out []string
	for _, g := range p.Groups {
		out = append(out, g.Tags...)
	}
	return out
}

// Set is every rule tagbot runs: config.yaml's own rules first, then each
// pack's, in the order of `rule_packs:`. 全部规则。
type Set struct {
	Rules []Rule // config.yaml's `rules:`
	Packs []*Pack
}

// All lists every rule in order: config.yaml's, then the packs'.
func (s *Set) All() []Rule {
	if s == nil {
		return nil
	}
	out := append([]Rule(nil), s.Rules...)
	for _, p := range s.Packs {
		out = append(out, p.Rules...)
	}
	return out
}

// PackTags lists every tag name the packs create.
func (s *Set) PackTags() []string {
	if s == nil {
		return nil
	}
	var out []string
	for _, p := range s.Packs {
		out = append(out, p.TagNames()...)
	}
	return out
}

// MaxPackBytes is the largest pack file LoadPack reads (the shipped packs
// are a few KB).
const MaxPackBytes = 1 << 20

// LoadPack reads and checks the pack file at path. It must be a regular
// file (after symlinks) named .yaml or .yml of at most MaxPackBytes: a
// FIFO or a device would hang or exhaust a reload, and an unrelated file's
// lines would end up in error messages.
func LoadPack(path string) (*Pack, error) {
	if ext := strings.ToLower(filepath.Ext(path)); ext != ".yaml" && ext != ".yml" {
		return nil, Errors{{File: path, Msg: "a pack file is named .yaml or .yml"}}
	}
	// Stat before opening: opening a FIFO blocks until someone writes.
	if fi, err := os.Stat(path); err != nil {
		return nil, Errors{{File: path, Msg: "read pack: " + err.Error()}}
	} else if !fi.Mode().IsRegular() {
		return nil, Errors{{File: path, Msg: "a pack must be a regular file"}}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, Errors{{File: path, Msg: "read pack: " + err.Error()}}
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, Errors{{File: path, Msg: "a pack must be a regular file"}}
	} else if fi.Size() > MaxPackBytes {
		return nil, Errors{{File: path, Msg: fmt.Sprintf("pack file too large (%d bytes; at most %d)", fi.Size(), MaxPackBytes)}}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxPackBytes+1))
	if err != nil {
		return nil, Errors{{File: path, Msg: "read pack: " + err.Error()}}
	}
	if len(data) > MaxPackBytes {
		return nil, Errors{{File: path, Msg: fmt.Sprintf("pack file too large (at most %d bytes)", MaxPackBytes)}}
	}
	return ParsePack(data, path)
}

// ParsePack decodes and checks a pack file's data; file names it in errors.
func ParsePack(data []byte, file string) (p *Pack, err error) {
	defer func() {
		if r := recover(); r != nil { // yaml.v3 has panicked on bad input before
			p, err = nil, Errors{{File: file, Msg: fmt.Sprintf("invalid YAML: %v", r)}}
		}
	}()
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, Errors{{File: file, Msg: "empty pack file"}}
		}
		return nil, Errors{{File: file, Msg: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	root := deref(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		return nil, Errors{{File: file, Line: root.Line, Msg: "want a mapping with name, description, groups, rules"}}
	}
	ps := &parser{file: file}
	pack := &Pack{File: file}
	var rulesNode *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := deref(root.Content[i]), root.Content[i+1]
		switch k.Value {
		case "name":
			pack.Name = strings.TrimSpace(ps.scalar(v, "", "name"))
		case "description":
			pack.Description = ps.scalar(v, "", "description")
		case "groups":
			pack.Groups = ps.groups(v)
		case "rules":
			rulesNode = v
		default:
			ps.add(k.Line, "", keyName(k.Value), "unknown key (a pack has name, description, groups, rules)")
		}
	}
	if pack.Name == "" {
		ps.add(root.Line, "", "name", "a pack needs a name")
	}
	ps.pack = pack.Name
	if ps.pack == "" {
		ps.pack = filepath.Base(file)
	}
	pack.Rules = ps.rules(rulesNode)
	if len(ps.errs) > 0 {
		return nil, ps.errs
	}
	return pack, nil
}

// groups decodes `groups: [{name, tags: [..]}]`.
func (p *parser) groups(n *yaml.Node) []Group {
	n = deref(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.add(n.Line, "", "groups", "want a list of {name, tags}, got %s", describe(n))
		return nil
	}
	var out []Group
	for _, e := range n.Content {
		e = deref(e)
		if e.Kind != yaml.MappingNode {
			p.add(e.Line, "", "groups", "want {name, tags}, got %s", describe(e))
			continue
		}
		var g Group
		for i := 0; i+1 < len(e.Content); i += 2 {
			k, v := deref(e.Content[i]), e.Content[i+1]
			switch k.Value {
			case "name":
				g.Name = strings.TrimSpace(p.scalar(v, "", "groups.name"))
			case "tags":
				g.Tags, _ = p.list(v, "", "groups.tags")
			default:
				p.add(k.Line, "", "groups."+k.Value, "unknown key (a group has name, tags)")
			}
		}
		for i := range g.Tags {
			g.Tags[i] = strings.TrimSpace(g.Tags[i])
		}
		if g.Name == "" || len(g.Tags) == 0 {
			p.add(e.Line, "", "groups", "a group needs a name and tags")
			continue
		}
		out = append(out, g)
	}
	return out
}

// Load reads config.yaml's rules (the `rules:` node, may be nil) and the
// packs of `rule_packs:` (paths relative to the config file's folder),
// checking each. configFile names the config file in errors.
func Load(configFile string, rulesNode *yaml.Node, packPaths []string) (*Set, error) {
	var errs Errors
	s := &Set{}
	rs, err := ParseRules(rulesNode, configFile, "")
	errs = appendErrs(errs, err)
	s.Rules = rs
	names := map[string]string{}
	for _, r := range rs {
		names[r.Name] = configFile
	}
	for _, pp := range packPaths {
		if !filepath.IsAbs(pp) {
			pp = filepath.Join(filepath.Dir(configFile), pp)
		}
		p, err := LoadPack(pp)
		if err != nil {
			errs = appendErrs(errs, err)
			continue
		}
		for _, r := range p.Rules {
			if first, dup := names[r.Name]; dup {
				errs = append(errs, &Error{File: r.File, Line: r.Line, Rule: r.Name, Msg: "rule name already used in " + first})
			}
			names[r.Name] = r.File
		}
		s.Packs = append(s.Packs, p)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return s, nil
}

func appendErrs(errs Errors, err error) Errors {
	var es Errors
	if errors.As(err, &es) {
		return append(errs, es...)
	}
	if err != nil {
		return append(errs, &Error{Msg: err.Error()})
	}
	return errs
}
