package nl

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// phrasing is one fixture of testdata/phrasings.yaml: what a user says
// and either the slash command it must run, a fragment of the question
// it must ask back, or none (not understood, nothing runs).
type phrasing struct {
	Say  string `yaml:"say"`
	Run  string `yaml:"run"`
	Ask  string `yaml:"ask"`
	None bool   `yaml:"none"`
}

// got is what a test compares: the fields of a Result that matter.
type got struct {
	Kind  Kind
	Slash string
	Write bool
}

func loadPhrasings(t testing.TB) []phrasing {
	t.Helper()
	b, err := os.ReadFile("testdata/phrasings.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var ps []phrasing
	if err := yaml.Unmarshal(b, &ps); err != nil {
		t.Fatal(err)
	}
	return ps
}

// writeCommands are the commands that change tags.
var writeCommands = map[string]bool{"tag": true, "untag": true, "undo": true, "redo": true, "rollback": true, "restore": true}

// isWriteSlash reports whether one of the commands of slash (several
// joined by "；") writes.
func isWriteSlash(slash string) bool {
	for _, one := range strings.Split(slash, stepSlashSep) {
		name, _, _ := strings.Cut(strings.TrimPrefix(one, "/"), " ")
		if writeCommands[name] {
			return true
		}
	}
	return false
}

func TestPhrasings(t *testing.T) {
	ps := loadPhrasings(t)
	if len(ps) < 200 {
		t.Errorf("%d phrasings, want at least 200", len(ps))
	}
	names := testNames()
	for _, p := range ps {
		t.Run(p.Say, func(t *testing.T) {
			r := Parse(p.Say, names)
			have := got{r.Kind, r.Slash, r.Write}
			switch {
			case p.Run != "":
				want := got{Run, p.Run, isWriteSlash(p.Run)}
				if have != want {
					t.Errorf("Parse(%q) = %+v (ask %q), want %+v", p.Say, have, r.Ask, want)
				}
			case p.Ask != "":
				if r.Kind == Run || !strings.Contains(r.Ask, p.Ask) {
					t.Errorf("Parse(%q) = %+v ask %q, want a question containing %q", p.Say, have, r.Ask, p.Ask)
				}
			case p.None:
				if r.Kind == Run {
					t.Errorf("Parse(%q) = %+v, want nothing run", p.Say, have)
				}
			default:
				t.Fatalf("fixture %q has no run, ask or none", p.Say)
			}
		})
	}
}

// TestNoUnintendedWrite: a write comes only from a phrasing that means
// it. Every fixture that is not an intended write must parse to a read, a
// question or nothing, and every intended write turned into a question
// (吗？, 呢, ︖, 么), a negation (别, 不要) or a report of the past (昨天…,
// 已经…, …了) must not write either.
func TestNoUnintendedWrite(t *testing.T) {
	names := testNames()
	writes := 0
	for _, p := range loadPhrasings(t) {
		r := Parse(p.Say, names)
		if p.Run != "" && isWriteSlash(p.Run) {
			writes++
			variants := []string{p.Say + "吗？", p.Say + "?", p.Say + "︖", p.Say + "﹖", p.Say + "呢", p.Say + "么", p.Say + "嘛",
				"别" + p.Say, "不要" + p.Say, "先不" + p.Say}
			if (strings.HasPrefix(p.Run, "/tag ") || strings.HasPrefix(p.Run, "/untag ")) && !strings.Contains(p.Run, stepSlashSep) { // reports of the past
				variants = append(variants, "昨天"+p.Say, "已经"+p.Say, strings.TrimRight(p.Say, "。！!吧")+"了", "我"+p.Say+"了")
			}
			for _, v := range variants {
				if strings.HasSuffix(v, "了了") || strings.Contains(v, "不是") && strings.HasSuffix(v, "了") && !strings.HasPrefix(v, "昨天") {
					continue // 张三不是VIP了 stays a write
				}
				if r := Parse(v, names); r.Write || r.Kind == Run && writeCommands[r.Cmd.Name] {
					t.Errorf("Parse(%q) writes %s; a question or negation must not", v, r.Slash)
				}
			}
			continue
		}
		if r.Write || r.Kind == Run && writeCommands[r.Cmd.Name] {
			t.Errorf("Parse(%q) writes %s; the fixture does not mean a write", p.Say, r.Slash)
		}
	}
	if writes < 50 {
		t.Errorf("only %d intended writes in the fixtures; the test proves little", writes)
	}
}
