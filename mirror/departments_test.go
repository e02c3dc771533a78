package mirror

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/store"
)

// TestFullSyncReadsDepartments checks that the full sync records the
// departments user/get reports, for follow users and the extra members,
// only when asked to.
func TestFullSyncReadsDepartments(t *testing.T) {
	tests := []struct {
		name string
		read bool
		want map[string][]int
	}{
		{"off", false, map[string][]int{"zhangsan": nil, "lisi": nil, "fin": nil}},
		{"on", true, map[string][]int{"zhangsan": {3}, "lisi": {1}, "fin": {7, 9}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.seedSmall(t)
			e.fake.SetDepartments("zhangsan", 3)
			e.fake.SetDepartments("fin", 9, 7)
			sy := NewSyncer(e.st, e.api, SyncOptions{Now: e.clk.Now, Logger: e.log, ReadDepartments: tc.read, Departments: []string{"fin"}})
			if _, err := sy.FullSync(context.Background()); err != nil {
				t.Fatal(err)
			}
			got := map[string][]int{}
			for u := range tc.want {
				ids, err := e.st.Departments(u)
				if err != nil {
					t.Fatal(err)
				}
				got[u] = ids
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("departments = %v, want %v", got, tc.want)
			}
			if calls := len(e.fake.CallsTo("user/get")); !tc.read && calls != 0 {
				t.Errorf("user/get called %d times with departments off", calls)
			}
		})
	}
}

// TestCreateTagChecksLimits checks that a name WeCom would refuse never
// reaches add_corp_tag.
func TestCreateTagChecksLimits(t *testing.T) {
	e := newEnv(t)
	e.seedSmall(t)
	e.fullSync(t)
	_, err := e.syncer().CreateTag(context.Background(), "客户等级", strings.Repeat("长", 31))
	var le *store.TagLimitError
	if !errors.As(err, &le) {
		t.Fatalf("CreateTag = %v, want a TagLimitError", err)
	}
	if n := len(e.fake.CallsTo("externalcontact/add_corp_tag")); n != 0 {
		t.Errorf("add_corp_tag called %d times", n)
	}
}

// TestReadDepartmentsAtStart checks ReadDepartments outside a full sync:
// the members the ledger knows and the configured ones.
func TestReadDepartmentsAtStart(t *testing.T) {
	e := newEnv(t)
	e.seedSmall(t)
	e.fullSync(t) // departments off
	e.fake.SetDepartments("zhangsan", 5)
	e.fake.SetDepartments("fin", 7)
	if _, err := e.st.Apply(store.ChangeSet{Actor: "zhangsan", Source: store.SourceCommand, Customer: "c1", Follower: "zhangsan",
		Add: []store.TagRef{{ID: e.lib["VIP"]}}}); err != nil {
		t.Fatal(err)
	}
	sy := NewSyncer(e.st, e.api, SyncOptions{Now: e.clk.Now, Logger: e.log, ReadDepartments: true, Departments: []string{"fin"}})
	if err := sy.ReadDepartments(context.Background()); err != nil {
		t.Fatal(err)
	}
	for u, want := range map[string][]int{"zhangsan": {5}, "fin": {7}} {
		if got, _ := e.st.Departments(u); !reflect.DeepEqual(got, want) {
			t.Errorf("%s departments = %v, want %v", u, got, want)
		}
	}
}

// TestFullSyncReadsNames: with ReadNames the full sync records members'
// names from user/get (a rename too); at start only members without a
// name are read.
func TestFullSyncReadsNames(t *testing.T) {
	e := newEnv(t)
	e.seedSmall(t)
	e.fake.AddUser("zhangsan", "张三")
	e.fake.AddUser("lisi", "李四")
	sy := NewSyncer(e.st, e.api, SyncOptions{Now: e.clk.Now, Logger: e.log, ReadNames: true})
	if _, err := sy.FullSync(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.fake.AddUser("lisi", "李思")
	calls := len(e.fake.CallsTo("user/get"))
	if err := sy.ReadDepartments(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(e.fake.CallsTo("user/get")) - calls; n != 0 {
		t.Errorf("user/get called %d times at start for members with names, want 0", n)
	}
	if _, err := sy.FullSync(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, u := range []string{"zhangsan", "lisi"} {
		got[u], _ = e.st.MemberName(u)
	}
	if want := map[string]string{"zhangsan": "张三", "lisi": "李思"}; !reflect.DeepEqual(got, want) {
		t.Errorf("names = %v, want %v", got, want)
	}
	if ids := e.st.MembersNamed("李四"); len(ids) != 0 {
		t.Errorf("MembersNamed(李四) = %v after the rename, want none", ids)
	}
}
