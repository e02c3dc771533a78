package hygiene

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/store"
)

// mergeSetup tags the relationships for a merge of 北京上海广州用户 into
// 北上广客户: c1/zhangsan and c2 carry only the old tag, c3 also 华南 (地区
// is exclusive: a conflict), c4 both tags.
func mergeSetup(e *env) {
	e.apply("setup", store.SourceCommand, "c1", "zhangsan", []string{"北京上海广州用户", "VIP"}, nil)
	e.apply("setup", store.SourceCommand, "c2", "zhangsan", []string{"北京上海广州用户"}, nil)
	e.apply("setup", store.SourceCommand, "c3", "zhangsan", []string{"北京上海广州用户", "华南"}, nil)
	e.apply("setup", store.SourceCommand, "c4", "zhangsan", []string{"北京上海广州用户", "北上广客户"}, nil)
	e.settle()
}

var batchRE = regexp.MustCompile(`bg-merge-\d+`)

func TestMergeAndUndo(t *testing.T) {
	e := newEnv(t)
	mergeSetup(e)
	type state struct{ C1, C2, C3, C4 []string }
	read := func(tags func(c, f string) []string) state {
		return state{tags("c1", "zhangsan"), tags("c2", "zhangsan"), tags("c3", "zhangsan"), tags("c4", "zhangsan")}
	}
	before := read(e.tagNames)

	preview := e.say("boss", "/merge 北京上海广州用户 into 北上广客户")
	for _, want := range []string{"2 个客户关系从「北京上海广州用户」移到「北上广客户」", "1 个已有「北上广客户」",
		"冲突 1 个：标签组「地区」互斥", "「华南」", "按每分钟 600 次约需 1 分钟", "/confirm"} {
		if !strings.Contains(preview, want) {
			t.Errorf("preview lacks %q:\n%s", want, preview)
		}
	}
	if got := read(e.tagNames); !reflect.DeepEqual(got, before) {
		t.Fatalf("the preview changed tags: %+v", got)
	}
	t.Log(preview)
	started := e.say("boss", "/confirm")
	batch := batchRE.FindString(started)
	if batch == "" {
		t.Fatalf("confirm reply names no bg-merge batch: %q", started)
	}
	e.settle()

	merged := state{C1: []string{"VIP", "北上广客户"}, C2: []string{"北上广客户"}, C3: []string{"华南"}, C4: []string{"北上广客户"}}
	if got := read(e.tagNames); !reflect.DeepEqual(got, merged) {
		t.Errorf("store after merge = %+v\nwant %+v", got, merged)
	}
	if got := read(e.wecomTagNames); !reflect.DeepEqual(got, merged) {
		t.Errorf("WeCom after merge = %+v\nwant %+v", got, merged)
	}
	old, err := e.st.Tag(e.lib["北京上海广州用户"])
	if err != nil || !old.Deleted {
		t.Fatalf("merged-away tag deleted = %v (err %v), want deleted", old.Deleted, err)
	}
	summary := e.lastDelivered("boss")
	t.Log(summary)
	if !strings.Contains(summary, "已在企业微信删除「北京上海广州用户」") || !strings.Contains(summary, batch) {
		t.Errorf("summary = %q", summary)
	}
	moved, err := e.st.History(store.Query{Batch: batch})
	if err != nil {
		t.Fatal(err)
	}
	for _, cs := range moved {
		if cs.Source != store.SourceMerge || !cs.Background() {
			t.Errorf("merge change-set #%d source %q background %v, want merge in the background lane", cs.ID, cs.Source, cs.Background())
		}
	}

	// Undo before the tag is restored: nothing changes, the reply says how.
	if got := e.say("boss", "/undo "+batch); !strings.Contains(got, "/restore tag") {
		t.Errorf("undo of a merge whose tag is gone = %q, want a /restore tag hint", got)
	}
	if got := read(e.tagNames); !reflect.DeepEqual(got, merged) {
		t.Fatalf("refused undo changed tags: %+v", got)
	}
	if got := e.say("boss", "/restore tag 北京上海广州用户"); !strings.Contains(got, "已恢复标签「北京上海广州用户」") {
		t.Fatalf("restore = %q", got)
	}
	preview = e.say("boss", "/undo "+batch)
	if !strings.Contains(preview, "将撤销 批次 "+batch+" 的 4 项变更") {
		t.Errorf("undo preview = %q", preview)
	}
	t.Log(preview)
	if got := e.say("boss", "/confirm"); !strings.Contains(got, "bg-undo-") {
		t.Fatalf("undo confirm = %q", got)
	}
	e.settle()
	t.Log(e.lastDelivered("boss"))
	if got := read(e.tagNames); !reflect.DeepEqual(got, before) {
		t.Errorf("store after undo = %+v\nwant %+v", got, before)
	}
	if got := read(e.wecomTagNames); !reflect.DeepEqual(got, before) {
		t.Errorf("WeCom after undo = %+v\nwant %+v", got, before)
	}
	if err := e.st.Verify(); err != nil {
		t.Error(err)
	}
}

func TestMergeRefusals(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		user, text, want string
	}{
		{"zhangsan", "/merge 北京上海广州用户 into 北上广客户", "/merge 只有"},
		{"mgr", "/merge 北京上海广州用户 into 北上广客户", "/merge 只有"},
		{"boss", "/merge 北京上海广州用户 北上广客户", "用法"},
		{"boss", "/merge 北上广客户 into 北上广客户", "同一个标签"},
		{"boss", "/merge 不存在 into 北上广客户", "没有标签「不存在」"},
	}
	for _, tt := range tests {
		t.Run(tt.user+" "+tt.text, func(t *testing.T) {
			if got := e.say(tt.user, tt.text); !strings.Contains(got, tt.want) {
				t.Errorf("reply = %q, want it to contain %q", got, tt.want)
			}
		})
	}
	if got := e.say("boss", "/confirm"); strings.Contains(got, "已开始合并") {
		t.Errorf("a refused /merge left a proposal: %q", got)
	}
}
