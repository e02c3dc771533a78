package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseRules(t *testing.T) {
	tests := []struct {
		name, yaml string
		wantErr    string // "" for none
		wantRules  int
	}{
		{"none", "log:\n  level: info\n", "", 0},
		{"one rule", "rules:\n  - name: 价格咨询\n    keywords: [多少钱]\n    tags: [价格敏感型]\n", "", 1},
		{"bad regex names line", "rules:\n  - name: r\n    regex: '(['\n    tags: [a]\n",
			`c.yaml:3: rule "r": regex: missing closing ]`, 0},
		{"bad when has caret", "rules:\n  - name: r\n    tags: [a]\n    when: hour(message.time) <\n",
			"c.yaml:4: rule \"r\": when: unexpected token EOF (column 20)\n  | hour(message.time) <\n  |                    ^", 0},
		{"pack error names pack file", "rule_packs: [testdata/packs/bad.yaml]\n",
			`c.yaml:1: rule_packs: testdata/packs/bad.yaml:10: rule "坏条件": when: window "7x"`, 0},
		{"missing pack", "rule_packs: [testdata/packs/none.yaml]\n", "read pack:", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "c.yaml"
			if strings.Contains(tt.yaml, "testdata/") {
				// packs are relative to the config file's folder
				name = filepath.Join(".", "c.yaml")
			}
			c, err := Parse([]byte(tt.yaml), name, nil)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if got := len(c.RuleSet().All()); got != tt.wantRules {
					t.Errorf("rules = %d, want %d", got, tt.wantRules)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse error = %v\nwant it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestLoadRulePackRelative(t *testing.T) {
	dir := t.TempDir()
	pack := "name: p\ngroups:\n  - name: g\n    tags: [甲]\nrules:\n  - name: r\n    keywords: [好]\n    tags: [甲]\n"
	if err := os.MkdirAll(filepath.Join(dir, "packs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "packs", "p.yaml"), []byte(pack), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("rule_packs: [packs/p.yaml]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(cfg)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := c.RuleSet().Packs[0].Rules[0].Name; got != "r" {
		t.Errorf("pack rule = %q, want r", got)
	}
}
