package hygiene

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
)

// TestJobRowsKeepGroupLimits: a change made between the plan of a job and
// its run cannot leave two tags of an exclusive group or more than max:
// the row fails, naming the group and the tags already there.
func TestJobRowsKeepGroupLimits(t *testing.T) {
	maxOne := func(c *config.Config) { c.Groups["客户等级"] = config.GroupPolicy{Max: 1} }
	tests := []struct {
		name    string
		edit    func(*config.Config)
		setup   func(e *env)
		says    [][2]string // user, text, in order
		then    [][2]string // after the jobs ran, then run again
		want    []string    // 赵敏 (c2/zhangsan) tags at the end
		summary string      // in the summary to the last job's actor
		actor   string
	}{
		{
			name:  "undo exclusive",
			setup: func(e *env) { e.apply("setup", store.SourceCommand, "c2", "zhangsan", []string{"低意向"}, nil) },
			says: [][2]string{{"zhangsan", "/untag 赵敏 低意向"}, {"mgr", "/undo @zhangsan since:今天"}, {"mgr", "/confirm"},
				{"boss", "/tag 赵敏 +高意向"}},
			want: []string{"高意向"}, actor: "mgr", summary: "标签组「意向程度」最多 1 个标签，客户已有「高意向」",
		},
		{
			name:  "undo max",
			edit:  maxOne,
			setup: func(e *env) { e.apply("mgr", store.SourceCommand, "c2", "zhangsan", []string{"VIP"}, nil) },
			says: [][2]string{{"zhangsan", "/untag 赵敏 VIP"}, {"mgr", "/tag 赵敏 +普通"}, {"zhangsan", "/undo since:今天"},
				{"zhangsan", "/confirm"}},
			want: []string{"普通"}, actor: "zhangsan", summary: "标签组「客户等级」最多 1 个标签，客户已有「普通」",
		},
		{
			name: "merge exclusive",
			setup: func(e *env) {
				e.apply("setup", store.SourceCommand, "c2", "zhangsan", []string{"北京上海广州用户"}, nil)
			},
			says: [][2]string{{"boss", "/merge 北京上海广州用户 into 北上广客户"}, {"boss", "/confirm"},
				{"boss", "/tag 赵敏 +华南"}},
			// the failed row keeps the tag; merging again only takes it off
			then: [][2]string{{"boss", "/merge 北京上海广州用户 into 北上广客户"}, {"boss", "/confirm"}},
			want: []string{"华南"}, actor: "boss", summary: "标签组「地区」最多 1 个标签，客户已有「华南」",
		},
		{
			// /bulk adds as /tag does: the exclusive group's other tag,
			// added after the plan, comes off when the row runs.
			name:  "bulk exclusive",
			setup: func(e *env) { e.apply("setup", store.SourceCommand, "c2", "zhangsan", []string{"VIP"}, nil) },
			says:  [][2]string{{"mgr", "/bulk tag:VIP +高意向"}, {"mgr", "/confirm"}, {"boss", "/tag 赵敏 +低意向"}},
			want:  []string{"VIP", "高意向"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnvCfg(t, tt.edit)
			tt.setup(e)
			for _, s := range tt.says {
				t.Logf("%s %s → %s", s[0], s[1], e.say(s[0], s[1]))
			}
			e.settle()
			sum := e.lastDelivered(tt.actor)
			for _, s := range tt.then {
				t.Logf("%s %s → %s", s[0], s[1], e.say(s[0], s[1]))
			}
			e.settle()
			if got := e.tagNames("c2", "zhangsan"); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("赵敏 has %v, want %v", got, tt.want)
			}
			t.Log(sum)
			if !strings.Contains(sum, tt.summary) {
				t.Errorf("summary lacks %q:\n%s", tt.summary, sum)
			}
		})
	}
}

// TestMassUndoRevertsTriggered: a mass undo with a filter takes back what
// the undone change-set's triggers did, as /undo N does.
func TestMassUndoRevertsTriggered(t *testing.T) {
	tests := []struct{ name, undo string }{
		{"source filter", "/undo @zhangsan since:今天 source:command"},
		{"tag filter", "/undo @zhangsan since:今天 tag:VIP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			vip, plain := e.lib["VIP"], e.lib["普通"]
			e.st.SetTriggers(func(in store.TriggerInput) store.TriggerOutput { // VIP takes 普通 off
				var out store.TriggerOutput
				for _, r := range in.Change.Add {
					if r.ID == vip {
						out.ChangeSets = append(out.ChangeSets, store.ChangeSet{Remove: []store.TagRef{{ID: plain}}})
					}
				}
				return out
			})
			e.apply("setup", store.SourceCommand, "c2", "zhangsan", []string{"普通"}, nil)
			e.say("zhangsan", "/tag 赵敏 +VIP")
			if got, want := e.tagNames("c2", "zhangsan"), []string{"VIP"}; !reflect.DeepEqual(got, want) {
				t.Fatalf("after /tag: %v, want %v (the trigger)", got, want)
			}
			t.Log(e.say("mgr", tt.undo))
			t.Log(e.say("mgr", "/confirm"))
			e.settle()
			if got, want := e.tagNames("c2", "zhangsan"), []string{"普通"}; !reflect.DeepEqual(got, want) {
				t.Errorf("after %s: %v, want %v", tt.undo, got, want)
			}
		})
	}
}

// TestMergeKeepsLateAssignments: a relationship given the merged-away tag
// while the merge runs is not left without it: the tag is not deleted and
// the summary says to /merge again, which moves it and deletes the tag.
func TestMergeKeepsLateAssignments(t *testing.T) {
	e := newEnv(t)
	e.apply("setup", store.SourceCommand, "c2", "zhangsan", []string{"北京上海广州用户"}, nil)
	e.say("boss", "/merge 北京上海广州用户 into 北上广客户")
	e.say("boss", "/confirm")
	e.say("boss", "/tag 钱多多 +北京上海广州用户") // while the job runs
	e.settle()
	type state struct {
		C2, C3  []string
		Deleted bool
	}
	read := func() state {
		old, err := e.st.Tag(e.lib["北京上海广州用户"])
		if err != nil {
			t.Fatal(err)
		}
		return state{e.tagNames("c2", "zhangsan"), e.tagNames("c3", "zhangsan"), old.Deleted}
	}
	if got, want := read(), (state{C2: []string{"北上广客户"}, C3: []string{"北京上海广州用户"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("after the merge = %+v, want %+v (the tag kept for 钱多多)", got, want)
	}
	sum := e.lastDelivered("boss")
	t.Log(sum)
	for _, want := range []string{"1 个客户关系", "没有删除", "/merge 北京上海广州用户 into 北上广客户"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
	e.say("boss", "/merge 北京上海广州用户 into 北上广客户")
	e.say("boss", "/confirm")
	e.settle()
	if got, want := read(), (state{C2: []string{"北上广客户"}, C3: []string{"北上广客户"}, Deleted: true}); !reflect.DeepEqual(got, want) {
		t.Errorf("after merging again = %+v, want %+v", got, want)
	}
}

// TestMassUndoWording: the summary counts change-sets as 变更 (a customer
// with two counts twice), and a later change by the person undone (left
// out by a filter) is not called someone else's.
func TestMassUndoWording(t *testing.T) {
	e := newEnv(t)
	e.apply("zhangsan", store.SourceCommand, "c2", "zhangsan", []string{"VIP"}, nil)
	e.apply("zhangsan", store.SourceCommand, "c2", "zhangsan", []string{"高意向"}, nil)
	e.apply("zhangsan", store.SourceImport, "c3", "zhangsan", []string{"普通"}, nil)
	e.apply("zhangsan", store.SourceCommand, "c3", "zhangsan", nil, []string{"普通"})
	e.apply("zhangsan", store.SourceImport, "c3", "zhangsan", []string{"普通"}, nil)
	preview := e.say("mgr", "/undo @zhangsan since:今天 source:command")
	t.Log(preview)
	for _, want := range []string{"之后 zhangsan 自己在 #", "不在这次撤销的范围里"} {
		if !strings.Contains(preview, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	if strings.Contains(preview, "别人") {
		t.Errorf("preview calls zhangsan someone else:\n%s", preview)
	}
	e.say("mgr", "/confirm")
	e.settle()
	sum := e.lastDelivered("mgr")
	t.Log(sum)
	if !strings.Contains(sum, "撤销 2 项变更") || strings.Contains(sum, "客户关系") {
		t.Errorf("summary = %q, want 撤销 2 项变更 (one relationship, two change-sets)", sum)
	}
}
