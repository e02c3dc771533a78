package app

import (
	"github.com/tagbot/tagbot/channel"
	"github.com/tagbot/tagbot/config"
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
	eng := trigger.New(cfg.Triggers, trigger.Options{Admins: cfg.Roles.Admins, Managers: cfg.Roles.Managers,
		Exclusive: exclusive, Logger: opts.Logger})
	if eng.Len() > 0 {
		m.Store.SetTriggers(eng.Fire)
	}
	m.TriggerNotes = &trigger.Worker{Store: m.Store, Flush: m.Sender.Flush, Now: opts.Now, Logger: opts.Logger}
	m.Channels = channel.New(channel.Options{Store: m.Store, API: m.API, Exclusive: exclusive, Kick: m.Worker.Kick,
		Now: opts.Now, Logger: opts.Logger})
}
