package rules

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestParsePack(t *testing.T) {
	src := `name: 美妆
description: 色号与肤质
groups:
  - name: 意向
    tags: [高意向, 观望型]
  - name: 肤质
    tags: [油皮]
rules:
  - name: 色号
    keywords: [色号]
    tags: [高意向]
`
	p, err := ParsePack([]byte(src), "beauty.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "美妆" || p.Description != "色号与肤质" || len(p.Rules) != 1 {
		t.Errorf("pack = %+v", p)
	}
	if got, want := p.TagNames(), []string{"高意向", "观望型", "油皮"}; !reflect.DeepEqual(got, want) {
		t.Errorf("TagNames() = %v, want %v", got, want)
	}
	if r := p.Rules[0]; r.Pack != "美妆" || r.File != "beauty.yaml" || r.Line != 9 {
		t.Errorf("rule Pack %q File %q Line %d, want 美妆 beauty.yaml 9", r.Pack, r.File, r.Line)
	}
}

func TestParsePackErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"empty", "", "p.yaml: empty pack file"},
		{"not a mapping", "- a\n", "p.yaml:1: want a mapping with name, description, groups, rules"},
		{"no name", "rules: []\n", "p.yaml:1: name: a pack needs a name"},
		{"unknown key", "name: p\nrule: []\n", "p.yaml:2: rule: unknown key (a pack has name, description, groups, rules)"},
		{"group without tags", "name: p\ngroups:\n  - name: g\n", "p.yaml:3: groups: a group needs a name and tags"},
		{"bad YAML", "name: [\n", "p.yaml: invalid YAML: line 1: did not find expected node content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePack([]byte(tt.src), "p.yaml")
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %s", err, tt.want)
			}
		})
	}
}

func TestLoadDuplicateAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	pack := "name: p\ngroups:\n  - name: g\n    tags: [a]\nrules:\n  - name: 同名\n    keywords: [x]\n    tags: [a]\n"
	if err := os.WriteFile(filepath.Join(dir, "p.yaml"), []byte(pack), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.yaml")
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("- name: 同名\n  keywords: [y]\n  tags: [a]\n"), &doc); err != nil {
		t.Fatal(err)
	}
	_, err := Load(cfg, doc.Content[0], []string{"p.yaml"})
	want := filepath.Join(dir, "p.yaml") + `:6: rule "同名": rule name already used in ` + cfg
	if err == nil || err.Error() != want {
		t.Errorf("Load error = %v, want %s", err, want)
	}
}
