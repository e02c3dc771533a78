// Package statusview shows the outbox queue: pending, in flight, done,
// failed by errcode, the current rate and the ETA, for the whole queue and
// per batch. `tagbot status` reads it from serve over the admin listener
// (Handler) or, with serve stopped, from the store file; /status (an
// Extension) shows it in chat.
//
// Counts come from the store (kept in the same transaction as each entry's
// outcome, so they are exact); in flight and the current rate are serve's
// live figures (mirror.Worker.Live), read when the view is built — the
// view says when (LiveAt) and has none when serve is not running. The ETA
// divides what is queued ahead by the current rate, or by the configured
// mark_tag rate when nothing was sent in the last minute.
//
// 发件箱状态：待发、发送中、完成、按错误码统计的失败、当前速率与预计完成时间，整体及按批次。
package statusview

import (
	"math"
	"time"

	"github.com/tagbot/tagbot/mirror"
	"github.com/tagbot/tagbot/store"
)

// View is the state of the outbox. JSON is `tagbot status --json`'s output
// and the admin endpoint's answer.
type View struct {
	At          time.Time   `json:"at"`
	Pending     int         `json:"pending"`
	Interactive int         `json:"pending_interactive"`
	Background  int         `json:"pending_background"`
	InFlight    int         `json:"in_flight"`
	Done        int         `json:"done"`
	Failed      map[int]int `json:"failed_by_errcode"`
	// PerMinute is the current rate (entries finished in the last minute);
	// Live is false when no running serve reported it.
	PerMinute float64   `json:"per_minute"`
	Live      bool      `json:"live"`
	LiveAt    time.Time `json:"live_at,omitempty"`
	// JustStarted is set while serve's worker has run less than a minute:
	// PerMinute is then scaled from RecentSeconds, in which RecentFinished
	// entries finished, and Text shows those instead.
	JustStarted    bool    `json:"just_started,omitempty"`
	RecentSeconds  float64 `json:"recent_seconds,omitempty"`
	RecentFinished int     `json:"recent_finished,omitempty"`
	// Limit is the configured mark_tag rate per minute; Concurrency the
	// calls at once allowed now (lowered after 45033), 0 when unknown.
	Limit       int       `json:"limit_per_minute"`
	Concurrency int       `json:"concurrency,omitempty"`
	PausedUntil time.Time `json:"paused_until,omitempty"`
	// ETASeconds is how long until the queue is empty; -1 when unknown.
	ETASeconds float64 `json:"eta_seconds"`
	Batches    []Batch `json:"batches"`
}

// Batch is the state of one batch of change-sets (its Batch id).
type Batch struct {
	ID         string      `json:"batch"`
	Actor      string      `json:"actor"`
	Background bool        `json:"background"`
	Pending    int         `json:"pending"`
	Done       int         `json:"done"`
	Failed     map[int]int `json:"failed_by_errcode"`
	First      time.Time   `json:"first"`
	Last       time.Time   `json:"last,omitempty"`
	ETASeconds float64     `json:"eta_seconds"`
}

// Build reads the counts from st and adds live (nil when serve is not
// running); limit is the configured mark_tag rate per minute.
func Build(st *store.Store, live *mirror.Live, limit int, now time.Time) (View, error) {
	total, inter, bg, batches, err := st.OutboxCountsAll()
	if err != nil {
		return View{}, err
	}
	v := View{At: now, Pending: total.Pending, Interactive: inter.Pending, Background: bg.Pending,
		Done: total.Done, Failed: total.Failed, Limit: limit, ETASeconds: -1}
	if live != nil {
		v.Live, v.LiveAt, v.InFlight, v.PerMinute, v.PausedUntil = true, live.At, live.InFlight, live.PerMinute, live.HeldUntil
		if live.Window > 0 && live.Window < time.Minute {
			v.JustStarted, v.RecentSeconds, v.RecentFinished = true, live.Window.Seconds(), live.Finished
		}
		if live.MarkTag != nil {
			v.Concurrency = live.MarkTag.Current
			if v.Limit == 0 {
				v.Limit = live.MarkTag.PerMinute
			}
		}
	}
	rate := v.PerMinute
	if rate < 1 {
		rate = float64(v.Limit)
	}
	v.ETASeconds = eta(v.Pending, rate, v.PausedUntil, now)
	ahead := inter.Pending // a background batch waits for interactive work and older batches
	for _, b := range batches {
		if b.Pending == 0 && b.Done+b.FailedTotal() == 0 {
			continue
		}
		vb := Batch{ID: b.Batch, Actor: b.Actor, Background: b.Background, Pending: b.Pending, Done: b.Done,
			Failed: b.Failed, First: b.First, Last: b.Last, ETASeconds: 0}
		if b.Pending > 0 {
			if b.Background {
				ahead += b.Pending
				vb.ETASeconds = eta(ahead, rate, v.PausedUntil, now)
			} else {
				vb.ETASeconds = eta(inter.Pending, rate, v.PausedUntil, now)
			}
		}
		v.Batches = append(v.Batches, vb)
	}
	return v, nil
}

// eta is how many seconds n entries take at rate per minute after a pause;
// -1 when the rate is unknown.
func eta(n int, rate float64, paused, now time.Time) float64 {
	if n == 0 {
		return 0
	}
	if rate <= 0 {
		return -1
	}
	s := float64(n) / rate * 60
	if paused.After(now) {
		s += paused.Sub(now).Seconds()
	}
	return math.Ceil(s)
}

// Only keeps what a member who is not a manager may see: the batches they
// started, and no batch of others (the queue's totals stay: they say how
// long the member's own changes will wait).
func (v View) Only(userID string) View {
	var mine []Batch
	for _, b := range v.Batches {
		if b.Actor == userID {
			mine = append(mine, b)
		}
	}
	v.Batches = mine
	return v
}
