package hygiene

import (
	"strings"
	"testing"

	"github.com/tagbot/tagbot/store"
)

func TestDupes(t *testing.T) {
	e := newEnv(t)
	e.apply("setup", store.SourceCommand, "c1", "zhangsan", []string{"北上广客户"}, nil)
	e.apply("setup", store.SourceCommand, "c2", "zhangsan", []string{"北上广客户"}, nil)
	e.apply("setup", store.SourceCommand, "c3", "zhangsan", []string{"北京上海广州用户"}, nil)
	got := e.say("boss", "/dupes")
	for _, want := range []string{
		"发现 1 组近似重复的标签",
		"保留 「北上广客户」（地区，2 个客户）",
		"≈ 「北京上海广州用户」（客群，1 个客户）：同义词 北上广≈北京上海广州、客户≈用户",
		"合并：/merge 北京上海广州用户 into 北上广客户",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("/dupes lacks %q:\n%s", want, got)
		}
	}
	for _, user := range []string{"zhangsan", "mgr"} {
		if got := e.say(user, "/dupes"); !strings.Contains(got, "/dupes 只有") {
			t.Errorf("%s /dupes = %q, want a role refusal", user, got)
		}
	}
	if got := e.say("boss", "/dupes 北上广"); !strings.Contains(got, "不带参数") {
		t.Errorf("/dupes with an argument = %q", got)
	}
}

func TestRenderDupes(t *testing.T) {
	tag := func(id, group, name string) store.Tag {
		return store.Tag{ID: id, GroupID: "g-" + group, GroupName: group, Name: name}
	}
	tests := []struct {
		name   string
		groups []dupeGroup
		want   []string
	}{
		{"none", nil, []string{"没有发现近似重复的标签"}},
		{"quoted and by group", []dupeGroup{{keep: tag("t1", "等级", "VIP 客户"), counts: map[string]int{"t1": 3}}},
			[]string{"保留 「VIP 客户」（等级，3 个客户）"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := renderDupes(tt.groups)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("renderDupes = %q, want it to contain %q", got, w)
				}
			}
		})
	}
	for _, tt := range []struct {
		t        store.Tag
		repeated bool
		want     string
	}{
		{tag("t1", "等级", "VIP客户"), false, "VIP客户"},
		{tag("t1", "等级", "VIP客户"), true, "等级/VIP客户"},
		{tag("t1", "等级", "VIP 客户"), false, "「VIP 客户」"},
		{tag("t1", "等级", "VIP\u202e客户"), false, "t1"},
		{tag("t1", "等级", "「普通」"), false, "t1"},
		{tag("t1", "等级", "“普通”"), false, "t1"},
		{tag("t1", "等级", "普通 」x"), false, "t1"},
		{tag("t1", "等级", "+VIP"), false, "「+VIP」"},
		{tag("t1", "等级", "渠道:展会"), false, "渠道:展会"},
		{tag("t1", "等级", "into"), false, "t1"},
	} {
		if got := typed(tt.t, map[string]bool{tt.t.Name: tt.repeated}); got != tt.want {
			t.Errorf("typed(%q, repeated %v) = %q, want %q", tt.t.Name, tt.repeated, got, tt.want)
		}
	}
}

// TestMergeByID: /merge takes the tag ids /dupes suggests for names that
// cannot be typed back.
func TestMergeByID(t *testing.T) {
	e := newEnv(t)
	e.apply("setup", store.SourceCommand, "c2", "zhangsan", []string{"北京上海广州用户"}, nil)
	got := e.say("boss", "/merge "+e.lib["北京上海广州用户"]+" into "+e.lib["北上广客户"])
	if !strings.Contains(got, "将把「北京上海广州用户」（客群）合并到「北上广客户」（地区）") {
		t.Errorf("/merge by id = %q", got)
	}
}
