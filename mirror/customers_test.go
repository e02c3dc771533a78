package mirror

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
	"github.com/tagbot/tagbot/wecom/errcode"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// wantCS describes an expected change-set.
type wantCS struct {
	source      store.Source
	actor       string
	follower    string
	add, remove []string // tag names
}

func refIDs(refs []store.TagRef) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.ID
	}
	slices.Sort(out)
	return out
}

func TestRefreshCustomer(t *testing.T) {
	cases := []struct {
		name                 string
		before               func(e *env) // changes on WeCom after the first sync
		customer, follower   string
		changeType           string
		want                 []wantCS
		wantCalls            int // externalcontact/get calls
		wantFollowers        []string
		wantErrCode          int
		wantNoCustomerStored bool
	}{
		{
			name: "edit by the follower, drift on another relationship",
			before: func(e *env) {
				e.fake.SetCustomerTags("c1", "zhangsan", []string{e.lib["VIP"]})
				e.fake.SetCustomerTags("c1", "lisi", []string{e.lib["低意向"]})
			},
			customer: "c1", follower: "zhangsan", changeType: ChangeEditContact,
			want: []wantCS{
				{source: store.SourceWeComUI, actor: "zhangsan", follower: "zhangsan", add: []string{"VIP"}},
				{source: store.SourceSync, actor: "sync", follower: "lisi", add: []string{"低意向"}, remove: []string{"普通"}},
			},
			wantCalls: 1, wantFollowers: []string{"lisi", "zhangsan"},
		},
		{
			name: "new customer added with tags",
			before: func(e *env) {
				e.fake.AddCustomer(wecomtest.Customer{ExternalUserID: "c3", Name: "新客户", Follows: []wecomtest.Follow{
					{UserID: "lisi", TagIDs: []string{e.lib["高意向"], e.lib["普通"]}},
				}})
			},
			customer: "c3", follower: "lisi", changeType: ChangeAddContact,
			want:      []wantCS{{source: store.SourceWeComUI, actor: "lisi", follower: "lisi", add: []string{"高意向", "普通"}}},
			wantCalls: 1, wantFollowers: []string{"lisi"},
		},
		{
			name: "half-added customer without tags",
			before: func(e *env) {
				e.fake.AddCustomer(wecomtest.Customer{ExternalUserID: "c4", Name: "半添加", Follows: []wecomtest.Follow{{UserID: "zhangsan"}}})
			},
			customer: "c4", follower: "zhangsan", changeType: ChangeAddHalfContact,
			wantCalls: 1, wantFollowers: []string{"zhangsan"},
		},
		{
			name: "tag created in the console moments ago",
			before: func(e *env) {
				g := e.fake.AddTagGroup("活动", "双十一")
				e.lib["双十一"] = g.Tags[0].ID
				e.fake.SetCustomerTags("c2", "zhangsan", []string{g.Tags[0].ID})
			},
			customer: "c2", follower: "zhangsan", changeType: ChangeEditContact,
			want:      []wantCS{{source: store.SourceWeComUI, actor: "zhangsan", follower: "zhangsan", add: []string{"双十一"}}},
			wantCalls: 1, wantFollowers: []string{"zhangsan"},
		},
		{
			name: "member deleted the customer",
			before: func(e *env) {
				e.fake.AddCustomer(wecomtest.Customer{ExternalUserID: "c1", Name: "王小明", Follows: []wecomtest.Follow{{UserID: "zhangsan"}}})
			},
			customer: "c1", follower: "lisi", changeType: ChangeDelContact,
			want:          []wantCS{{source: store.SourceWeComUI, actor: "lisi", follower: "lisi", remove: []string{"普通"}}},
			wantFollowers: []string{"zhangsan"},
		},
		{
			name:     "customer deleted the member",
			customer: "c2", follower: "zhangsan", changeType: ChangeDelFollowUser,
			wantFollowers: []string{},
		},
		{name: "delete of an unknown customer", customer: "nobody", follower: "zhangsan", changeType: ChangeDelContact, wantNoCustomerStored: true},
		{name: "unknown change type", customer: "c1", follower: "zhangsan", changeType: "transfer_fail", wantFollowers: []string{"lisi", "zhangsan"}},
		{
			name:     "customer unknown to WeCom",
			customer: "ghost", follower: "zhangsan", changeType: ChangeEditContact,
			wantCalls: 1, wantErrCode: errcode.InvalidExternalID, wantNoCustomerStored: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.seedSmall(t)
			e.fake.SetCustomerTags("c1", "lisi", []string{e.lib["普通"]})
			e.fullSync(t)
			if tc.before != nil {
				tc.before(e)
			}
			before := len(e.fake.CallsTo("externalcontact/get"))
			got, err := e.syncer().RefreshCustomer(context.Background(), tc.customer, tc.follower, tc.changeType)
			if tc.wantErrCode != 0 {
				if wecom.Code(err) != tc.wantErrCode {
					t.Fatalf("err = %v, want errcode %d", err, tc.wantErrCode)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if calls := len(e.fake.CallsTo("externalcontact/get")) - before; calls != tc.wantCalls {
				t.Errorf("externalcontact/get calls = %d, want %d", calls, tc.wantCalls)
			}
			want := make([]csView, len(tc.want))
			for i, w := range tc.want {
				want[i] = csView{Source: w.source, Actor: w.actor, Customer: tc.customer, Follower: w.follower,
					Add: sortedIDs(e, w.add), Remove: sortedIDs(e, w.remove)}
			}
			views := viewCSs(got)
			for i := range views {
				views[i].BatchKind = "" // not what this test is about
			}
			if diff := cmp.Diff(want, views); diff != "" {
				t.Errorf("change-sets (-want +got):\n%s", diff)
			}
			c, err := e.st.Customer(tc.customer)
			if tc.wantNoCustomerStored {
				if err == nil {
					t.Errorf("customer %s stored", tc.customer)
				}
			} else {
				must(t, err)
				if !slices.Equal(c.Followers, tc.wantFollowers) && len(c.Followers)+len(tc.wantFollowers) > 0 {
					t.Errorf("followers = %v, want %v", c.Followers, tc.wantFollowers)
				}
				for _, f := range c.Followers {
					if got, want := relTagIDs(t, e, tc.customer, f), e.fake.CustomerTags(tc.customer, f); !slices.Equal(got, want) && len(got)+len(want) > 0 {
						t.Errorf("%s: store %v, wecom %v", f, got, want)
					}
				}
			}
			p, err := e.st.PendingOutbox(0)
			must(t, err)
			if len(p) != 0 {
				t.Errorf("refresh queued %d WeCom calls", len(p))
			}
			must(t, e.st.Verify())
		})
	}
}

func sortedIDs(e *env, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = e.lib[n]
	}
	slices.Sort(out)
	return out
}

func relTagIDs(tb testing.TB, e *env, customer, follower string) []string {
	tb.Helper()
	r, err := e.st.Relationship(customer, follower)
	must(tb, err)
	return r.TagIDs()
}
