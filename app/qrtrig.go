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
	exclusive := func(group string) bool { return cfg.Groups[group].Exclusive }
	maxOf := func(group string) int { return cfg.Groups[group].Max }
	eng := trigger.New(cfg.Triggers, trigger.Options{Admins: cfg.Roles.Admins, Managers: cfg.Roles.Managers,
		Exclusive: exclusive, Max: maxOf, Logger: opts.Logger})
	if eng.Len() > 0 {
		m.Store.SetTriggers(eng.Fire)
	}
	sees := func(user string, tag store.TagRef) bool { // the one visibility rule (groups.*.visible_to)
		v, err := commands.ViewerFor(cfg, m.Store, user)
		return err == nil && v.SeesRef(tag)
	}
	m.TriggerNotes = &trigger.Worker{Store: m.Store, Flush: m.Sender.Flush, Now: opts.Now, Sees: sees, Logger: opts.Logger}
	m.Channels = channel.New(channel.Options{Store: m.Store, API: m.API, Exclusive: exclusive, Max: maxOf, Kick: m.Worker.Kick,
		Now: opts.Now, Logger: opts.Logger})
}

// checkTriggers checks cfg's triggers against the store's tag library,
// which config.Load cannot see: a loop through an exclusive group's
// implicit removals, and an add list breaking a group's exclusive or max
// (config.CheckTriggerGroups). Start refuses to serve with such triggers.
func (m *Main) checkTriggers(cfg *config.Config) error {
	if len(cfg.Triggers) == 0 {
		return nil
	}
	lib, err := libraryNamesOf(m.Store, nil)
	if err != nil {
		return err
	}
	if err := config.CheckTriggerGroups(cfg.Triggers, cfg.Groups, lib.GroupsOf); err != nil {
		return fmt.Errorf("triggers: %w", err)
	}
	return nil
}
