package bulk

import (
	"strings"
	"testing"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/jobs"
)

// TestBulkHiddenTag: a tag of a group hidden from the user (visible_to)
// is answered as one that does not exist, as a filter and as +/- tag.
func TestBulkHiddenTag(t *testing.T) {
	st, clk := openStore(t)
	cfg := testConfig()
	cfg.Groups["等级"] = config.GroupPolicy{Exclusive: true, VisibleTo: []string{"boss"}}
	e := &env{st: st, clk: clk}
	e.runner = &jobs.Runner{Store: st, Now: clk.Now, Chunk: 2, MaxBacklog: -1}
	b := New(Options{Store: st, Config: cfg, Runner: e.runner, Now: clk.Now, Deliver: newEnvDeliver(e)})
	r, err := commands.NewRouter(commands.Options{Store: st, Config: cfg, Now: clk.Now, Extensions: []commands.Extension{b}})
	if err != nil {
		t.Fatal(err)
	}
	e.r = r
	tests := []struct{ name, user, text, want string }{
		{"filter", "mgr", "/bulk tag:银 +双十一", "没有标签「银」"},
		{"add", "mgr", "/bulk tag:老客户 +银", "没有标签「银」"},
		{"remove", "mgr", "/bulk tag:老客户 -银", "没有标签「银」"},
		{"admin sees it", "boss", "/bulk tag:银 +双十一", "孙五"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.say(tt.user, tt.text)
			if !strings.Contains(got, tt.want) {
				t.Errorf("reply %q; want it to hold %q", got, tt.want)
			}
			if tt.user != "boss" && (strings.Contains(got, "孙五") || strings.Contains(got, "无权查看")) {
				t.Errorf("reply %q reveals the hidden tag", got)
			}
		})
	}
}
