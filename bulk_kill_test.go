package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// TestKillServeMidBulk runs `tagbot serve`, has a manager start a /bulk
// over 150 customers, kills the bot with SIGKILL while the batch is half
// applied, starts it again on the same store and checks that the batch
// completes with the same counts: every customer changed exactly once in
// the ledger, and on WeCom (a call in flight at the kill may be sent again;
// mark_tag is idempotent).
func TestKillServeMidBulk(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary twice")
	}
	addr := freeAddr(t)
	cfg, db, fake := fakeConfig(t, addr)
	const customers = 150
	tagID := seedBulkCustomers(t, fake, customers)
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Small chunks and a short outbox backlog: the batch advances with WeCom.
	fmt.Fprint(f, "roles:\n  managers: [lisi]\njobs:\n  chunk: 5\n  max_backlog: 10\n")
	f.Close()
	fake.Fault("externalcontact/mark_tag", wecomtest.Fault{Latency: 20 * time.Millisecond})
	url := "http://" + addr + "/wecom/callback"
	say := func(text, id string) {
		resp, err := fake.Deliver(context.Background(), url, fake.CallbackText("lisi", text, id))
		if err != nil {
			t.Fatalf("deliver %q: %v", text, err)
		}
		resp.Body.Close()
	}

	child, stderr := startServe(t, cfg, addr)
	say("/bulk tag:批量老客户 +批量双十一", "bulk-1")
	waitFor(t, "the preview", stderr, func() bool { return messageWith(fake, "/confirm") })
	say("/confirm", "bulk-2")
	waitFor(t, "a third of the batch on WeCom", stderr, func() bool { return len(markCalls(fake, tagID)) >= customers/3 })
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	st := openAfterKill(t, cfg, db)
	jobs, err := st.Jobs(false)
	if err != nil || len(jobs) != 1 || !jobs[0].State.Runnable() || jobs[0].Next == 0 {
		t.Fatalf("at the kill: jobs %+v (%v); want one half-done bulk job, or the test proves nothing", jobs, err)
	}
	st.Close()

	child, stderr = startServe(t, cfg, addr)
	waitFor(t, "the summary", stderr, func() bool { return messageWith(fake, "批量修改完成") })
	// The outbox may still send the last few: wait until the calls stop.
	last, since := -1, time.Now()
	waitFor(t, "WeCom to catch up", stderr, func() bool {
		n := len(markCalls(fake, tagID))
		if n != last {
			last, since = n, time.Now()
		}
		return n >= customers && time.Since(since) > 300*time.Millisecond
	})
	child.Process.Signal(syscall.SIGTERM)
	if err := child.Wait(); err != nil {
		t.Fatalf("serve exit: %v\n%s", err, stderr)
	}

	st, err = store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Verify(); err != nil {
		t.Fatal(err)
	}
	job, err := st.Job("bg-bulk-1")
	if err != nil {
		t.Fatal(err)
	}
	got := [6]int{job.Total, job.Next, job.Applied, job.Skipped + job.Matched, job.FailedN, btoi(job.State == store.JobDone)}
	if want := [6]int{customers, customers, customers, 0, 0, 1}; got != want {
		t.Fatalf("job [total next applied skipped failed done] = %v; want %v", got, want)
	}
	h, err := st.History(store.Query{Batch: job.ID, Limit: 10 * customers})
	if err != nil {
		t.Fatal(err)
	}
	perCustomer := map[string]int{}
	for _, cs := range h {
		perCustomer[cs.Customer]++
	}
	if len(h) != customers || len(perCustomer) != customers {
		t.Fatalf("%d change-sets for %d customers in the batch; want %d, one each", len(h), len(perCustomer), customers)
	}
	calls := map[string]int{}
	for _, c := range markCalls(fake, tagID) {
		calls[c]++
	}
	resent := 0
	for i := range customers {
		id := bulkCustomer(i)
		switch n := calls[id]; {
		case n == 0:
			t.Errorf("%s never marked on WeCom", id)
		case n > 1:
			resent += n - 1
		}
		if tags := fake.CustomerTags(id, "zhangsan"); !strings.Contains(strings.Join(tags, ","), tagID) {
			t.Errorf("%s has %v on WeCom; want %s", id, tags, tagID)
		}
	}
	if resent > 5 { // at most the calls in flight at the kill
		t.Errorf("%d mark_tag calls sent again; want only those in flight at the kill", resent)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func bulkCustomer(i int) string { return fmt.Sprintf("wmBulk%04d", i) }

// seedBulkCustomers adds n customers of zhangsan tagged 批量老客户 and
// returns the id of 批量双十一, the tag the test adds.
func seedBulkCustomers(t *testing.T, fake *wecomtest.Server, n int) string {
	t.Helper()
	g := fake.AddTagGroup("批量测试", "批量老客户", "批量双十一")
	for i := range n {
		fake.AddCustomer(wecomtest.Customer{ExternalUserID: bulkCustomer(i), Name: fmt.Sprintf("批量客户%d", i),
			Follows: []wecomtest.Follow{{UserID: "zhangsan", CreateTime: 1_760_000_000, TagIDs: []string{g.Tags[0].ID}}}})
	}
	return g.Tags[1].ID
}

// markCalls lists the customers of successful mark_tag calls adding tagID.
func markCalls(fake *wecomtest.Server, tagID string) []string {
	var out []string
	for _, c := range fake.CallsTo("externalcontact/mark_tag") {
		var body struct {
			ExternalUserID string   `json:"external_userid"`
			AddTag         []string `json:"add_tag"`
		}
		if c.Status != 200 || c.ErrCode != 0 || json.Unmarshal(c.Body, &body) != nil {
			continue
		}
		for _, id := range body.AddTag {
			if id == tagID {
				out = append(out, body.ExternalUserID)
			}
		}
	}
	return out
}

// messageWith reports whether an app message sent so far contains text.
func messageWith(fake *wecomtest.Server, text string) bool {
	for _, m := range fake.Messages() {
		if strings.Contains(m.Text, text) {
			return true
		}
	}
	return false
}

// waitFor polls cond for up to 60 s.
func waitFor(t *testing.T, what string, stderr fmt.Stringer, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s\n%s", what, stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
