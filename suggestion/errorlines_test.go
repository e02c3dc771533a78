package suggestion

import (
	"errors"
	"testing"

	"github.com/tagbot/tagbot/internal/display"
)

// TestErrorLines: a rule error reaches chat one line per line (not
// squashed into one), without the caret line, and a long one is cut.
func TestErrorLines(t *testing.T) {
	caret := errors.New("serve.yaml:25: rule \"三问色号\": when: window \"7 days\": want a duration like 7d (column 13)\n  | count(\"色号\", \"7 days\") >= 3\n  |               ^")
	many := errors.New("1\n2\n3\n4")
	for _, tc := range []struct {
		name string
		err  error
		max  int
		want string
	}{
		{"caret", caret, maxErrorLines, "serve.yaml:25: rule \"三问色号\": when: window \"7 days\": want a duration like 7d (column 13)\n| count(\"色号\", \"7 days\") >= 3"},
		{"cut", many, 2, "1\n2\n…另有 2 行，见日志"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := display.Reply(errorLines(tc.err, tc.max)); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
