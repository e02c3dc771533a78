package store

import (
	"reflect"
	"testing"
)

func TestReconcileMarksBusyRelationshipsForRecheck(t *testing.T) {
	s, _ := openTest(t)
	apply(t, s, "zhangsan", "c1", []string{"t1"}, nil) // pending outbox call
	obs := Observation{Customer: Customer{ID: "c1", Name: "王小明"}, Follows: []ObservedFollow{
		{FollowInfo: FollowInfo{Follower: "zhangsan"}, TagIDs: []string{"t1", "t3"}},
	}}
	got, err := s.Reconcile(obs, ReconcileOptions{Source: SourceWeComUI, Actor: "zhangsan"})
	must(t, err)
	if len(got) != 0 {
		t.Fatalf("reconciled a relationship with pending calls: %+v", got)
	}
	if r, err := s.Rechecks(0); err != nil || len(r) != 0 {
		t.Fatalf("recheck offered while calls are pending: %v", r)
	}
	pend, _ := s.PendingOutbox(0)
	must(t, s.OutboxDone(pend[0].ID))
	r, err := s.Rechecks(0)
	must(t, err)
	if !reflect.DeepEqual(r, []RelRef{{"c1", "zhangsan"}}) {
		t.Fatalf("rechecks %v", r)
	}
	// The re-read now applies, and the mark can be cleared.
	got, err = s.Reconcile(obs, ReconcileOptions{Source: SourceWeComUI, Actor: "zhangsan"})
	must(t, err)
	if len(got) != 1 || !reflect.DeepEqual(ids(got[0].Add), []string{"t3"}) {
		t.Fatalf("after the calls were sent: %+v", got)
	}
	must(t, s.RecheckDone(r[0]))
	if r, err := s.Rechecks(0); err != nil || len(r) != 0 {
		t.Fatalf("rechecks after done %v", r)
	}
}

func TestReconcileSkipsRelationshipsChangedSinceTheRead(t *testing.T) {
	s, _ := openTest(t)
	since, err := s.NextID()
	must(t, err)
	if since != 1 {
		t.Fatalf("next id of an empty ledger: %d", since)
	}
	// The bot changes the relationship (and its call is sent) while the
	// WeCom reading, taken before, is on its way.
	cs := apply(t, s, "zhangsan", "c1", []string{"t1"}, nil)
	must(t, s.OutboxDone(cs.Outbox))
	stale := Observation{Customer: Customer{ID: "c1", Name: "王小明"}, Follows: []ObservedFollow{
		{FollowInfo: FollowInfo{Follower: "zhangsan"}, TagIDs: nil},
		{FollowInfo: FollowInfo{Follower: "lisi"}, TagIDs: []string{"t2"}},
	}}
	got, err := s.Reconcile(stale, ReconcileOptions{Source: SourceSync, Actor: "sync", Since: since})
	must(t, err)
	if len(got) != 1 || got[0].Follower != "lisi" {
		t.Fatalf("stale reading applied: %+v", got)
	}
	if tags := relTags(t, s, "c1", "zhangsan"); !reflect.DeepEqual(tags, []string{"t1"}) {
		t.Fatalf("the bot's own change was taken back: %v", tags)
	}
	if r, err := s.Rechecks(0); err != nil || !reflect.DeepEqual(r, []RelRef{{"c1", "zhangsan"}}) {
		t.Fatalf("rechecks %v", r)
	}
}
