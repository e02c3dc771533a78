package mirror

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
)

// TestInteractiveBeforeBackground: while a background batch of 1,000 calls
// runs at 6,000 a minute, an employee's /tag goes out after at most a few
// of the batch's calls, not behind the rest. Its relationship still had a
// call of the batch queued: that one goes first, so the relationship's
// calls keep their order across the lanes.
func TestInteractiveBeforeBackground(t *testing.T) {
	r := newRateEnv(t, 1000, 6000, 0)
	w := NewWorker(r.st, r.api, WorkerOptions{Logger: quietLogger()})
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- w.Run(ctx) }()
	defer func() {
		cancel()
		must(t, <-ran)
	}()
	waitFor(t, "the batch under way", func() bool { return len(okMarkTags(r.fake)) >= 30 })

	// The last relationship of the batch: its bulk call is far back in the queue.
	last, err := r.st.OutboxLane(true, 0, 0)
	must(t, err)
	tail := last[len(last)-1]
	cs, err := r.st.Apply(store.ChangeSet{Actor: tail.Follower, Source: store.SourceCommand,
		Customer: tail.Customer, Follower: tail.Follower, Remove: []store.TagRef{{ID: tail.Add[0]}}})
	must(t, err)
	if cs.Background() {
		t.Fatal("a /tag change-set must be interactive")
	}
	sentBefore := len(r.fake.CallsTo(wecom.PathMarkTag))
	w.Kick()
	waitFor(t, "the interactive call sent", func() bool {
		ob, err := r.st.Outbox(cs.Outbox)
		must(t, err)
		return ob.Status == store.OutboxStatusDone
	})

	calls := r.fake.CallsTo(wecom.PathMarkTag)
	var order []string // the tail relationship's calls, in order
	at := -1
	for i, c := range calls {
		var b markBody
		must(t, json.Unmarshal(c.Body, &b))
		if b.ExternalUserID == tail.Customer && b.UserID == tail.Follower {
			if len(b.AddTag) > 0 {
				order = append(order, "add")
			} else {
				order = append(order, "remove")
				at = i
			}
		}
	}
	if len(order) != 2 || order[0] != "add" || order[1] != "remove" {
		t.Fatalf("the relationship's calls went %v, want [add remove]", order)
	}
	// Calls already handed to the senders when the /tag came may reach
	// WeCom first (at most Parallel of them, but a sender between the queue
	// and the rate limiter can be overtaken by the next, more so under the
	// race detector: up to three times that), then the batch call it
	// promoted. Behind the batch it would wait for ~970.
	if behind := at - sentBefore; behind > 3*w.opts.Parallel+1 {
		t.Errorf("the /tag waited behind %d of the batch's calls", behind)
		for _, c := range calls[sentBefore-3 : at+1] {
			t.Logf("%s %s %d", c.At.Format("05.000000"), c.Body, c.ErrCode)
		}
	}
	if got := r.fake.CustomerTags(tail.Customer, tail.Follower); len(got) != 0 {
		t.Errorf("WeCom has %v on the relationship, want none (added then removed)", got)
	}
	bg, err := r.st.OutboxLane(true, 0, 0)
	must(t, err)
	if len(bg) < 500 {
		t.Errorf("only %d batch calls left: the batch was not what the /tag overtook", len(bg))
	}
}
