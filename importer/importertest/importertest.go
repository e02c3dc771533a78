// Package importertest builds the store the importer's and the upload
// page's tests run on, matching the fixture files in importer/testdata.
package importertest

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/tagbot/tagbot/store"
)

// Now is the store's clock in tests.
var Now = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// Library is 客户等级 {高意向 t1, 低意向 t2}, 客群 {化妆品客群 t3,
// 3C数码客群 t4, 北上广客户 t5}, 客户状态 {已流失 t6, 受保护 t7}.
func Library() store.Library {
	groups := []store.Group{{ID: "g1", Name: "客户等级"}, {ID: "g2", Name: "客群"}, {ID: "g3", Name: "客户状态"}}
	tags := []struct{ id, g, name string }{
		{"t1", "g1", "高意向"}, {"t2", "g1", "低意向"}, {"t3", "g2", "化妆品客群"}, {"t4", "g2", "3C数码客群"},
		{"t5", "g2", "北上广客户"}, {"t6", "g3", "已流失"}, {"t7", "g3", "受保护"},
	}
	lib := store.Library{Groups: groups}
	for i, t := range tags {
		g := groups[t.g[1]-'1']
		lib.Tags = append(lib.Tags, store.Tag{ID: t.id, GroupID: g.ID, GroupName: g.Name, Name: t.name, Order: 100 - i})
	}
	return lib
}

// Open opens a store on t.TempDir() at path clock now (Now when nil) and
// seeds it with Seed.
func Open(t testing.TB, now func() time.Time) *store.Store {
	t.Helper()
	if now == nil {
		now = func() time.Time { return Now }
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "tagbot.db"), store.Options{Sync: "never", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := Seed(st); err != nil {
		t.Fatal(err)
	}
	return st
}

// Seed writes Library and customers wm…01 … wm…10 (客户N, mobile
// 139000000NN, followed by zhangsan): 张三 (wm…01), 李四 (wm…02, also
// followed by lisi), 王五 (wm…03, with 已流失 on zhangsan's relationship).
func Seed(st *store.Store) error {
	if _, err := st.PutLibrary(Library(), "sync"); err != nil {
		return err
	}
	names := map[int]string{1: "张三", 2: "李四", 3: "王五"}
	for i := 1; i <= 10; i++ {
		name := names[i]
		if name == "" {
			name = fmt.Sprintf("客户%d", i)
		}
		follows := []store.FollowInfo{{Follower: "zhangsan", Mobiles: []string{fmt.Sprintf("139%08d", i)}}}
		fols := []string{"zhangsan"}
		if i == 2 {
			follows = append(follows, store.FollowInfo{Follower: "lisi"})
			fols = append(fols, "lisi")
		}
		if err := st.UpsertCustomer(store.Customer{ID: fmt.Sprintf("wm%016d", i), Name: name, Followers: fols}, follows); err != nil {
			return err
		}
	}
	_, err := st.Apply(store.ChangeSet{Actor: "sync", Source: store.SourceSync, Customer: fmt.Sprintf("wm%016d", 3), Follower: "zhangsan",
		Add: []store.TagRef{{ID: "t6"}}})
	return err
}
