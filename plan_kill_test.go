package main

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tagbot/tagbot/store"
)

// TestServeResumesPlanAfterCrash: the store a crash left between the two
// commands of a confirmed sentence (the plan recorded, the first command's
// change-set marking its step, the second not run: a SIGKILL can leave
// no other state, every write being one transaction) is given to a real
// `tagbot serve`. It runs the second command once, not the first again,
// tells the user, and WeCom ends where the ledger says.
func TestServeResumesPlanAfterCrash(t *testing.T) {
	addr := freeAddr(t)
	cfg, db, fake := fakeConfig(t, addr)
	if code, out, errs := runCLI("-config", cfg, "sync"); code != 0 {
		t.Fatalf("sync exit %d: %s %s", code, out, errs)
	}
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tag := tagNamed(t, st, "展会")
	plan, err := st.PlanBegin("zhangsan", []string{"/tag 王小明 +展会", "/tag 李华 +展会"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Apply(store.ChangeSet{Actor: "zhangsan", Source: store.SourceCommand, Customer: "wmDemo0001", Follower: "zhangsan",
		Add: []store.TagRef{tag.Ref()}, Reason: "/tag 王小明 +展会", Inbox: plan.Steps[0]}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	child, stderr := startServe(t, cfg, addr)
	told := false
	for deadline := time.Now().Add(30 * time.Second); !told || len(fake.CallsTo("externalcontact/mark_tag")) < 2; time.Sleep(20 * time.Millisecond) {
		for _, m := range fake.Messages() {
			told = told || m.ToUser == "zhangsan" && strings.Contains(m.Text, "还有 1 条没执行") && strings.Contains(m.Text, "李华")
		}
		if time.Now().After(deadline) {
			t.Fatalf("told %v, %d mark_tag calls\n%s", told, len(fake.CallsTo("externalcontact/mark_tag")), stderr.String())
		}
	}
	child.Process.Signal(syscall.SIGTERM)
	if err := child.Wait(); err != nil {
		t.Fatalf("serve exit: %v\n%s", err, stderr.String())
	}
	if st, err = store.Open(db, store.Options{}); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Verify(); err != nil {
		t.Fatal(err)
	}
	h, err := st.History(store.Query{Actor: "zhangsan", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, cs := range h {
		got = append(got, cs.Customer)
	}
	if strings.Join(got, ",") != "wmDemo0002,wmDemo0001" {
		t.Fatalf("zhangsan's change-sets for %v, want 李华 then 王小明 (newest first), once each", got)
	}
	if ps, err := st.PlansPending(); err != nil || len(ps) != 0 {
		t.Fatalf("plans pending: %v, %v", ps, err)
	}
	for _, c := range []string{"wmDemo0001", "wmDemo0002"} {
		rel, err := st.Relationship(c, "zhangsan")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Join(fake.CustomerTags(c, "zhangsan"), ","), strings.Join(rel.TagIDs(), ","); got != want {
			t.Errorf("%s: WeCom has %s, ledger says %s", c, got, want)
		}
	}
}

// tagNamed returns the live tag called name.
func tagNamed(t *testing.T, st *store.Store, name string) store.Tag {
	t.Helper()
	tags, err := st.Tags(false)
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range tags {
		if tg.Name == name {
			return tg
		}
	}
	t.Fatalf("no tag %s", name)
	return store.Tag{}
}
