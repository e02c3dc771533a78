package app

import (
	"context"
	"time"
)

// periodicSync repairs drift no callback reported (callbacks lost while
// tagbot was down, an event WeCom dropped) by running a full sync every
// wecom.sync_interval; Start runs it when the interval is not 0. If the last
// full sync is older than the interval by the injected clock, one runs at
// once. The ticker runs on real time: the injected clock only decides
// "older than", so a test clock set ahead triggers the first sync without
// changing how often the others run.
//
// The syncs run one after another on this goroutine, never two at once (a
// sync slower than the interval drops the ticks it missed); they run beside
// the loop and the outbox worker, which FullSync allows. A failed sync is
// logged and retried at the next tick. It returns when ctx ends, cancelling
// a sync in hand.
func (m *Main) periodicSync(ctx context.Context) error {
	every := m.Config.WeCom.SyncInterval
	last, err := m.Store.SyncedAt()
	switch {
	case err != nil:
		m.log.Warn("last full sync time unreadable; syncing now", "err", err)
		m.fullSync(ctx, "start")
	case m.now().Sub(last) >= every:
		m.fullSync(ctx, "overdue")
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			m.fullSync(ctx, "interval")
		}
	}
}

// fullSync runs one full sync and logs its report, or its failure at warn.
func (m *Main) fullSync(ctx context.Context, why string) {
	rep, err := m.Syncer.FullSync(ctx)
	if err != nil {
		if ctx.Err() != nil {
			m.log.Info("periodic full sync stopped by shutdown", "trigger", why)
			return
		}
		m.log.Warn("periodic full sync failed; retrying at the next interval", "trigger", why,
			"next_in", m.Config.WeCom.SyncInterval, "err", err)
		return
	}
	m.log.Info("periodic full sync done", "trigger", why, "customers", rep.Customers,
		"relationships", rep.Relationships, "tags", rep.Tags, "change_sets", rep.ChangeSets,
		"deleted_tags", rep.DeletedTags, "duration", rep.Duration.Round(time.Millisecond))
}

// compactCheck is how often serve asks the store whether a compaction is due.
const compactCheck = 5 * time.Minute

// periodicCompact compacts the store when store.compact_interval says
// (CompactIfDue), so the bytes of deleted data (processed callbacks, sent
// replies) leave the disk in bounded time. It returns when ctx ends.
func (m *Main) periodicCompact(ctx context.Context) error {
	tick := time.NewTicker(compactCheck)
	defer tick.Stop()
	for {
		start := time.Now()
		done, err := m.Store.CompactIfDue(m.Config.Store.CompactInterval)
		switch {
		case err != nil:
			m.log.Warn("store compaction failed; retrying later", "err", err)
		case done:
			m.log.Info("store compacted", "bytes", m.Store.FileSize(), "duration", time.Since(start).Round(time.Millisecond))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}
