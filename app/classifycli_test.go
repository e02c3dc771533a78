package app

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestClassifyCLI(t *testing.T) {
	dir := t.TempDir()
	pack := "name: 测试\ngroups:\n  - name: g\n    tags: [价格敏感型, 高意向]\nrules:\n  - name: 价格\n    keywords: [多少钱, 价格]\n    exclude: [不问价格]\n    tags: [价格敏感型]\n"
	cfg := "rule_packs: [p.yaml]\nrules:\n  - name: 三问色号\n    keywords: [色号]\n    when: count(\"色号\", \"7d\") >= 3\n    tags: [高意向]\n  - name: 深夜\n    keywords: [睡不着]\n    when: hour(message.time) < 5\n    tags: [高意向]\n"
	for name, s := range map[string]string{"p.yaml": pack, "config.yaml": cfg} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	in := strings.Join([]string{
		`{"id":1,"text":"這個價格多少"}`,
		`{"id":"c2","messages":[{"text":"色号"},{"text":"色号呢","from":"customer"},{"text":"这个色号还有吗，多少钱"}]}`,
		`{"id":"c3","messages":[{"text":"色号"},{"text":"色号","from":"employee"},{"text":"色号"}]}`,
		`{"id":4,"text":"我不问价格"}`,
		`not json`,
		`{"id":5,"messages":[{"text":"睡不着","time":"2026-03-01T03:00:00+08:00"}]}`,
		`{"id":6,"messages":[{"text":"睡不着","time":1772334000}]}`,
		`{"id":7,"text":"x","messages":[]}`,
	}, "\n")
	var out, errw bytes.Buffer
	now := func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }
	err := ClassifyCLI(filepath.Join(dir, "config.yaml"), strings.NewReader(in), &out, &errw, now)
	want := `{"id":1,"tags":["价格敏感型"],"rules":["价格"]}
{"id":"c2","tags":["高意向","价格敏感型"],"rules":["三问色号","价格"]}
{"id":"c3","tags":[],"rules":[]}
{"id":4,"tags":[],"rules":[]}
{"id":5,"tags":["高意向"],"rules":["深夜"]}
{"id":6,"tags":[],"rules":[]}
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	wantErr := "line 5: bad JSON: invalid character 'o' in literal null (expecting 'u')\nline 8: want exactly one of \"text\" and \"messages\"\n"
	if diff := cmp.Diff(wantErr, errw.String()); diff != "" {
		t.Errorf("stderr (-want +got):\n%s", diff)
	}
	if code := ExitCode(err); code != ExitFailure {
		t.Errorf("exit code %d (%v), want %d", code, err, ExitFailure)
	}
}

func TestClassifyCLIBadConfig(t *testing.T) {
	file := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(file, []byte("rules:\n  - name: r\n    regex: '('\n    tags: [a]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errw bytes.Buffer
	err := ClassifyCLI(file, strings.NewReader(""), &out, &errw, nil)
	if code := ExitCode(err); code != ExitUsage || !strings.Contains(err.Error(), `config.yaml:3: rule "r": regex:`) {
		t.Errorf("error %v (exit %d), want exit %d naming the line", err, code, ExitUsage)
	}
}
