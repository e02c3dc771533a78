package app

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/config"
)

// TestHiddenTagIsUnknown: with 消费特征 visible to zhaoliu only, manager
// lisi naming 价格敏感型 gets the answer to a tag that does not exist.
func TestHiddenTagIsUnknown(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	cfg := config.Default()
	cfg.Groups = config.SampleGroups()
	cfg.Groups["消费特征"] = config.GroupPolicy{VisibleTo: []string{"zhaoliu"}}
	d, err := StartDemo(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	say(t, d, "/as lisi")
	tests := []struct{ line, want string }{
		{"/qr 某渠道 +价格敏感型", "没有标签「价格敏感型」"},
		{"/bulk tag:价格敏感型 +展会", "没有标签「价格敏感型」"},
		{"/bulk tag:高意向 +价格敏感型", "没有标签「价格敏感型」"},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			out := say(t, d, tc.line)
			mustContain(t, tc.line, out, tc.want)
			if strings.Contains(out, "无权查看") {
				t.Errorf("%s: %q confirms the hidden tag", tc.line, out)
			}
		})
	}
}
