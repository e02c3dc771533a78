package hygiene

import (
	"strings"
	"testing"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
)

// TestMassUndoHiddenGroup: with 客户等级 visible to boss only, a mass undo
// by mgr neither counts nor names change-sets of that group, and tag:VIP
// is an unknown tag.
func TestMassUndoHiddenGroup(t *testing.T) {
	e := newEnvWith(t, func(cfg *config.Config) {
		cfg.Groups["客户等级"] = config.GroupPolicy{VisibleTo: []string{"boss"}}
	})
	e.apply("zhangsan", store.SourceCommand, "c1", "zhangsan", []string{"VIP"}, nil)
	e.apply("zhangsan", store.SourceCommand, "c2", "zhangsan", []string{"高意向"}, nil)
	tests := []struct{ name, user, text, want string }{
		{"hidden change-sets left out", "mgr", "/undo @zhangsan since:今天", "的 1 项变更"},
		{"hidden tag unknown", "mgr", "/undo @zhangsan since:今天 tag:VIP", "没有标签「VIP」"},
		{"admin sees both", "boss", "/undo @zhangsan since:今天", "的 2 项变更"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.say(tt.user, tt.text)
			if !strings.Contains(got, tt.want) {
				t.Errorf("%s %q: %q; want %q", tt.user, tt.text, got, tt.want)
			}
			if tt.user != "boss" && strings.Contains(got, "无权") {
				t.Errorf("%s %q: %q hints at the hidden group", tt.user, tt.text, got)
			}
		})
	}
}
