package mirror

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

func TestRefreshLibrary(t *testing.T) {
	e := newEnv(t)
	e.seedSmall(t)
	e.fake.SetCustomerTags("c1", "zhangsan", []string{e.lib["VIP"], e.lib["高意向"]})
	e.fake.SetCustomerTags("c2", "zhangsan", []string{e.lib["VIP"]})
	e.fullSync(t)
	s := e.syncer()

	if deleted, err := s.RefreshLibrary(context.Background()); err != nil || len(deleted) != 0 {
		t.Fatalf("unchanged refresh = %v, %v", deleted, err)
	}
	g := e.fake.AddTagGroup("客户等级", "钻石")
	e.fake.DeleteTag(e.lib["VIP"])
	deleted, err := s.RefreshLibrary(context.Background())
	must(t, err)
	type delView struct {
		ID      string
		Deleted bool
	}
	var gotDel []delView
	for _, d := range deleted {
		gotDel = append(gotDel, delView{d.ID, d.Deleted})
	}
	if diff := cmp.Diff([]delView{{e.lib["VIP"], true}}, gotDel); diff != "" {
		t.Fatalf("deleted tags (-want +got):\n%s", diff)
	}
	removed, err := e.st.History(store.Query{Batch: "tagdel-" + e.lib["VIP"]})
	must(t, err)
	if len(removed) != 2 {
		t.Errorf("removal batch = %d change-sets, want 2", len(removed))
	}
	added, err := e.st.Tag(g.Tags[0].ID)
	must(t, err)
	want := store.Tag{ID: g.Tags[0].ID, GroupID: g.ID, GroupName: "客户等级", Name: "钻石", Order: added.Order, CreatedAt: added.CreatedAt}
	if diff := cmp.Diff(want, added); diff != "" {
		t.Errorf("new tag stored (-want +got):\n%s", diff)
	}
	if added.CreatedAt.IsZero() {
		t.Error("new tag stored without its create time")
	}
	if got := relTagIDs(t, e, "c1", "zhangsan"); !slices.Equal(got, []string{e.lib["高意向"]}) {
		t.Errorf("c1 tags = %v", got)
	}
	must(t, e.st.Verify())
}

func TestCreateTag(t *testing.T) {
	cases := []struct {
		name         string
		before       func(e *env)
		group, tag   string
		wantNewGroup bool
		wantCalls    int // add_corp_tag calls
	}{
		{name: "new tag in a known group", group: "客户等级", tag: "钻石", wantCalls: 1},
		{name: "new group", group: "活动", tag: "双十一", wantNewGroup: true, wantCalls: 1},
		{name: "tag already live", group: "客户等级", tag: "VIP", wantCalls: 0},
		{
			name:   "stored group deleted in the console",
			before: func(e *env) { e.fake.DeleteTag(e.fake.TagGroups()[1].ID) },
			group:  "意向程度", tag: "中意向", wantNewGroup: true, wantCalls: 2,
		},
		{
			name:   "stored tag deleted in the console",
			before: func(e *env) { e.fake.DeleteTag(e.lib["VIP"]) },
			group:  "客户等级", tag: "VIP", wantCalls: 1,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.seedSmall(t)
			e.fullSync(t)
			if tc.before != nil {
				tc.before(e)
			}
			groups, err := e.st.Groups()
			must(t, err)
			got, err := e.syncer().CreateTag(context.Background(), tc.group, tc.tag)
			must(t, err)
			if n := len(e.fake.CallsTo("externalcontact/add_corp_tag")); n != tc.wantCalls {
				t.Errorf("add_corp_tag calls = %d, want %d", n, tc.wantCalls)
			}
			type tagView struct {
				Name, GroupName string
				Deleted         bool
			}
			if diff := cmp.Diff(tagView{tc.tag, tc.group, false}, tagView{got.Name, got.GroupName, got.Deleted}); diff != "" {
				t.Fatalf("created tag (-want +got):\n%s", diff)
			}
			known := slices.ContainsFunc(groups, func(g store.Group) bool { return g.ID == got.GroupID })
			if known == tc.wantNewGroup {
				t.Errorf("group %s known before = %v, want new group %v", got.GroupID, known, tc.wantNewGroup)
			}
			stored, err := e.st.Tag(got.ID)
			must(t, err)
			if stored != got {
				t.Errorf("stored %+v, returned %+v", stored, got)
			}
			if !wecomHasTag(e.fake, got.GroupID, got.ID, tc.tag) {
				t.Errorf("tag %s not live on WeCom", got.ID)
			}
			if old, ok := e.lib[tc.tag]; ok && old != got.ID {
				if ot, err := e.st.Tag(old); err != nil || !ot.Deleted {
					t.Errorf("replaced tag %s not recorded as deleted: %+v %v", old, ot, err)
				}
			}
		})
	}
}

// TestCreateTagThenMark recreates a tag deleted in the console and marks a
// customer with it through the outbox, as /restore does.
func TestCreateTagThenMark(t *testing.T) {
	e := newEnv(t)
	e.seedSmall(t)
	e.fullSync(t)
	e.fake.DeleteTag(e.lib["VIP"])
	s := e.syncer()
	if _, err := s.RefreshLibrary(context.Background()); err != nil {
		t.Fatal(err)
	}
	tag, err := s.CreateTag(context.Background(), "客户等级", "VIP")
	must(t, err)
	if tag.ID == e.lib["VIP"] {
		t.Fatal("deleted tag id reused")
	}
	_, err = e.st.Apply(store.ChangeSet{Actor: "zhangsan", Source: store.SourceRestore, Customer: "c2", Follower: "zhangsan", Add: []store.TagRef{{ID: tag.ID}}})
	must(t, err)
	must(t, e.worker(WorkerOptions{}).Drain(context.Background()))
	if got := e.fake.CustomerTags("c2", "zhangsan"); !slices.Equal(got, []string{tag.ID}) {
		t.Errorf("wecom tags = %v", got)
	}
}

func TestCreateTagRejectsEmptyNames(t *testing.T) {
	tests := []struct{ name, group, tag string }{
		{"empty group", "", "x"},
		{"blank tag", "g", " "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if _, err := e.syncer().CreateTag(context.Background(), tt.group, tt.tag); err == nil {
				t.Errorf("CreateTag(%q, %q) succeeded", tt.group, tt.tag)
			}
			if n := len(e.fake.Calls()); n != 0 {
				t.Errorf("%d API calls for invalid names", n)
			}
		})
	}
}

func wecomHasTag(fake *wecomtest.Server, groupID, tagID, name string) bool {
	for _, g := range fake.TagGroups() {
		if g.ID != groupID {
			continue
		}
		for _, t := range g.Tags {
			if t.ID == tagID && t.Name == name {
				return true
			}
		}
	}
	return false
}
