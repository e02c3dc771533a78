package suggestion

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/store"
)

// TestOfferAutoHiddenGroup checks that an admin's auto rule adding a tag
// of a group hidden from the follower (Options.Visible) applies it but
// does not name it to the follower: only the visible tags are told, and
// nothing when none is.
func TestOfferAutoHiddenGroup(t *testing.T) {
	tests := []struct {
		name   string
		tags   []string
		want   []string // relationship tags after
		notice string   // "" for no message
	}{
		{"hidden only", []string{"VIP"}, []string{"t5"}, ""},
		{"mixed", []string{"VIP", "价格敏感型"}, []string{"t1", "t5"}, "加上：价格敏感型（变更"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.svc.opts.Visible = func(_ string, refs []store.TagRef) []store.TagRef {
				var out []store.TagRef
				for _, r := range refs {
					if r.ID != "t5" { // 等级 hidden from the follower
						out = append(out, r)
					}
				}
				return out
			}
			e.offer("act:1", "c1", "zhangsan", "大客户", classify.ModeAuto, tc.tags...)
			if got := e.relTags("c1", "zhangsan"); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("tags = %v, want %v", got, tc.want)
			}
			texts := e.out.texts("zhangsan")
			switch {
			case tc.notice == "" && len(texts) != 0:
				t.Errorf("notice = %q, want none", texts)
			case tc.notice != "" && (len(texts) != 1 || !strings.Contains(texts[0], tc.notice) || strings.Contains(texts[0], "VIP")):
				t.Errorf("notice = %q, want %q without VIP", texts, tc.notice)
			}
		})
	}
}
