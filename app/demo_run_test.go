package app

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/config"
)

// runDemo runs the terminal demo on input and returns what it printed.
func runDemo(t *testing.T, configPath, input string) string {
	t.Helper()
	t.Setenv("TMPDIR", t.TempDir())
	var out bytes.Buffer
	if err := Demo(context.Background(), configPath, strings.NewReader(input), &out); err != nil {
		t.Fatalf("Demo: %v\n%s", err, out.String())
	}
	return out.String()
}

// TestDemoWithoutConfigHasSamplePolicies: without a config.yaml the demo
// still protects VIP and keeps 意向程度 exclusive, as the README's demo
// table says.
func TestDemoWithoutConfigHasSamplePolicies(t *testing.T) {
	out := runDemo(t, filepath.Join(t.TempDir(), "config.yaml"), "/tag 张伟 +VIP\n#1\n/tags 王小明\nquit\n")
	for _, tc := range []struct{ name, want, notWant string }{
		{"VIP protected", "受保护标签只有主管可以修改", "添加「VIP」"},
		{"意向程度 exclusive", "意向程度：高意向（", "中意向（"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(out, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out)
			}
			if strings.Contains(out, tc.notWant) {
				t.Errorf("output has %q:\n%s", tc.notWant, out)
			}
		})
	}
}

// TestDemoHeldReplies: replies past the per-member limit are announced in
// Chinese with when they will come, not as an error, and show up once the
// window allows them.
func TestDemoHeldReplies(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	cfg := config.Default()
	cfg.Messages.PerUserPerMinute = 2
	d, err := StartDemo(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	for i, want := range []string{"你是 zhangsan", "你是 zhangsan", "每分钟最多收 2 条应用消息：其余回复已排队，约 "} {
		got, err := d.Say(context.Background(), "/whoami")
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if !strings.Contains(got, want) {
			t.Fatalf("line %d: %q, want %q", i+1, got, want)
		}
		if i == 2 && strings.Contains(got, "你是 zhangsan") {
			t.Fatalf("line 3 shows its held reply at once: %q", got)
		}
	}
	d.back.Store(-int64(61 * time.Second)) // a minute passes
	deadline := time.Now().Add(5 * time.Second)
	for shown := ""; !strings.Contains(shown, "你是 zhangsan"); shown += d.arrived() {
		if time.Now().After(deadline) {
			t.Fatalf("held reply never shown; got %q", shown)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
