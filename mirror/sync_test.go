package mirror

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom/errcode"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

var bigUsers = []string{"u1", "u2", "u3"}

// seedBig puts n customers on the fake, followed by the three bigUsers:
// customer i by bigUsers[i%3], and every fifth also by the next user. Tags
// vary with i; every eleventh relationship has none. It returns the ids of
// the eight tags in creation order.
func seedBig(tb testing.TB, e *env, n int) []string {
	tb.Helper()
	for i, u := range bigUsers {
		e.fake.AddUser(u, fmt.Sprintf("成员%d", i+1))
	}
	var tagIDs []string
	for _, g := range []wecomtest.GroupInfo{
		e.fake.AddTagGroup("客户等级", "VIP", "普通", "流失"),
		e.fake.AddTagGroup("意向程度", "高意向", "中意向", "低意向"),
		e.fake.AddTagGroup("来源", "展会", "转介绍"),
	} {
		for _, t := range g.Tags {
			tagIDs = append(tagIDs, t.ID)
			e.lib[t.Name] = t.ID
		}
	}
	for i := range n {
		c := wecomtest.Customer{ExternalUserID: fmt.Sprintf("wm%05d", i), Name: fmt.Sprintf("客户%d", i), CorpName: "某公司"}
		followers := []string{bigUsers[i%3]}
		if i%5 == 0 {
			followers = append(followers, bigUsers[(i+1)%3])
		}
		for j, u := range followers {
			f := wecomtest.Follow{UserID: u, Remark: fmt.Sprintf("备注%d", i), CreateTime: 1700000000 + int64(i)}
			if (i+j)%11 != 0 {
				f.TagIDs = []string{tagIDs[(i+j)%8]}
				if extra := tagIDs[(3*i+j+1)%8]; i%2 == 0 && extra != f.TagIDs[0] {
					f.TagIDs = append(f.TagIDs, extra)
				}
			}
			c.Follows = append(c.Follows, f)
		}
		e.fake.AddCustomer(c)
	}
	return tagIDs
}

// newestID is the id of the newest change-set in the ledger (0 if none).
func newestID(tb testing.TB, st *store.Store) store.ID {
	tb.Helper()
	h, err := st.History(store.Query{Limit: 1, IncludeDenied: true})
	must(tb, err)
	if len(h) == 0 {
		return 0
	}
	return h[0].ID
}

func TestFullSyncThousandCustomers(t *testing.T) {
	const n = 1000
	e := newEnv(t)
	tagIDs := seedBig(t, e, n)

	rep := e.fullSync(t)
	if pages := len(e.fake.CallsTo("externalcontact/batch/get_by_user")); pages < 12 {
		t.Errorf("batch/get_by_user pages = %d, want >= 12", pages)
	}
	wantRels, tagged := 0, 0
	for i := range n {
		id := fmt.Sprintf("wm%05d", i)
		rels, err := e.st.Relationships(id)
		must(t, err)
		followers := []string{bigUsers[i%3]}
		if i%5 == 0 {
			followers = append(followers, bigUsers[(i+1)%3])
		}
		if len(rels) != len(followers) {
			t.Fatalf("%s: %d relationships, want %d", id, len(rels), len(followers))
		}
		for _, r := range rels {
			if got, want := r.TagIDs(), e.fake.CustomerTags(id, r.Follower); !slices.Equal(got, want) && len(got)+len(want) > 0 {
				t.Fatalf("%s/%s: store %v, wecom %v", id, r.Follower, got, want)
			}
			if len(r.Tags) > 0 {
				tagged++
			}
			if r.Remark != fmt.Sprintf("备注%d", i) || r.CreateTime.Unix() != 1700000000+int64(i) {
				t.Fatalf("%s/%s: metadata %q %v", id, r.Follower, r.Remark, r.CreateTime)
			}
		}
		wantRels += len(followers)
	}
	want := SyncReport{Tags: 8, Groups: 3, Customers: n, Relationships: wantRels, ChangeSets: tagged}
	if rep.Duration = 0; rep != want {
		t.Errorf("report = %+v, want %+v", rep, want)
	}
	cnt, err := e.st.CustomerCount()
	must(t, err)
	if cnt != n {
		t.Errorf("customers = %d", cnt)
	}
	// History starts with the sync that found the tags.
	h, err := e.st.History(store.Query{Customer: "wm00001"})
	must(t, err)
	wantH := []csView{{Source: store.SourceSync, Actor: "sync", Customer: "wm00001", Follower: h[0].Follower,
		Add: refIDs(h[0].Add), Remove: []string{}, BatchKind: "sync-"}}
	if diff := cmp.Diff(wantH, viewCSs(h)); diff != "" {
		t.Fatalf("history of wm00001 (-want +got):\n%s", diff)
	}
	firstBatch := h[0].Batch
	at, err := e.st.SyncedAt()
	must(t, err)
	if !at.Equal(e.clk.Now()) {
		t.Errorf("synced at %v", at)
	}
	p, err := e.st.PendingOutbox(0)
	must(t, err)
	if len(p) != 0 {
		t.Errorf("sync queued %d WeCom calls", len(p))
	}

	// Nothing changed: nothing written.
	before := newestID(t, e.st)
	e.clk.Advance(time.Hour)
	rep = e.fullSync(t)
	if rep.ChangeSets != 0 || rep.DeletedTags != 0 {
		t.Errorf("unchanged sync reported %d change-sets and %d deleted tags, want 0 and 0", rep.ChangeSets, rep.DeletedTags)
	}
	if newest := newestID(t, e.st); newest != before {
		t.Errorf("unchanged sync wrote: newest change-set %d -> %d", before, newest)
	}

	// A member removed a tag in the WeCom client.
	old := e.fake.CustomerTags("wm00002", "u3")
	e.fake.SetCustomerTags("wm00002", "u3", old[1:])
	e.clk.Advance(time.Hour)
	if rep := e.fullSync(t); rep.ChangeSets != 1 {
		t.Errorf("sync after a WeCom edit wrote %d change-sets, want 1", rep.ChangeSets)
	}
	h, err = e.st.History(store.Query{Customer: "wm00002", Limit: 1})
	must(t, err)
	wantEdit := csView{Source: store.SourceSync, Actor: "sync", Customer: "wm00002", Follower: "u3",
		Add: []string{}, Remove: []string{old[0]}, BatchKind: "sync-"}
	if diff := cmp.Diff(wantEdit, viewCS(h[0])); diff != "" {
		t.Errorf("edit recorded (-want +got):\n%s", diff)
	}
	if h[0].Batch == firstBatch {
		t.Errorf("edit recorded in the first sync's batch %s", firstBatch)
	}

	// An admin deleted a tag in the console.
	gone := tagIDs[0]
	had := 0
	for i := range n {
		for _, u := range bigUsers {
			if slices.Contains(e.fake.CustomerTags(fmt.Sprintf("wm%05d", i), u), gone) {
				had++
			}
		}
	}
	e.fake.DeleteTag(gone)
	e.clk.Advance(time.Hour)
	rep = e.fullSync(t)
	if got, want := [3]int{rep.DeletedTags, rep.ChangeSets, rep.Tags}, [3]int{1, 0, 7}; got != want {
		t.Errorf("sync after a console delete: deleted tags, change-sets, tags = %v, want %v", got, want)
	}
	tag, err := e.st.Tag(gone)
	must(t, err)
	if !tag.Deleted || tag.Name != "VIP" {
		t.Errorf("deleted tag = %+v", tag)
	}
	removed, err := e.st.History(store.Query{Batch: "tagdel-" + gone, Limit: 10 * n})
	must(t, err)
	if len(removed) != had || had == 0 {
		t.Errorf("removal batch has %d change-sets, %d relationships had the tag", len(removed), had)
	}
	left, err := e.st.CustomersWithTags([]string{gone}, "", 0)
	must(t, err)
	if len(left) != 0 {
		t.Errorf("%d relationships still have the deleted tag", len(left))
	}
	must(t, e.st.Verify())
}

func TestFullSyncEndsRelationships(t *testing.T) {
	e := newEnv(t)
	e.seedSmall(t)
	e.fake.SetCustomerTags("c1", "lisi", []string{e.lib["VIP"]})
	e.fullSync(t)

	// lisi deleted c1 without tagbot hearing of it.
	e.fake.AddCustomer(wecomtest.Customer{ExternalUserID: "c1", Name: "王小明", Follows: []wecomtest.Follow{{UserID: "zhangsan"}}})
	e.clk.Advance(time.Hour)
	rep := e.fullSync(t)
	if rep.ChangeSets != 1 || rep.Relationships != 2 {
		t.Errorf("report = %+v", rep)
	}
	c, err := e.st.Customer("c1")
	must(t, err)
	if !slices.Equal(c.Followers, []string{"zhangsan"}) {
		t.Errorf("followers = %v", c.Followers)
	}
	if _, err := e.st.Relationship("c1", "lisi"); err == nil {
		t.Error("ended relationship still stored")
	}
	h, err := e.st.History(store.Query{Customer: "c1", Limit: 1})
	must(t, err)
	if got := viewCS(h[0]); got.Follower != "lisi" || got.Source != store.SourceSync || len(got.Remove) != 1 {
		t.Errorf("ending recorded as %+v, want lisi's sync change-set removing one tag", got)
	}
	must(t, e.st.Verify())
}

func TestFullSyncFailsWithoutWritingCustomers(t *testing.T) {
	e := newEnv(t)
	e.seedSmall(t)
	e.fake.Fault("externalcontact/batch/get_by_user", wecomtest.Fault{ErrCode: errcode.InvalidParam, Times: 1})
	if _, err := e.syncer().FullSync(context.Background()); err == nil || !strings.Contains(err.Error(), "40058") {
		t.Fatalf("FullSync = %v, want the batch error", err)
	}
	n, err := e.st.CustomerCount()
	must(t, err)
	if n != 0 {
		t.Errorf("%d customers written by a failed sync", n)
	}
	at, err := e.st.SyncedAt()
	must(t, err)
	if !at.IsZero() {
		t.Errorf("synced at set by a failed sync")
	}
	e.fullSync(t)
	n, err = e.st.CustomerCount()
	must(t, err)
	if n != 2 {
		t.Errorf("customers after retry = %d", n)
	}
}
