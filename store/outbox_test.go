package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestOutboxLifecycle(t *testing.T) {
	s, clk := openTest(t)
	a := apply(t, s, "zhangsan", "c1", []string{"t1"}, nil)
	b := apply(t, s, "zhangsan", "c2", []string{"t2"}, nil)
	pend, err := s.PendingOutbox(0)
	must(t, err)
	if len(pend) != 2 || pend[0].CS != a.ID || pend[1].CS != b.ID {
		t.Fatalf("pending %+v", pend)
	}
	if ok, err := s.HasPendingOutbox("c1", "zhangsan"); err != nil || !ok {
		t.Fatal("c1 not pending")
	}
	must(t, s.OutboxRetry(pend[0].ID, clk.Now().Add(time.Minute), 45009, "api freq out of limit"))
	e, _ := s.Outbox(pend[0].ID)
	if e.Attempts != 1 || e.ErrCode != 45009 || e.Status != OutboxStatusPending {
		t.Fatalf("after retry %+v", e)
	}
	must(t, s.OutboxDone(pend[0].ID))
	must(t, s.OutboxDone(pend[0].ID)) // a duplicate mark is harmless
	e, _ = s.Outbox(pend[0].ID)
	if e.Status != OutboxStatusDone || e.Attempts != 2 {
		t.Fatalf("after done %+v", e)
	}
	if ok, err := s.HasPendingOutbox("c1", "zhangsan"); err != nil || ok {
		t.Fatal("c1 still pending")
	}
	// A permanent failure takes the claim back out of the projection.
	f, err := s.OutboxFailed(pend[1].ID, 84061, "not external contact", func(e OutboxEntry) string {
		return fmt.Sprintf("变更未生效，已更正 #%d", e.Compensated)
	})
	must(t, err)
	if f.Status != OutboxStatusFailed || f.Compensated == 0 {
		t.Fatalf("failed %+v", f)
	}
	if got := relTags(t, s, "c2", "zhangsan"); len(got) != 0 {
		t.Fatalf("c2 still has %v after a refused mark_tag", got)
	}
	if q, err := s.RepliesFor("zhangsan"); err != nil || len(q) != 1 || q[0].Text != fmt.Sprintf("变更未生效，已更正 #%d", f.Compensated) {
		t.Fatalf("notice not queued with the failure: %+v", q)
	}
	comp, _ := s.Get(f.Compensated)
	if comp.Source != SourceSync || comp.Reverts != b.ID || comp.Outbox != 0 {
		t.Fatalf("compensation %+v", comp)
	}
	// Finished entries stay finished.
	must(t, s.OutboxRetry(pend[1].ID, clk.Now(), -1, "x"))
	if e, err := s.Outbox(pend[1].ID); err != nil || e.Status != OutboxStatusFailed {
		t.Fatalf("retry reopened a failed entry: %+v", e)
	}
	pend, _ = s.PendingOutbox(0)
	if len(pend) != 0 {
		t.Fatalf("still pending %v", pend)
	}
	must(t, s.Verify())
}

func TestInboxDedupAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tagbot.db")
	s, err := Open(path, Options{})
	must(t, err)
	id, dup, err := s.InboxPut("msg-1", []byte("<xml>hello</xml>"))
	must(t, err)
	if dup || id == 0 {
		t.Fatalf("first put dup=%v id=%d", dup, id)
	}
	if _, dup, err := s.InboxPut("msg-1", []byte("<xml>hello</xml>")); err != nil || !dup {
		t.Fatal("second put not a dup")
	}
	must(t, s.Close())

	s, err = Open(path, Options{})
	must(t, err)
	defer s.Close()
	if _, dup, err := s.InboxPut("msg-1", []byte("x")); err != nil || !dup {
		t.Fatal("dup not detected after reopen")
	}
	pend, err := s.InboxPending(0)
	must(t, err)
	if len(pend) != 1 || string(pend[0].Body) != "<xml>hello</xml>" {
		t.Fatalf("pending after reopen %+v", pend)
	}
	n, err := s.InboxAttempt(pend[0].ID)
	must(t, err)
	if n != 1 {
		t.Fatalf("attempts %d", n)
	}
	must(t, s.InboxDone(pend[0].ID))
	if pend, err := s.InboxPending(0); err != nil || len(pend) != 0 {
		t.Fatalf("pending after done %v", pend)
	}
	if _, dup, err := s.InboxPut("msg-1", nil); err != nil || !dup {
		t.Fatal("dedup marker lost after done")
	}
}

func TestDeletedTagRecordedAndRestorable(t *testing.T) {
	s, _ := openTest(t)
	apply(t, s, "zhangsan", "c1", []string{"t1"}, nil)
	apply(t, s, "zhangsan", "c2", []string{"t1", "t3"}, nil)
	lib := Library{
		Groups: []Group{{ID: "g1", Name: "客户等级"}, {ID: "g2", Name: "意向程度"}},
		Tags: []Tag{
			{ID: "t2", GroupID: "g1", GroupName: "客户等级", Name: "普通"},
			{ID: "t3", GroupID: "g2", GroupName: "意向程度", Name: "高意向"},
			{ID: "t4", GroupID: "g2", GroupName: "意向程度", Name: "低意向"},
		},
	}
	deleted, err := s.PutLibrary(lib, "sync")
	must(t, err)
	if len(deleted) != 1 || deleted[0].ID != "t1" {
		t.Fatalf("deleted %+v", deleted)
	}
	if got := relTags(t, s, "c2", "zhangsan"); !reflect.DeepEqual(got, []string{"t3"}) {
		t.Fatalf("c2 after deletion %v", got)
	}
	batch, err := s.History(Query{Batch: "tagdel-t1"})
	must(t, err)
	if len(batch) != 2 || batch[0].Source != SourceSync || batch[0].Outbox != 0 {
		t.Fatalf("deletion batch %+v", batch)
	}
	gone, err := s.DeletedTagsByName("VIP")
	must(t, err)
	if len(gone) != 1 || !gone[0].Deleted {
		t.Fatalf("deleted tags %+v", gone)
	}
	if _, err := s.Apply(ChangeSet{Actor: "a", Source: SourceCommand, Customer: "c1", Follower: "zhangsan", Add: tags("t1")}); !errors.Is(err, ErrTagDeleted) {
		t.Fatalf("adding deleted tag: %v", err)
	}
	if live, err := s.TagsByName("VIP"); err != nil || len(live) != 0 {
		t.Fatalf("VIP still live: %v", live)
	}
	must(t, s.Verify())
}

func TestReconcile(t *testing.T) {
	s, _ := openTest(t)
	apply(t, s, "zhangsan", "c1", []string{"t1"}, nil)
	obs := Observation{Customer: Customer{ID: "c1", Name: "王小明"}, Follows: []ObservedFollow{
		{FollowInfo: FollowInfo{Follower: "zhangsan"}, TagIDs: []string{"t3"}},
		{FollowInfo: FollowInfo{Follower: "lisi", Remark: "小王"}, TagIDs: []string{"t2", "unknown"}},
	}}
	got, err := s.Reconcile(obs, ReconcileOptions{Source: SourceSync, Actor: "sync"})
	must(t, err)
	// zhangsan has a pending outbox call: WeCom has not caught up, so no diff.
	if len(got) != 1 || got[0].Follower != "lisi" || got[0].Source != SourceSync {
		t.Fatalf("reconcile %+v", got)
	}
	pend, _ := s.PendingOutbox(0)
	must(t, s.OutboxDone(pend[0].ID))
	got, err = s.Reconcile(obs, ReconcileOptions{Source: SourceWeComUI, Actor: "zhangsan"})
	must(t, err)
	if len(got) != 1 || !reflect.DeepEqual(ids(got[0].Add), []string{"t3"}) || !reflect.DeepEqual(ids(got[0].Remove), []string{"t1"}) {
		t.Fatalf("second reconcile %+v", got)
	}
	if p, err := s.PendingOutbox(0); err != nil || len(p) != 0 {
		t.Fatal("a change seen on WeCom was queued for WeCom again")
	}
	if found, err := s.FindCustomers("小王", 10); err != nil || len(found) != 1 || found[0].ID != "c1" {
		t.Fatalf("find by new remark %+v", found)
	}
	// Complete observation without lisi ends that relationship.
	obs.Complete = true
	obs.Follows = obs.Follows[:1]
	got, err = s.Reconcile(obs, ReconcileOptions{Source: SourceWeComUI, Actor: "system"})
	must(t, err)
	if len(got) != 1 || got[0].Follower != "lisi" || len(got[0].Remove) != 1 {
		t.Fatalf("ended relationship %+v", got)
	}
	c, _ := s.Customer("c1")
	if !reflect.DeepEqual(c.Followers, []string{"zhangsan"}) {
		t.Fatalf("followers %v", c.Followers)
	}
	if found, err := s.FindCustomers("小王", 10); err != nil || len(found) != 0 {
		t.Fatalf("stale lookup %+v", found)
	}
	must(t, s.Verify())
}

func TestFindCustomers(t *testing.T) {
	s, _ := openTest(t)
	for _, tc := range []struct{ q, want string }{
		{"c2", "c2"}, {"王小明", "c1"}, {"王总", "c1"}, {"13800000001", "c1"}, {"小明", "c1"}, {"赵", "c2"},
	} {
		got, err := s.FindCustomers(tc.q, 10)
		must(t, err)
		if len(got) != 1 || got[0].ID != tc.want {
			t.Errorf("find %q: %+v", tc.q, got)
		}
	}
	apply(t, s, "zhangsan", "c1", []string{"t1", "t3"}, nil)
	apply(t, s, "zhangsan", "c2", []string{"t1"}, nil)
	rels, err := s.CustomersWithTags([]string{"t1", "t3"}, "", 10)
	must(t, err)
	if len(rels) != 1 || rels[0].Customer != "c1" {
		t.Fatalf("with tags %+v", rels)
	}
	rels, _ = s.CustomersWithTags([]string{"t1"}, "", 1)
	next, _ := s.CustomersWithTags([]string{"t1"}, rels[0].Customer+":"+rels[0].Follower, 1)
	if len(rels) != 1 || len(next) != 1 || next[0].Customer == rels[0].Customer {
		t.Fatalf("paging %+v %+v", rels, next)
	}
}

func TestApplyMarksItsInboxMessageApplied(t *testing.T) {
	s, _ := openTest(t)
	id, _, err := s.InboxPut("msg-9", []byte("<xml/>"))
	must(t, err)
	// A change that changes nothing leaves the message for the loop.
	_, err = s.Apply(ChangeSet{Actor: "zhangsan", Source: SourceCommand, Customer: "c1", Follower: "zhangsan", Remove: tags("t1"), Inbox: id})
	if !errors.Is(err, ErrNoChange) {
		t.Fatal(err)
	}
	if p, err := s.InboxPending(0); err != nil || len(p) != 1 || p[0].Applied != 0 {
		t.Fatalf("a no-op change marked the message: %+v", p)
	}
	cs, err := s.Apply(ChangeSet{Actor: "zhangsan", Source: SourceCommand, Customer: "c1", Follower: "zhangsan", Add: tags("t1"), Inbox: id})
	must(t, err)
	if p, err := s.InboxPending(0); err != nil || len(p) != 1 || p[0].Applied != cs.ID || cs.Inbox != id {
		t.Fatalf("inbox after the change: %+v", p)
	}
	// A second change of the same message keeps the first as Applied.
	apply2, err := s.Apply(ChangeSet{Actor: "zhangsan", Source: SourceCommand, Customer: "c2", Follower: "zhangsan", Add: tags("t1"), Inbox: id})
	must(t, err)
	if p, err := s.InboxPending(0); err != nil || p[0].Applied != cs.ID || apply2.ID == cs.ID {
		t.Fatalf("applied moved to %d", p[0].Applied)
	}
	must(t, s.InboxDone(id))
	if p, err := s.InboxPending(0); err != nil || len(p) != 0 {
		t.Fatalf("pending after done %+v", p)
	}
	// A change naming a message no longer in the inbox is fine.
	apply(t, s, "zhangsan", "c2", []string{"t2"}, nil)
}
