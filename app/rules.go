package app

import (
	"fmt"
	"reflect"
	"strings"
	"sync"

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

// ReloadRules re-reads the config file (the file Main was started with,
// Options.ConfigPath; the configuration in hand when there is none) and
// swaps in its classification rules and packs, its `triggers:` and its
// `lifecycle:` rules together, once all of them have passed the checks
// start-up makes (rules' tags in the library, no trigger loop; a trigger
// naming a tag not in the library is only a warning, in ReloadSummary).
// On any error nothing changes and the error names the key, rule and
// line. `groups:` and `roles:` are those of start-up until a restart
// (ReloadSummary says when the file's differ). SIGHUP and /reload call it.
// 重新加载规则、触发器与生命周期规则（SIGHUP 与 /reload）。
func (m *Main) ReloadRules() error {
	m.reloads.mu.Lock()
	defer m.reloads.mu.Unlock()
	cfg := m.Config
	if m.configPath != "" {
		var err error
		if cfg, err = config.Load(m.configPath); err != nil {
			return err
		}
	}
	cfg, kept := m.runningPolicies(cfg)
	set, err := m.compileRules(cfg)
	if err != nil {
		return err
	}
	warnings, err := m.checkTriggers(cfg, cfg.RuleSet().PackTags())
	if err != nil {
		return err
	}
	if err := m.Lifecycle.Load(cfg, m.configName()); err != nil { // checks first; nothing is swapped on error
		return err
	}
	triggers := m.installTriggers(cfg)
	m.Rules.Swap(set)
	m.reloads.summary = reloadSummary(triggers, len(cfg.Lifecycle), kept, warnings)
	if m.configPath == "" { // the demo: its rules are those it started with
		m.reloads.summary += "\n这次没有读配置文件（演示里的规则是启动时的），改文件不会生效；要试新规则，退出后重新运行 demo。"
	}
	for _, w := range warnings {
		m.log.Warn("trigger names a tag not in the library", "problem", w)
	}
	m.log.Info("rules loaded", "rules", set.Len(), "triggers", triggers, "lifecycle", len(cfg.Lifecycle), "kept_from_start", kept)
	return nil
}

// reloadState serialises reloads (SIGHUP and /reload may come together)
// and keeps what the last one loaded.
type reloadState struct {
	mu      sync.Mutex
	summary string
}

// ReloadSummary says, in Chinese for /reload's reply, what the last
// successful ReloadRules loaded besides the classification rules, and
// which edited sections wait for a restart.
func (m *Main) ReloadSummary() string {
	m.reloads.mu.Lock()
	defer m.reloads.mu.Unlock()
	return m.reloads.summary
}

func reloadSummary(triggers, lifecycle int, kept, warnings []string) string {
	s := fmt.Sprintf("触发器 %d 个、生命周期规则 %d 条也已重新加载。", triggers, lifecycle)
	if len(kept) > 0 {
		s += fmt.Sprintf("%s 的修改要重启 tagbot 才生效，现在仍按启动时的设置。", strings.Join(kept, " 和 "))
	}
	if len(warnings) > 0 {
		s += "\n注意，这些标签不在标签库里，触发器遇到时跳过：\n" + strings.Join(warnings[:min(len(warnings), maxReloadWarnings)], "\n")
		if len(warnings) > maxReloadWarnings {
			s += fmt.Sprintf("\n…另有 %d 处，见日志", len(warnings)-maxReloadWarnings)
		}
	}
	return s
}

// maxReloadWarnings is how many trigger warnings /reload's reply names.
const maxReloadWarnings = 5

// runningPolicies is cfg with the `groups:` and `roles:` of the running
// configuration: every command, the store's group limits, the trigger
// notes' visibility and the channels hold those of start-up, so a reload
// takes none of them (the triggers and lifecycle rules it loads then see
// the same groups as everything else). kept names the sections whose
// edits wait for a restart.
func (m *Main) runningPolicies(cfg *config.Config) (*config.Config, []string) {
	if cfg == m.Config {
		return cfg, nil
	}
	var kept []string
	if !reflect.DeepEqual(cfg.Groups, m.Config.Groups) {
		kept = append(kept, "groups:")
	}
	if !reflect.DeepEqual(cfg.Roles, m.Config.Roles) {
		kept = append(kept, "roles:")
	}
	c := *cfg
	c.Groups, c.Roles = m.Config.Groups, m.Config.Roles
	return &c, kept
}
