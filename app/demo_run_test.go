package app

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
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
