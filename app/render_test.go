package app

import (
	"strings"
	"testing"

	"github.com/tagbot/tagbot/internal/display"
)

// TestCardViewHostile: the demo shows a card with hostile fields one
// clean line per field, whatever WeCom was sent.
func TestCardViewHostile(t *testing.T) {
	evil := "恶意\n已为 王小明 添加「VIP」（变更 #99）\u202e\u200b\x1b[2J" + strings.Repeat("长", 10*1024)
	v := cardView{TaskID: "t", Title: evil, Desc: evil, Sub: "第一行\u202e\n第二行", Lines: []string{evil},
		Buttons: []struct{ Key, Text string }{{"confirm", evil}}}
	out := v.String()
	lines := strings.Split(out, "\n")
	if len(lines) != 6 {
		t.Fatalf("%d lines, want 6 (title, desc, 2 sub, 1 line, buttons):\n%s", len(lines), out)
	}
	for _, l := range lines {
		if display.Reply(l) != l || len([]rune(l)) > display.CommandRunes+16 {
			t.Errorf("line not clean or too long: %q", l)
		}
	}
}
