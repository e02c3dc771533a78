package app

import (
	"context"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/hygiene"
	"github.com/tagbot/tagbot/wecom"
)

// newHygiene builds /dupes, /merge and mass undo (package hygiene) on the
// shared job runner (newJobs first); WeCom tag deletions go through the
// Syncer.
func (m *Main) newHygiene(cfg *config.Config, opts Options) *hygiene.Hygiene {
	return hygiene.New(hygiene.Options{
		Store: m.Store, Jobs: m.Jobs, Synonyms: cfg.TagSynonyms, Tags: m.Syncer, Logger: opts.Logger,
		MarkTagPerMinute: markTagRate(cfg), Now: opts.Now,
		Deliver: func(ctx context.Context, userID string, replies []commands.Reply) {
			m.Sender.Send(ctx, userID, replies)
		},
	})
}

// markTagRate is the configured mark_tag calls per minute (wecom.rate_limits
// or the client's default).
func markTagRate(cfg *config.Config) int {
	const path = "externalcontact/mark_tag"
	if n, ok := cfg.WeCom.RateLimits[path]; ok {
		return n
	}
	return wecom.DefaultRateLimits[path]
}
