package intake

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/internal/clocktest"
	"github.com/tagbot/tagbot/store"
)

// t0 is the tests' "now".
var t0 = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

// openStore opens a store in a temp dir with a small library and three
// customers: c1 followed by zhangsan and lisi (高意向 on c1/zhangsan), c2 by
// zhangsan, c3 by nobody.
func openStore(t testing.TB) (*store.Store, *clocktest.Clock, string) {
	t.Helper()
	clk := clocktest.New(t0)
	path := filepath.Join(t.TempDir(), "tagbot.db")
	s, err := store.Open(path, store.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	lib := store.Library{
		Groups: []store.Group{{ID: "g1", Name: "意向程度"}},
		Tags:   []store.Tag{{ID: "t1", GroupID: "g1", GroupName: "意向程度", Name: "高意向"}, {ID: "t2", GroupID: "g1", GroupName: "意向程度", Name: "低意向"}},
	}
	must(t, firstErr(s.PutLibrary(lib, "sync")))
	added := t0.Add(-200 * 24 * time.Hour)
	must(t, s.UpsertCustomer(store.Customer{ID: "c1", Name: "王小明"}, []store.FollowInfo{{Follower: "zhangsan", CreateTime: added, State: "ad"}, {Follower: "lisi", CreateTime: added}}))
	must(t, s.UpsertCustomer(store.Customer{ID: "c2", Name: "赵敏"}, []store.FollowInfo{{Follower: "zhangsan", CreateTime: added}}))
	must(t, s.UpsertCustomer(store.Customer{ID: "c3", Name: "无人跟进"}, nil))
	_, err = s.Apply(store.ChangeSet{Actor: "zhangsan", Source: store.SourceCommand, Customer: "c1", Follower: "zhangsan", Add: []store.TagRef{{ID: "t1"}}})
	must(t, err)
	return s, clk, path
}

func firstErr[T any](_ T, err error) error { return err }

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wordClassifier matches a message containing word (from the customer) with
// tag, recording the facts it saw. It fails the first failures calls.
type wordClassifier struct {
	word, tag string
	failures  int

	mu    sync.Mutex
	calls int
	seen  []seenFacts
}

// seenFacts is what one classification saw.
type seenFacts struct {
	Follower string
	Count    int // Count(word, 7 days)
	Tags     []string
}

func (c *wordClassifier) Classify(_ context.Context, in classify.Input, f classify.Facts) ([]classify.Match, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if c.calls <= c.failures {
		return nil, errors.New("classifier down")
	}
	if in.Message == nil || !strings.Contains(in.Message.Text, c.word) {
		return nil, nil
	}
	n, err := f.Count(c.word, 7*24*time.Hour)
	if err != nil {
		return nil, err
	}
	cust := f.Customer()
	c.seen = append(c.seen, seenFacts{Follower: in.Message.Employee, Count: n, Tags: cust.Tags})
	return []classify.Match{{Source: classify.SourceRule, Rule: "r-" + c.word, Tags: []string{c.tag}, Mode: classify.ModeSuggest, Score: 1}}, nil
}

// offerLog records offers; hook, if set, runs after recording one.
type offerLog struct {
	mu     sync.Mutex
	offers []classify.Offer
	hook   func(o classify.Offer) error
}

func (l *offerLog) Offer(_ context.Context, o classify.Offer) error {
	l.mu.Lock()
	l.offers = append(l.offers, o)
	hook := l.hook
	l.mu.Unlock()
	if hook != nil {
		return hook(o)
	}
	return nil
}

// refs lists the offers as "ref→follower".
func (l *offerLog) refs() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, o := range l.offers {
		out = append(out, o.Ref+"→"+o.Follower)
	}
	return out
}

// drain runs w until the queue of s is empty (or fails the test after 5 s).
func drain(t *testing.T, s *store.Store, w *Worker) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		pending, err := s.ActivitiesAfter(0, 0)
		must(t, err)
		if len(pending) == 0 {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("queue not drained: %d pending", len(pending))
		}
		w.Wake()
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
}

func msg(id, customer, employee, text string, at time.Time) classify.Message {
	return classify.Message{ID: id, Customer: customer, Employee: employee, From: classify.FromCustomer, Text: text, Time: at}
}
