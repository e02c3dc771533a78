package app

import (
	"context"

	"github.com/tagbot/tagbot/bulk"
	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/jobs"
)

// newJobs builds the runner of durable background jobs (bulk runs, mass
// undo, imports, merges); Start runs it, resuming what a stop cut short.
func (m *Main) newJobs(opts Options) {
	m.Jobs = &jobs.Runner{Store: m.Store, Now: opts.Now, Kick: m.Worker.Kick, Logger: opts.Logger,
		Chunk: m.Config.Jobs.Chunk, MaxBacklog: m.Config.Jobs.MaxBacklog}
}

// bulkExtension is /bulk, its progress delivered by the sender.
func (m *Main) bulkExtension(opts Options) commands.Extension {
	return bulk.New(bulk.Options{
		Store: m.Store, Config: m.Config, Runner: m.Jobs, Now: opts.Now, Logger: opts.Logger,
		Deliver: func(ctx context.Context, userID string, replies []commands.Reply) {
			m.Sender.Send(ctx, userID, replies)
		},
	})
}
