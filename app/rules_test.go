package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/classify"
)

func TestReloadRules(t *testing.T) {
	_, cfg := fakeCompany(t)
	file := filepath.Join(t.TempDir(), "config.yaml")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(file, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	m, err := New(cfg, Options{Logger: discard(), ConfigPath: file})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Store.Close() })
	if err := m.SyncIfNeeded(context.Background()); err != nil {
		t.Fatal(err)
	}
	names := func() []string {
		var out []string
		for _, r := range m.Rules.Rules() {
			out = append(out, r.Name)
		}
		return out
	}

	write("rules:\n  - name: 想买\n    keywords: [怎么买]\n    tags: [高意向]\n")
	if err := m.ReloadRules(); err != nil {
		t.Fatalf("ReloadRules: %v", err)
	}
	if got := names(); len(got) != 1 || got[0] != "想买" {
		t.Fatalf("rules = %v, want [想买]", got)
	}
	tests := []struct{ name, yaml, wantErr string }{
		{"unknown tag", "rules:\n  - name: 坏\n    keywords: [x]\n    tags: [不存在的标签]\n",
			`config.yaml:4: rule "坏": tags: unknown tag "不存在的标签"`},
		{"bad condition", "rules:\n  - name: 坏\n    when: hour(\n    tags: [高意向]\n", `config.yaml:3: rule "坏": when:`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			write(tt.yaml)
			err := m.ReloadRules()
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ReloadRules error = %v, want it to contain %s", err, tt.wantErr)
			}
			if got := names(); len(got) != 1 || got[0] != "想买" {
				t.Errorf("after a refused reload rules = %v, want the old [想买]", got)
			}
			ms, _ := m.Rules.Classify(context.Background(), classify.Input{Message: &classify.Message{Text: "这个怎么买"}}, nil)
			if len(ms) != 1 {
				t.Errorf("old rules do not classify: %v", ms)
			}
		})
	}
}
