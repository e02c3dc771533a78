package app

import (
	"fmt"
	"strings"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
)

// compileRules compiles cfg's rules (config.yaml's `rules:` and the
// `rule_packs:`) with the tag check against the store's tag library and the
// tags the packs create.
func (m *Main) compileRules(cfg *config.Config) (*classify.RuleSet, error) {
	set := cfg.RuleSet()
	lib, err := libraryNamesOf(m.Store, set.PackTags())
	if err != nil {
		return nil, err
	}
	return classify.Compile(set.All(), lib)
}

// libraryNamesOf is the store's live tag library with the names packs
// create, as rules see it.
func libraryNamesOf(st *store.Store, packTags []string) (libraryNames, error) {
	tags, err := st.Tags(false)
	if err != nil {
		return libraryNames{}, fmt.Errorf("rules: read tag library: %w", err)
	}
	lib := libraryNames{packs: classify.NewTagNames(packTags), groups: map[string][]string{}}
	for _, t := range tags {
		lib.groups[t.Name] = append(lib.groups[t.Name], t.GroupName)
	}
	return lib, nil
}

// libraryNames is the tag library as rules see it: the live tags' names
// with their groups, and the names the packs create.
type libraryNames struct {
	packs  classify.TagNames
	groups map[string][]string // live tag name → its groups
}

// HasTag reports whether a live tag or a pack has the name.
func (l libraryNames) HasTag(name string) bool {
	name = strings.TrimSpace(name)
	return len(l.groups[name]) > 0 || l.packs.HasTag(name)
}

// GroupsOf lists the groups of the live tags named name.
func (l libraryNames) GroupsOf(name string) []string { return l.groups[strings.TrimSpace(name)] }

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
	if err := m.Lifecycle.Load(cfg, m.configName()); err != nil { // lifecycle rules reload with them
		return err
	}
	m.Store.SetGroupLimits(groupLimits(cfg)) // background jobs check them per row
	m.Rules.Swap(set)
	m.log.Info("rules loaded", "rules", set.Len())
	return nil
}
