package intake

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/store"
)

func TestWorkerOffersToTheRightFollowers(t *testing.T) {
	s, clk, _ := openStore(t)
	q := NewQueue(s, QueueOptions{Now: clk.Now})
	cls := &wordClassifier{word: "色号", tag: "高意向"}
	offers := &offerLog{}
	w := NewWorker(s, cls, offers, clk.Now, nil)
	_, _, err := q.SubmitFrom(context.Background(), store.ActivityAPI, []classify.Message{
		msg("", "c1", "zhangsan", "这个色号有货吗", t0.Add(-3*time.Hour)), // act:1 → zhangsan only
		msg("", "c1", "", "色号还有吗", t0.Add(-2*time.Hour)),           // act:2 → every follower of c1
		msg("", "c2", "zhangsan", "你好", t0.Add(-time.Hour)),        // act:3 → no match
		msg("", "c3", "", "色号", t0),                                // act:4 → nobody follows c3
	}, nil)
	must(t, err)
	drain(t, s, w)
	want := []string{"act:1→zhangsan", "act:2→lisi", "act:2→zhangsan"}
	if got := offers.refs(); !reflect.DeepEqual(got, want) {
		t.Errorf("offers = %v, want %v", got, want)
	}
	o := offers.offers[0]
	if o.Input.Message == nil || o.Input.Message.Text != "这个色号有货吗" || len(o.Matches) != 1 || o.Matches[0].Tags[0] != "高意向" {
		t.Errorf("first offer = %+v; want the message and one match 高意向", o)
	}
}

func TestWorkerFollowerGoneNoOffer(t *testing.T) {
	s, clk, _ := openStore(t)
	q := NewQueue(s, QueueOptions{Now: clk.Now})
	_, _, err := q.Submit(context.Background(), []classify.Message{msg("", "c2", "zhangsan", "色号", t0)}, nil)
	must(t, err)
	// zhangsan no longer follows c2 by the time the worker runs.
	must(t, firstErr(s.RemoveRelationship("c2", "zhangsan", store.ReconcileOptions{})))
	offers := &offerLog{}
	drain(t, s, NewWorker(s, &wordClassifier{word: "色号", tag: "高意向"}, offers, clk.Now, nil))
	if got := offers.refs(); len(got) != 0 {
		t.Errorf("offers = %v, want none (the relationship is gone)", got)
	}
}

func TestWorkerRetriesThenGivesUp(t *testing.T) {
	tests := []struct {
		name       string
		failures   int
		wantOffers []string
	}{
		{"recovers after two failures", 2, []string{"act:1→zhangsan"}},
		{"poison given up after MaxAttempts", 100, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, clk, _ := openStore(t)
			q := NewQueue(s, QueueOptions{Now: clk.Now})
			_, _, err := q.Submit(context.Background(), []classify.Message{msg("", "c2", "zhangsan", "色号", t0)}, nil)
			must(t, err)
			cls := &wordClassifier{word: "色号", tag: "高意向", failures: tc.failures}
			offers := &offerLog{}
			w := NewWorker(s, cls, offers, clk.Now, nil)
			w.MaxAttempts = 3
			w.Backoff = func(int) time.Duration { return time.Millisecond }
			drain(t, s, w)
			if got := offers.refs(); !reflect.DeepEqual(got, tc.wantOffers) {
				t.Errorf("offers = %v, want %v", got, tc.wantOffers)
			}
			if want := min(tc.failures+1, 3); cls.calls != want {
				t.Errorf("classifier calls = %d, want %d", cls.calls, want)
			}
		})
	}
}

// A crash after the offer but before the activity is marked done offers it
// again with the same Ref when tagbot starts again.
func TestWorkerCrashBetweenOfferAndDone(t *testing.T) {
	s, clk, path := openStore(t)
	q := NewQueue(s, QueueOptions{Now: clk.Now})
	_, _, err := q.Submit(context.Background(), []classify.Message{msg("", "c2", "zhangsan", "色号", t0)}, nil)
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	offers := &offerLog{}
	offers.hook = func(classify.Offer) error {
		cancel()
		return s.Close() // the "crash": nothing after the offer reaches the store
	}
	w := NewWorker(s, &wordClassifier{word: "色号", tag: "高意向"}, offers, clk.Now, nil)
	if err := w.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	s2, err := store.Open(path, store.Options{Now: clk.Now})
	must(t, err)
	defer s2.Close()
	offers.hook = nil
	drain(t, s2, NewWorker(s2, &wordClassifier{word: "色号", tag: "高意向"}, offers, clk.Now, nil))
	if got, want := offers.refs(), []string{"act:1→zhangsan", "act:1→zhangsan"}; !reflect.DeepEqual(got, want) {
		t.Errorf("offers = %v, want %v (the same Ref again)", got, want)
	}
}

func TestWorkerNilClassifierAndOfferer(t *testing.T) {
	s, clk, _ := openStore(t)
	q := NewQueue(s, QueueOptions{Now: clk.Now})
	_, _, err := q.Submit(context.Background(), []classify.Message{msg("", "c2", "zhangsan", "色号", t0)}, nil)
	must(t, err)
	drain(t, s, NewWorker(s, nil, nil, clk.Now, nil)) // fails the test if the queue stays full
	drain(t, s, NewWorker(s, &wordClassifier{word: "色号", tag: "高意向"}, nil, clk.Now, nil))
}
