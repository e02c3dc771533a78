package app

import (
	"fmt"

	"github.com/tagbot/tagbot/channel"
	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/trigger"
)

// newQRTrig builds the channel QR codes (/qr, new customers' State) and
// installs the tag triggers of config.yaml on the store, with the worker
// that sends their notes; New calls it once the store, the WeCom client,
// the outbox worker and the sender exist. Triggers are installed for every
// subcommand that writes the store (sync too: a tag found by a sync fires
// them); only serve runs the note worker, so notes queued by another
// subcommand wait for it.
func (m *Main) newQRTrig(cfg *config.Config, opts Options) {
	m.triggerLog = opts.Logger
	m.installTriggers(cfg)
	exclusive, maxOf := groupChecks(cfg)
	sees := func(user string, tag store.TagRef) bool { // the one visibility rule (groups.*.visible_to)
		v, err := commands.ViewerFor(cfg, m.Store, user)
		return err == nil && v.SeesRef(tag)
	}
	m.TriggerNotes = &trigger.Worker{Store: m.Store, Flush: m.Sender.Flush, Now: opts.Now, Sees: sees, Logger: opts.Logger}
	m.Channels = channel.New(channel.Options{Store: m.Store, API: m.API, Exclusive: exclusive, Max: maxOf, Kick: m.Worker.Kick,
		Now: opts.Now, Logger: opts.Logger})
}

// installTriggers puts cfg's triggers on the store in place of those
// running (none: the store fires nothing); New and ReloadRules call it,
// the latter only once checkTriggers has passed. It returns how many.
func (m *Main) installTriggers(cfg *config.Config) int {
	exclusive, maxOf := groupChecks(cfg)
	eng := trigger.New(cfg.Triggers, trigger.Options{Admins: cfg.Roles.Admins, Managers: cfg.Roles.Managers,
		Exclusive: exclusive, Max: maxOf, Logger: m.triggerLog})
	if eng.Len() == 0 {
		m.Store.SetTriggers(nil)
		return 0
	}
	m.Store.SetTriggers(eng.Fire)
	return eng.Len()
}

// groupChecks are cfg's groups.*.exclusive and max as the trigger engine
// and the channels ask for them.
func groupChecks(cfg *config.Config) (exclusive func(string) bool, maxOf func(string) int) {
	return func(group string) bool { return cfg.Groups[group].Exclusive },
		func(group string) int { return cfg.Groups[group].Max }
}

// checkTriggers checks cfg's triggers against the store's tag library
// (and the tags packTags names, which the rule packs create), which
// config.Load cannot see: a loop through an exclusive group's implicit
// removals, and an add list breaking a group's exclusive or max
// (config.CheckTriggerGroups). Start refuses to serve with such triggers,
// and a reload keeps the running ones. A tag no live tag is named is only
// a warning (the trigger never fires on it, and skips it in add and
// remove): the committed config.yaml's sample triggers name the demo's
// tags, which a real corp may lack.
func (m *Main) checkTriggers(cfg *config.Config, packTags []string) (warnings []string, err error) {
	if len(cfg.Triggers) == 0 {
		return nil, nil
	}
	lib, err := libraryNamesOf(m.Store, packTags)
	if err != nil {
		return nil, err
	}
	for _, t := range cfg.Triggers {
		for _, list := range []struct {
			key   string
			names []string
		}{{"on_add", t.OnAdd}, {"on_remove", t.OnRemove}, {"add", t.Add}, {"remove", t.Remove}} {
			for _, name := range list.names {
				if !lib.HasTag(name) {
					warnings = append(warnings, fmt.Sprintf("%s:%d: trigger %q: %s: tag %q is not in the tag library", m.configName(), t.Line, t.Name, list.key, name))
				}
			}
		}
	}
	if err := config.CheckTriggerGroups(cfg.Triggers, cfg.Groups, lib.GroupsOf); err != nil {
		return warnings, fmt.Errorf("triggers: %w", err)
	}
	return warnings, nil
}
