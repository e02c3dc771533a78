package config

import (
	"errors"

	"github.com/tagbot/tagbot/classify/rules"
)

// RuleSet is the classification rules config.yaml names: its own `rules:`
// (admins' rules: only these may use `mode: auto`) and the pack files of
// `rule_packs:` (paths relative to the config file), read and checked by
// Load; nil when there are none. The tag check against the tag library
// happens when the rules are compiled (classify.Compile), since the
// library is in the store. 分类规则（config.yaml 的 rules 与规则包）。
func (c *Config) RuleSet() *rules.Set { return c.ruleSet }

// SetRuleSet replaces the rules, for callers that bring their own (the
// demo's built-in rules, tests); Load sets them from the file.
func (c *Config) SetRuleSet(s *rules.Set) { c.ruleSet = s }

// loadRules parses `rules:` and the packs once the rest decoded, reporting
// each rule problem: in config.yaml at its line, in a pack with the pack's
// file and line in the message (at the line of rule_packs).
func (c *Config) loadRules(r *reporter) {
	if c.rulesNode == nil && len(c.RulePacks) == 0 {
		return
	}
	set, err := rules.Load(r.src.file, c.rulesNode, c.RulePacks)
	var errs rules.Errors
	switch {
	case err == nil:
		c.ruleSet = set
		return
	case !errors.As(err, &errs):
		r.at(r.src.lines["rules"], "rules", "%v", err)
		return
	}
	for _, e := range errs {
		if e.File == r.src.file {
			file := e.File
			e.File = ""
			r.at(e.Line, "", "%s", e.Error())
			e.File = file
			continue
		}
		r.at(r.src.lines["rule_packs"], "rule_packs", "%s", e.Error())
	}
}
