package app

import (
	"fmt"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/config"
)

// compileRules compiles cfg's rules (config.yaml's `rules:` and the
// `rule_packs:`) with the tag check against the store's tag library and the
// tags the packs create.
func (m *Main) compileRules(cfg *config.Config) (*classify.RuleSet, error) {
	set := cfg.RuleSet()
	tags, err := m.Store.Tags(false)
	if err != nil {
		return nil, fmt.Errorf("rules: read tag library: %w", err)
	}
	names := make([]string, len(tags))
	for i, t := range tags {
		names[i] = t.Name
	}
	return classify.Compile(set.All(), classify.NewTagNames(names, set.PackTags()))
}

// ReloadRules re-reads the config file's rules and packs (the file Main was
// started with, Options.ConfigPath; the configuration in hand when there is
// none), compiles them and swaps them into Rules. On any error the running
// rules stay and the error names the rule and line. SIGHUP and /reload call
// it. 重新加载规则（SIGHUP 与 /reload）。
func (m *Main) ReloadRules() error {
	cfg := m.Config
	if m.configPath != "" {
		var err error
		if cfg, err = config.Load(m.configPath); err != nil {
			return err
		}
	}
	set, err := m.compileRules(cfg)
	if err != nil {
		return err
	}
	m.Rules.Swap(set)
	m.log.Info("rules loaded", "rules", set.Len())
	return nil
}
