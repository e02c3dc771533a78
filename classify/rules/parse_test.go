package rules

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// parse parses a YAML list of rules from src.
func parse(src, pack string) ([]Rule, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		return nil, err
	}
	return ParseRules(doc.Content[0], "r.yaml", pack)
}

// TestRuleErrors is a golden table: each bad rule and the exact error.
func TestRuleErrors(t *testing.T) {
	tests := []struct {
		name, src, pack, want string
	}{
		{"no name", "- tags: [a]\n  keywords: [x]\n", "", `r.yaml:1: name: every rule needs a name`},
		{"no tags", "- name: n\n  keywords: [x]\n", "", `r.yaml:1: rule "n": tags: every rule needs tags (names in the tag library)`},
		{"nothing to match", "- name: n\n  tags: [a]\n", "", `r.yaml:1: rule "n": a rule needs at least one of keywords, all, regex, when`},
		{"unknown key", "- name: n\n  tags: [a]\n  keyword: [x]\n  all: [y]\n", "",
			`r.yaml:3: rule "n": keyword: unknown key (a rule has name, tags, keywords, all, exclude, regex, on, from, when, mode, priority, score, llm)`},
		{"bad regex", "- name: n\n  tags: [a]\n  regex: 'a(b'\n", "", `r.yaml:3: rule "n": regex: missing closing ): ` + "`a(b`"},
		{"bad on", "- name: n\n  tags: [a]\n  keywords: [x]\n  on: events\n", "", `r.yaml:4: rule "n": on: want message or event:<type>, got "events"`},
		{"event rule with keywords", "- name: n\n  tags: [a]\n  keywords: [x]\n  on: event:order\n", "",
			`r.yaml:1: rule "n": on: an event rule matches by its when condition only (no keywords, all, exclude, regex)`},
		{"bad from", "- name: n\n  tags: [a]\n  keywords: [x]\n  from: boss\n", "", `r.yaml:4: rule "n": from: want customer, employee or any, got "boss"`},
		{"bad mode", "- name: n\n  tags: [a]\n  keywords: [x]\n  mode: force\n", "", `r.yaml:4: rule "n": mode: want suggest or auto, got "force"`},
		{"auto in a pack", "- name: n\n  tags: [a]\n  keywords: [x]\n  mode: auto\n", "p",
			`r.yaml:4: rule "n": mode: auto is only for rules in config.yaml (admins' rules), not in a pack`},
		{"bad priority", "- name: n\n  tags: [a]\n  keywords: [x]\n  priority: high\n", "", `r.yaml:4: rule "n": priority: want an integer, got "high"`},
		{"bad score", "- name: n\n  tags: [a]\n  keywords: [x]\n  score: 2\n", "", `r.yaml:4: rule "n": score: want a number in (0, 1], got "2"`},
		{"bad llm", "- name: n\n  tags: [a]\n  keywords: [x]\n  llm: maybe\n", "", `r.yaml:4: rule "n": llm: want verify, got "maybe"`},
		{"empty word", "- name: n\n  tags: [a]\n  keywords: [x, ' ']\n", "", `r.yaml:3: rule "n": keywords: empty word`},
		{"duplicate name", "- name: n\n  tags: [a]\n  keywords: [x]\n- name: n\n  tags: [a]\n  keywords: [y]\n", "",
			`r.yaml:4: rule "n": name: duplicate rule name (first at line 1)`},
		{"when syntax, caret under the fault", "- name: n\n  tags: [a]\n  when: count(\"色号\", \"7d\") >= \n", "",
			"r.yaml:3: rule \"n\": when: unexpected token EOF (column 20)\n  | count(\"色号\", \"7d\") >=\n  |                      ^"},
		{"when unknown name in a call", "- name: n\n  tags: [a]\n  when: hour(mesage.time) < 5\n", "",
			"r.yaml:3: rule \"n\": when: unknown name mesage (column 6)\n  | hour(mesage.time) < 5\n  |      ^"},
		{"when unknown field in a call", "- name: n\n  tags: [a]\n  when: hour(message.tiem) < 5\n", "",
			"r.yaml:3: rule \"n\": when: message has no field tiem (column 14)\n  | hour(message.tiem) < 5\n  |              ^"},
		{"when unquoted tag", "- name: n\n  tags: [a]\n  when: has_tag(VIP)\n", "",
			"r.yaml:3: rule \"n\": when: unknown name VIP (column 9)\n  | has_tag(VIP)\n  |         ^"},
		{"when unknown name", "- name: n\n  tags: [a]\n  when: custmer.added > 1\n", "",
			"r.yaml:3: rule \"n\": when: unknown name custmer (column 1)\n  | custmer.added > 1\n  | ^"},
		{"when wrong type", "- name: n\n  tags: [a]\n  when: hour(message.text) < 5\n", "",
			"r.yaml:3: rule \"n\": when: cannot use string as argument (type time.Time) to call hour (column 14)\n  | hour(message.text) < 5\n  |              ^"},
		{"when not bool", "- name: n\n  tags: [a]\n  when: hour(message.time)\n", "",
			"r.yaml:3: rule \"n\": when: expected bool, but got int"},
		{"when bad window, block scalar", "- name: n\n  tags: [a]\n  when: |\n    has_tag(\"a\") and\n    count(\"色号\", \"7 days\") > 1\n", "",
			"r.yaml:5: rule \"n\": when: window \"7 days\": want a duration like 7d, 24h or 30m (column 13)\n  | count(\"色号\", \"7 days\") > 1\n  |               ^"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(tt.src, tt.pack)
			if err == nil {
				t.Fatalf("ParseRules accepted:\n%s", tt.src)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestRuleDefaults(t *testing.T) {
	rs, err := parse("- name: 价格\n  tags: ' 价格敏感型 '\n  keywords: 多少钱\n  llm: verify\n", "")
	if err != nil {
		t.Fatal(err)
	}
	r := rs[0]
	got := []string{r.On, r.From, r.Mode, strings.Join(r.Tags, ","), strings.Join(r.Keywords, ",")}
	want := []string{OnMessage, FromCustomer, ModeSuggest, "价格敏感型", "多少钱"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d = %q, want %q", i, got[i], want[i])
		}
	}
	if r.Score != 1 || !r.Verify || r.Line != 1 {
		t.Errorf("Score %v Verify %v Line %d, want 1 true 1", r.Score, r.Verify, r.Line)
	}
}

func TestParseWindow(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string // duration or "error"
	}{{"7d", "168h0m0s"}, {"24h", "24h0m0s"}, {"30m", "30m0s"}, {"1h30m", "1h30m0s"}, {"0d", "error"}, {"-1h", "error"}, {"x", "error"}} {
		t.Run(tt.in, func(t *testing.T) {
			d, err := ParseWindow(tt.in)
			got := d.String()
			if err != nil {
				got = "error"
			}
			if got != tt.want {
				t.Errorf("ParseWindow(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}
