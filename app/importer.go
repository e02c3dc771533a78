package app

import (
	"context"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/importer"
	"github.com/tagbot/tagbot/importer/page"
	"github.com/tagbot/tagbot/jobs"
)

// newImport builds /import and its upload page (mounted on server.listen
// by Start); its job progress goes to chat. The router is given to it
// after NewRouter (wireImport). It makes the job runner if nothing has.
func (m *Main) newImport(cfg *config.Config, opts Options) {
	if m.Jobs == nil {
		m.Jobs = &jobs.Runner{Store: m.Store, Now: opts.Now, Kick: m.Worker.Kick, Logger: opts.Logger}
	}
	m.Import = page.New(page.Options{Store: m.Store, Config: cfg, Creator: m.Syncer, Jobs: m.Jobs, Now: opts.Now, Logger: opts.Logger,
		Deliver: func(ctx context.Context, userID string, replies []commands.Reply) {
			m.Sender.Send(ctx, userID, replies)
		},
	})
	m.Jobs.Handle(importer.JobKind, m.Import.JobProgress)
}
