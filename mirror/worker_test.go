package mirror

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom/errcode"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

const markTagPath = "externalcontact/mark_tag"

// markBody is a decoded mark_tag request.
type markBody struct {
	UserID         string   `json:"userid"`
	ExternalUserID string   `json:"external_userid"`
	AddTag         []string `json:"add_tag"`
	RemoveTag      []string `json:"remove_tag"`
}

func bodies(tb testing.TB, calls []wecomtest.Call) []markBody {
	tb.Helper()
	out := make([]markBody, len(calls))
	for i, c := range calls {
		if err := json.Unmarshal(c.Body, &out[i]); err != nil {
			tb.Fatal(err)
		}
	}
	return out
}

func outbox(tb testing.TB, st *store.Store, id store.ID) store.OutboxEntry {
	tb.Helper()
	e, err := st.Outbox(id)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func TestWorkerRetriesTransientErrors(t *testing.T) {
	cases := []struct {
		name   string
		faults []wecomtest.Fault
	}{
		{"45009 twice", []wecomtest.Fault{{ErrCode: errcode.RateLimited, Times: 2}}},
		{"system busy", []wecomtest.Fault{{ErrCode: errcode.SystemBusy, Times: 1}}},
		{"http 502 then 503", []wecomtest.Fault{{HTTPStatus: 502, Times: 1}, {HTTPStatus: 503, Times: 1}}},
		{"dropped connection", []wecomtest.Fault{{Drop: true, Times: 1}}},
		{"drop then 45009", []wecomtest.Fault{{Drop: true, Times: 1}, {ErrCode: errcode.RateLimited, Times: 1}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.seedSmall(t)
			e.fullSync(t)
			cs := e.apply(t, "zhangsan", "c1", "zhangsan", []string{"VIP"}, nil)
			failures := 0
			for _, f := range tc.faults {
				e.fake.Fault(markTagPath, f)
				failures += f.Times
			}
			var n notes
			w := e.worker(WorkerOptions{Notify: n.notify})
			must(t, w.Drain(context.Background()))

			if ok := okMarkTags(e.fake); len(ok) != 1 {
				t.Fatalf("successful mark_tag calls = %d, want exactly 1", len(ok))
			}
			if got := len(e.fake.CallsTo(markTagPath)); got != failures+1 {
				t.Errorf("mark_tag calls = %d, want %d", got, failures+1)
			}
			ob := outbox(t, e.st, cs.Outbox)
			if ob.Status != store.OutboxStatusDone || ob.Attempts != failures+1 {
				t.Errorf("entry = %s after %d attempts, want done after %d", ob.Status, ob.Attempts, failures+1)
			}
			if got := e.fake.CustomerTags("c1", "zhangsan"); !slices.Equal(got, []string{e.lib["VIP"]}) {
				t.Errorf("wecom tags = %v", got)
			}
			if told := e.told(t, &n); len(told) != 0 {
				t.Errorf("notified on success: %v", told)
			}
			must(t, e.st.Verify())
		})
	}
}

func TestWorkerPermanentFailure(t *testing.T) {
	cases := []struct {
		name      string
		actor     string
		wantNotes int
	}{
		{"employee is told", "zhangsan", 1},
		{"system is not", "system", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.seedSmall(t)
			e.fullSync(t)
			// The customer deleted zhangsan on WeCom; the store does not know yet.
			e.fake.AddCustomer(wecomtest.Customer{ExternalUserID: "c1", Name: "王小明", Follows: []wecomtest.Follow{{UserID: "lisi"}}})
			cs := e.apply(t, tc.actor, "c1", "zhangsan", []string{"VIP", "高意向"}, nil)
			var n notes
			w := e.worker(WorkerOptions{Notify: n.notify})
			must(t, w.Drain(context.Background()))

			ob := outbox(t, e.st, cs.Outbox)
			want := obView{Status: store.OutboxStatusFailed, ErrCode: errcode.NoRelation, Attempts: 1, Compensated: true}
			if diff := cmp.Diff(want, viewOB(ob)); diff != "" {
				t.Fatalf("entry (-want +got):\n%s", diff)
			}
			comp, err := e.st.Get(ob.Compensated)
			must(t, err)
			type compView struct {
				Source  store.Source
				Reverts store.ID
				Removed int
			}
			if diff := cmp.Diff(compView{store.SourceSync, cs.ID, 2}, compView{comp.Source, comp.Reverts, len(comp.Remove)}); diff != "" {
				t.Errorf("compensation (-want +got):\n%s", diff)
			}
			rel, err := e.st.Relationship("c1", "zhangsan")
			must(t, err)
			if len(rel.Tags) != 0 {
				t.Errorf("tags after compensation = %v", rel.TagIDs())
			}
			got := e.told(t, &n)
			if len(got) != tc.wantNotes {
				t.Fatalf("notes = %v, want %d", got, tc.wantNotes)
			}
			if tc.wantNotes == 1 {
				if got[0][0] != tc.actor {
					t.Errorf("notified %q, want %q", got[0][0], tc.actor)
				}
				for _, want := range []string{"#" + cs.ID.String(), "王小明", "不是你的客户", "VIP"} {
					if !strings.Contains(got[0][1], want) {
						t.Errorf("note %q lacks %q", got[0][1], want)
					}
				}
			}
			must(t, e.st.Verify())
		})
	}
}

func TestWorkerOrdersEntriesOfARelationship(t *testing.T) {
	e := newEnv(t)
	e.seedSmall(t)
	e.fullSync(t)
	e1 := e.apply(t, "zhangsan", "c1", "zhangsan", []string{"VIP"}, nil)
	e2 := e.apply(t, "zhangsan", "c1", "zhangsan", []string{"普通"}, []string{"VIP"})
	e3 := e.apply(t, "zhangsan", "c2", "zhangsan", []string{"高意向"}, nil)
	e4 := e.apply(t, "lisi", "c1", "lisi", []string{"低意向"}, nil)
	e.fake.Fault(markTagPath, wecomtest.Fault{ErrCode: errcode.RateLimited, Times: 1})
	w := e.worker(WorkerOptions{Backoff: func(int) time.Duration { return time.Minute }})
	must(t, w.Drain(context.Background()))

	want := map[store.ID]struct {
		status   store.OutboxStatus
		attempts int
	}{
		e1.Outbox: {store.OutboxStatusPending, 1}, // waiting for its retry
		e2.Outbox: {store.OutboxStatusPending, 0}, // waits behind e1
		e3.Outbox: {store.OutboxStatusDone, 1},    // other relationships proceed
		e4.Outbox: {store.OutboxStatusDone, 1},
	}
	for id, w := range want {
		if ob := outbox(t, e.st, id); ob.Status != w.status || ob.Attempts != w.attempts {
			t.Errorf("entry %d = %s/%d, want %s/%d", id, ob.Status, ob.Attempts, w.status, w.attempts)
		}
	}
	e.clk.Advance(time.Minute)
	must(t, w.Drain(context.Background()))
	for _, id := range []store.ID{e1.Outbox, e2.Outbox} {
		if ob := outbox(t, e.st, id); ob.Status != store.OutboxStatusDone {
			t.Errorf("entry %d = %s after the retry", id, ob.Status)
		}
	}
	var c1z []markBody
	for _, b := range bodies(t, okMarkTags(e.fake)) {
		if b.ExternalUserID == "c1" && b.UserID == "zhangsan" {
			c1z = append(c1z, b)
		}
	}
	if len(c1z) != 2 || !slices.Equal(c1z[0].AddTag, []string{e.lib["VIP"]}) || !slices.Equal(c1z[1].RemoveTag, []string{e.lib["VIP"]}) {
		t.Errorf("c1/zhangsan calls = %+v, want add VIP then remove VIP", c1z)
	}
	if got := e.fake.CustomerTags("c1", "zhangsan"); !slices.Equal(got, []string{e.lib["普通"]}) {
		t.Errorf("wecom tags = %v", got)
	}
	must(t, e.st.Verify())
}

// toggles queues n change-sets over three relationships, each toggling VIP
// and 高意向 in turn, and returns the relationships touched.
func toggles(tb testing.TB, e *env, n int) [][2]string {
	tb.Helper()
	rels := [][2]string{{"c1", "zhangsan"}, {"c1", "lisi"}, {"c2", "zhangsan"}}
	for i := range n {
		r := rels[i%len(rels)]
		tag := []string{"VIP", "高意向"}[(i/len(rels))%2]
		rel, err := e.st.Relationship(r[0], r[1])
		must(tb, err)
		if _, has := rel.Tags[e.lib[tag]]; has {
			e.apply(tb, r[1], r[0], r[1], nil, []string{tag})
		} else {
			e.apply(tb, r[1], r[0], r[1], []string{tag}, nil)
		}
	}
	return rels
}

// assertMirrored checks that WeCom holds exactly the store's tags.
func assertMirrored(tb testing.TB, e *env, rels [][2]string) {
	tb.Helper()
	for _, r := range rels {
		rel, err := e.st.Relationship(r[0], r[1])
		must(tb, err)
		if got, want := e.fake.CustomerTags(r[0], r[1]), rel.TagIDs(); !slices.Equal(got, want) && (len(got)+len(want) > 0) {
			tb.Errorf("%s/%s: wecom %v, store %v", r[0], r[1], got, want)
		}
	}
	pending, err := e.st.PendingOutbox(0)
	must(tb, err)
	if len(pending) != 0 {
		tb.Errorf("%d entries still pending", len(pending))
	}
}

func TestWorkerParallelKeepsOrderAndState(t *testing.T) {
	e := newEnv(t)
	e.seedSmall(t)
	e.fullSync(t)
	rels := toggles(t, e, 60)
	w := e.worker(WorkerOptions{Parallel: 3})
	must(t, w.Drain(context.Background()))
	if got := len(okMarkTags(e.fake)); got != 60 {
		t.Errorf("successful calls = %d, want 60", got)
	}
	assertMirrored(t, e, rels)
	must(t, e.st.Verify())
}
