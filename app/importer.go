package app

import (
	"context"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/importer"
	"github.com/tagbot/tagbot/importer/page"
)

// newImport builds /import and its upload page (mounted on server.listen
// by Start); its job progress goes to chat. The router is given to it
// after NewRouter; its jobs run on m.Jobs (newJobs runs first).
func (m *Main) newImport(cfg *config.Config, opts Options) {
	m.Import = page.New(page.Options{Store: m.Store, Config: cfg, Creator: m.Syncer, Jobs: m.Jobs, Now: opts.Now, Logger: opts.Logger,
		Deliver: func(ctx context.Context, userID string, replies []commands.Reply) {
			m.Sender.Send(ctx, userID, replies)
		},
	})
	m.Jobs.Handle(importer.JobKind, m.Import.JobProgress)
}
