package stats

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tagbot/tagbot/store"
)

// TestRules: rule 价格 has one suggestion confirmed, one rejected, one
// pending (zs) and one expired (ls); rule 夜间 one pending (ls). Managers
// see all; ls only the suggestions for ls.
func TestRules(t *testing.T) {
	f := seed(t)
	add := func(ref, customer, follower, rule, tag string) store.Suggestion {
		t.Helper()
		sg, err := f.st.AddSuggestion(store.Suggestion{Ref: ref, Customer: customer, Follower: follower, Tags: refs(tag),
			Source: store.SourceRule, Rule: rule, Expires: f.clk.Now().Add(time.Hour)}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return sg
	}
	add("a1", "c4", "ls", "价格", "t2")
	f.clk.Advance(2 * time.Hour)
	if _, err := f.st.ExpireSuggestions(10); err != nil {
		t.Fatal(err)
	}
	ok := add("a2", "c2", "zs", "价格", "t2")
	if _, _, err := f.st.ConfirmSuggestion(store.SuggestionDecision{ID: ok.ID, Actor: "zs"}); err != nil {
		t.Fatal(err)
	}
	no := add("a3", "c3", "zs", "价格", "t2")
	if _, err := f.st.RejectSuggestion(no.ID, "zs"); err != nil {
		t.Fatal(err)
	}
	add("a4", "c6", "zs", "价格", "t1")
	add("a5", "c5", "ls", "夜间", "t2")
	for _, tc := range []struct {
		name string
		sc   Scope
		want []RuleCount
	}{
		{"manager", Scope{}, []RuleCount{{Rule: "价格", Confirmed: 1, Rejected: 1, Expired: 1, Pending: 1}, {Rule: "夜间", Pending: 1}}},
		{"employee ls", Scope{Follower: "ls"}, []RuleCount{{Rule: "价格", Expired: 1}, {Rule: "夜间", Pending: 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.s.Rules(time.Time{}, tc.sc)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got.Rules); d != "" {
				t.Errorf("rules differ (-want +got):\n%s", d)
			}
			text := Render(Result{Kind: KindRules, Rules: got}, cst, false)
			for _, line := range strings.Split(text, "\n") {
				if strings.HasPrefix(line, "夜间") && !strings.HasSuffix(line, "—") {
					t.Errorf("rule 夜间 (nothing decided) shows %q, want its rate as —", line)
				}
			}
			if !strings.Contains(text, "夜间") {
				t.Errorf("reply lacks rule 夜间:\n%s", text)
			}
		})
	}
}
