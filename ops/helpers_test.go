package ops

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/tagbot/tagbot/internal/clocktest"
	"github.com/tagbot/tagbot/store"
)

// openSeeded opens a store in a temp dir with a small library, three
// customers (one with a remark holding a comma, a quote and a semicolon,
// one followed by nobody) and a few change-sets.
func openSeeded(t *testing.T) (*store.Store, *clocktest.Clock) {
	t.Helper()
	clk := clocktest.New(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))
	st, err := store.Open(filepath.Join(t.TempDir(), "tagbot.db"), store.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lib := store.Library{
		Groups: []store.Group{{ID: "g1", Name: "客户等级", Order: 2}, {ID: "g2", Name: "意向;程度", Order: 1}, {ID: "g3", Name: "空组"}},
		Tags: []store.Tag{
			{ID: "t1", GroupID: "g1", GroupName: "客户等级", Name: "VIP"},
			{ID: "t2", GroupID: "g1", GroupName: "客户等级", Name: "普通"},
			{ID: "t3", GroupID: "g2", GroupName: "意向;程度", Name: "高意向"},
		},
	}
	if _, err := st.PutLibrary(lib, "sync"); err != nil {
		t.Fatal(err)
	}
	must(t, st.UpsertCustomer(store.Customer{ID: "c1", Name: "王小明", CorpName: "小明科技"},
		[]store.FollowInfo{{Follower: "zhangsan", Remark: `王总, "老客户"; 北京`, Mobiles: []string{"13800000001", "13800000002"}}, {Follower: "lisi"}}))
	must(t, st.UpsertCustomer(store.Customer{ID: "c2", Name: "赵敏"}, []store.FollowInfo{{Follower: "zhangsan", State: "qr1"}}))
	must(t, st.UpsertCustomer(store.Customer{ID: "c3", Name: "无人跟进"}, nil))
	for _, cs := range []store.ChangeSet{
		{Actor: "zhangsan", Source: store.SourceCommand, Customer: "c1", Follower: "zhangsan", Add: []store.TagRef{{ID: "t1"}, {ID: "t3"}}},
		{Actor: "lisi", Source: store.SourceCommand, Customer: "c1", Follower: "lisi", Add: []store.TagRef{{ID: "t2"}}, Reason: "多行\n原因"},
		{Actor: "zhangsan", Source: store.SourceRule, Customer: "c2", Follower: "zhangsan", Add: []store.TagRef{{ID: "t3"}}},
		{Actor: "zhangsan", Source: store.SourceCommand, Customer: "c1", Follower: "zhangsan", Remove: []store.TagRef{{ID: "t1"}}},
	} {
		clk.Advance(time.Hour)
		if _, err := st.Apply(cs); err != nil {
			t.Fatal(err)
		}
	}
	return st, clk
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
