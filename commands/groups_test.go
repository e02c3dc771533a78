package commands

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
)

// policyGroups adds the groups of required, max and visible_to to
// testConfig: 婚姻状况 (exclusive) seen only by zhangsan and department 7,
// 爱好 at most 2, 客户来源 required.
func policyGroups(cfg *config.Config) {
	cfg.Groups["婚姻状况"] = config.GroupPolicy{Exclusive: true, VisibleTo: []string{"zhangsan", "dept:7"}}
	cfg.Groups["爱好"] = config.GroupPolicy{Max: 2}
	cfg.Groups["客户来源"] = config.GroupPolicy{Required: true}
}

// policyTags are the library tags of policyGroups: t13 已婚, t14 未婚,
// t15 跑步, t16 读书, t17 旅行, t18 官网, t19 转介绍.
var policyTags = []store.Tag{
	{ID: "t13", GroupID: "g6", GroupName: "婚姻状况", Name: "已婚"},
	{ID: "t14", GroupID: "g6", GroupName: "婚姻状况", Name: "未婚"},
	{ID: "t15", GroupID: "g7", GroupName: "爱好", Name: "跑步"},
	{ID: "t16", GroupID: "g7", GroupName: "爱好", Name: "读书"},
	{ID: "t17", GroupID: "g7", GroupName: "爱好", Name: "旅行"},
	{ID: "t18", GroupID: "g8", GroupName: "客户来源", Name: "官网"},
	{ID: "t19", GroupID: "g8", GroupName: "客户来源", Name: "转介绍"},
}

// newPolicyEnv is newEnv with policyGroups and their tags; lisi is in
// department 7 (as the full sync would record from user/get).
func newPolicyEnv(t testing.TB) *env {
	t.Helper()
	e := newEnv(t, policyGroups)
	for _, tag := range policyTags {
		if err := e.st.PutTag(store.Group{ID: tag.GroupID, Name: tag.GroupName}, tag); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.st.SetDepartments("lisi", []int{3, 7}, e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestViewerSight checks the visibility rule itself: who sees 婚姻状况.
func TestViewerSight(t *testing.T) {
	e := newPolicyEnv(t)
	for _, tc := range []struct {
		user string
		want bool
	}{{"boss", true}, {"zhangsan", true}, {"lisi", true}, {"mgr", false}, {"wangwu", false}, {SystemActor, true}} {
		t.Run(tc.user, func(t *testing.T) {
			v := e.r.perms.viewer(tc.user, e.r.perms.role(tc.user))
			if got := v.SeesGroup("婚姻状况"); got != tc.want {
				t.Errorf("SeesGroup(婚姻状况) = %v, want %v", got, tc.want)
			}
			if !v.SeesGroup("爱好") {
				t.Error("SeesGroup(爱好) = false for a group without visible_to")
			}
		})
	}
}

// TestShowChange checks change-sets as a viewer who may not see 婚姻状况
// reads them: hidden-only ones vanish, mixed ones lose the hidden tags.
func TestShowChange(t *testing.T) {
	e := newPolicyEnv(t)
	v := e.r.perms.viewer("mgr", RoleManager)
	married := store.TagRef{ID: "t13", Name: "已婚", Group: "婚姻状况"}
	high := store.TagRef{ID: "t3", Name: "高意向", Group: "意向程度"}
	renamed := store.TagRef{ID: "t14", Name: "未婚", Group: "旧组名"} // caught by id
	tests := []struct {
		name   string
		in     store.ChangeSet
		want   store.ChangeSet
		wantOK bool
	}{
		{"hidden only", store.ChangeSet{Add: []store.TagRef{married}}, store.ChangeSet{Add: []store.TagRef{}}, false},
		{"mixed", store.ChangeSet{Add: []store.TagRef{married, high}, Remove: []store.TagRef{renamed}},
			store.ChangeSet{Add: []store.TagRef{high}, Remove: []store.TagRef{}}, true},
		{"visible", store.ChangeSet{Add: []store.TagRef{high}}, store.ChangeSet{Add: []store.TagRef{high}}, true},
		{"no tags", store.ChangeSet{Denied: "x"}, store.ChangeSet{Denied: "x"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := v.ShowChange(tc.in)
			if ok != tc.wantOK {
				t.Errorf("ok = %v, want %v", ok, tc.wantOK)
			}
			if len(got.Add) != len(tc.want.Add) || (len(got.Add) > 0 && !reflect.DeepEqual(got.Add, tc.want.Add)) {
				t.Errorf("Add = %+v, want %+v", got.Add, tc.want.Add)
			}
			if len(got.Remove) != len(tc.want.Remove) {
				t.Errorf("Remove = %+v, want %+v", got.Remove, tc.want.Remove)
			}
		})
	}
}

// TestSuggestionPolicyGroups checks confirmed suggestions against max and
// visible_to, through the same path as /tag.
func TestSuggestionPolicyGroups(t *testing.T) {
	e := newPolicyEnv(t)
	e.apply("zhangsan", "c1", "zhangsan", "t15", "t16")
	rel, err := e.st.Relationship("c1", "zhangsan")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, user string
		add        []store.TagRef
		want       string // error substring; "" for none
	}{
		{"max", "zhangsan", []store.TagRef{{ID: "t17"}}, "标签组「爱好」最多选 2 个标签"},
		{"hidden", "mgr", []store.TagRef{{ID: "t13"}}, "无权查看"},
		{"visible", "zhangsan", []store.TagRef{{ID: "t13"}}, ""},
		{"auto rule", SystemActor, []store.TagRef{{ID: "t13"}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.r.SuggestionPolicy(tc.user, rel, tc.add)
			if got := errText(err); (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Errorf("SuggestionPolicy error = %q, want %q", got, tc.want)
			}
		})
	}
}

// errText is err's message, "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestCheckTagsMax checks ExtRequest.CheckTags (bulk, import, merge)
// against max and visible_to.
func TestCheckTagsMax(t *testing.T) {
	e := newPolicyEnv(t)
	e.apply("zhangsan", "c1", "zhangsan", "t15", "t16")
	rel, err := e.st.Relationship("c1", "zhangsan")
	if err != nil {
		t.Fatal(err)
	}
	live, err := e.st.Tags(false)
	if err != nil {
		t.Fatal(err)
	}
	tag := func(id string) store.Tag {
		i := slices.IndexFunc(live, func(t store.Tag) bool { return t.ID == id })
		return live[i]
	}
	tests := []struct {
		name, user  string
		add, remove []store.Tag
		want        string
	}{
		{"over max", "zhangsan", []store.Tag{tag("t17")}, nil, "最多选 2 个标签，这位客户现在已有「读书」「跑步」"},
		{"swap within max", "zhangsan", []store.Tag{tag("t17")}, []store.Tag{tag("t15")}, ""},
		{"hidden group", "mgr", []store.Tag{tag("t14")}, nil, "没有标签「未婚」"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := &ExtRequest{UserID: tc.user, Role: e.r.perms.role(tc.user), r: e.r}
			_, err := req.CheckTags(rel, tc.add, tc.remove, live)
			if got := errText(err); (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Errorf("CheckTags error = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestNaturalNamesHideGroups checks that natural language does not know
// the tags of a group hidden from the speaker.
func TestNaturalNamesHideGroups(t *testing.T) {
	e := newPolicyEnv(t)
	for _, tc := range []struct {
		user string
		want bool
	}{{"mgr", false}, {"zhangsan", true}} {
		t.Run(tc.user, func(t *testing.T) {
			n := e.r.names(tc.user)
			_, ok := n.Tag("已婚")
			if ok != tc.want {
				t.Errorf("Tag(已婚) known = %v, want %v", ok, tc.want)
			}
			if got := slices.Contains(n.TagNames(), "已婚"); got != tc.want {
				t.Errorf("TagNames has 已婚 = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestExportHidesGroups checks that /export leaves out the tags of groups
// the manager may not see, and keeps them for one who may.
func TestExportHidesGroups(t *testing.T) {
	e := newPolicyEnv(t)
	e.apply("zhangsan", "c1", "zhangsan", "t3", "t13")
	for _, tc := range []struct {
		user string
		want []string
	}{{"mgr", []string{"高意向"}}, {"boss", []string{"已婚", "高意向"}}} {
		t.Run(tc.user, func(t *testing.T) {
			_, rows := exported(t, e, tc.user, "/export tag:高意向")
			if len(rows) != 1 {
				t.Fatalf("rows = %+v, want one", rows)
			}
			got := slices.Sorted(slices.Values(rows[0].Tags))
			if !slices.Equal(got, tc.want) {
				t.Errorf("Tags = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestRestoreRefusedByWeComLimits checks that /restore explains a tag
// WeCom's limits refuse (store.CheckNewTag, through the TagCreator).
func TestRestoreRefusedByWeComLimits(t *testing.T) {
	e := newEnv(t)
	e.apply("zhangsan", "c1", "zhangsan", "t12")
	e.deleteTag("t12")
	e.creator.fail = fmt.Errorf("mirror create tag: %w", &store.TagLimitError{Message: "标签组「兴趣」已有 100 个标签，达到上限 100 个。"})
	e.mustSay("boss", "/restore tag 咖啡", "无法恢复：标签组「兴趣」已有 100 个标签，达到上限 100 个。")
	if got := e.tagNames("c1", "zhangsan"); len(got) != 0 {
		t.Errorf("tags %v after a refused restore", got)
	}
}

// TestStatsTeamRespectsVisibility checks that per-employee counts leave
// out change-sets touching only groups hidden from the asker.
func TestStatsTeamRespectsVisibility(t *testing.T) {
	e := newPolicyEnv(t)
	e.apply("zhangsan", "c1", "zhangsan", "t13")
	e.apply("zhangsan", "c2", "zhangsan", "t3")
	for _, tc := range []struct{ user, want string }{
		{"mgr", "zhangsan     1      0%     0  命令 1"},
		{"boss", "zhangsan     2      0%     0  命令 2"},
	} {
		t.Run(tc.user, func(t *testing.T) { e.mustSay(tc.user, "/stats @zhangsan", tc.want) })
	}
}
