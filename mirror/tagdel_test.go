package mirror

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom/errcode"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// A tag deleted in the console while a call is queued is dropped from the
// call; the rest of the call still goes through, and nothing is compensated.
func TestWorkerDropsTagsDeletedInConsole(t *testing.T) {
	cases := []struct {
		name        string
		onWeCom     []string // c1/zhangsan's tags before the first sync
		add, remove []string
		deleted     string
		refreshed   bool     // the library learnt of the deletion before the worker ran
		wantCalls   int      // mark_tag calls
		wantTags    []string // c1/zhangsan's tags afterwards, on WeCom and in the ledger
	}{
		{name: "added with a live tag", add: []string{"VIP", "高意向"}, deleted: "高意向", wantCalls: 2, wantTags: []string{"VIP"}},
		{name: "only the deleted tag", add: []string{"高意向"}, deleted: "高意向", wantCalls: 1},
		{
			name: "removed while another is added", onWeCom: []string{"高意向", "普通"},
			add: []string{"VIP"}, remove: []string{"高意向", "普通"}, deleted: "高意向", wantCalls: 2, wantTags: []string{"VIP"},
		},
		{name: "library already knows", add: []string{"VIP", "高意向"}, deleted: "高意向", refreshed: true, wantCalls: 1, wantTags: []string{"VIP"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.seedSmall(t)
			e.fake.SetCustomerTags("c1", "zhangsan", sortedIDs(e, tc.onWeCom))
			e.fullSync(t)
			ctx := context.Background()
			cs := e.apply(t, "zhangsan", "c1", "zhangsan", tc.add, tc.remove)
			e.fake.DeleteTag(e.lib[tc.deleted])
			if tc.refreshed {
				_, err := e.syncer().RefreshLibrary(ctx)
				must(t, err)
			}
			var n notes
			must(t, e.worker(WorkerOptions{Notify: n.notify}).Drain(ctx))

			ob := outbox(t, e.st, cs.Outbox)
			if ob.Status != store.OutboxStatusDone || ob.Compensated != 0 {
				t.Fatalf("entry = %+v, want done without compensation", ob)
			}
			if got := len(e.fake.CallsTo(markTagPath)); got != tc.wantCalls {
				t.Errorf("mark_tag calls = %d, want %d", got, tc.wantCalls)
			}
			want := sortedIDs(e, tc.wantTags)
			if got := e.fake.CustomerTags("c1", "zhangsan"); !slices.Equal(got, want) && len(got)+len(want) > 0 {
				t.Errorf("WeCom tags = %v, want %v", got, want)
			}
			if got := relTagIDs(t, e, "c1", "zhangsan"); !slices.Equal(got, want) && len(got)+len(want) > 0 {
				t.Errorf("ledger tags = %v, want %v", got, want)
			}
			if tg, err := e.st.Tag(e.lib[tc.deleted]); err != nil || !tg.Deleted {
				t.Errorf("deleted tag stored as %+v, %v", tg, err)
			}
			later, err := e.st.History(store.Query{Tag: e.lib[tc.deleted], Limit: 100})
			must(t, err)
			for _, h := range later {
				if h.ID > cs.ID && len(h.Add) > 0 {
					t.Errorf("deleted tag put back by %+v", h)
				}
			}
			if told := e.told(t, &n); len(told) != 0 {
				t.Errorf("notes = %v", told)
			}
			must(t, e.st.Verify())
		})
	}
}

// 40068 when no tag of the call was deleted is a refusal like any other.
func TestWorker40068WithoutDeletedTagIsARefusal(t *testing.T) {
	e := newEnv(t)
	e.seedSmall(t)
	e.fullSync(t)
	cs := e.apply(t, "zhangsan", "c1", "zhangsan", []string{"VIP"}, nil)
	e.fake.Fault(markTagPath, wecomtest.Fault{ErrCode: errcode.InvalidTagID, Times: 1})
	var n notes
	must(t, e.worker(WorkerOptions{Notify: n.notify}).Drain(context.Background()))
	ob := outbox(t, e.st, cs.Outbox)
	want := obView{Status: store.OutboxStatusFailed, ErrCode: errcode.InvalidTagID, Attempts: ob.Attempts, Compensated: true}
	if diff := cmp.Diff(want, viewOB(ob)); diff != "" {
		t.Fatalf("entry (-want +got):\n%s", diff)
	}
	if got := len(e.fake.CallsTo("externalcontact/get_corp_tag_list")); got < 2 {
		t.Errorf("get_corp_tag_list calls = %d: the library was not refreshed after 40068", got)
	}
	if got := e.told(t, &n); len(got) != 1 || !strings.Contains(got[0][1], "标签已在企业微信中被删除") {
		t.Errorf("notes = %v", got)
	}
	must(t, e.st.Verify())
}

// A refused call that removed a tag since deleted in the console does not
// put that tag back.
func TestWorkerRefusalDoesNotRestoreDeletedTag(t *testing.T) {
	e := newEnv(t)
	e.seedSmall(t)
	e.fake.SetCustomerTags("c1", "zhangsan", []string{e.lib["高意向"], e.lib["普通"]})
	e.fullSync(t)
	cs := e.apply(t, "zhangsan", "c1", "zhangsan", nil, []string{"高意向", "普通"})
	e.fake.DeleteTag(e.lib["高意向"])
	// The customer deleted zhangsan meanwhile: WeCom answers 84061.
	e.fake.AddCustomer(wecomtest.Customer{ExternalUserID: "c1", Name: "王小明", Follows: []wecomtest.Follow{{UserID: "lisi"}}})
	must(t, e.worker(WorkerOptions{}).Drain(context.Background()))
	ob := outbox(t, e.st, cs.Outbox)
	want := obView{Status: store.OutboxStatusFailed, ErrCode: errcode.NoRelation, Attempts: ob.Attempts, Compensated: true}
	if diff := cmp.Diff(want, viewOB(ob)); diff != "" {
		t.Fatalf("entry (-want +got):\n%s", diff)
	}
	comp, err := e.st.Get(ob.Compensated)
	must(t, err)
	if got := refIDs(comp.Add); !slices.Equal(got, []string{e.lib["普通"]}) {
		t.Errorf("compensation puts back %v, want only the live 普通", got)
	}
	must(t, e.st.Verify())
}
