package commands

import (
	"context"
	"strings"
	"testing"
)

func TestWantsMassUndo(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"/undo", false},
		{"/undo 12", false},
		{"/undo #12 force", false},
		{"/undo @lisi since:今天", true},
		{"/undo since:昨天 until:今天", true},
		{"/undo tag:高意向 since:今天", true},
		{"/undo source:import since:今天", true},
		{"/undo 来源：import since:今天", true},
		{"/undo bg-bulk-12", true},
		{"/undo sourceimport", false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			cmd, err := Parse(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if got := wantsMassUndo(cmd.Args); got != tt.want {
				t.Errorf("wantsMassUndo(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

// recordingMassUndo answers every mass undo with what it received.
type recordingMassUndo struct{ got []string }

func (m *recordingMassUndo) MassUndo(_ context.Context, req *ExtRequest) ([]Reply, error) {
	m.got = append(m.got, req.UserID+" "+req.Role.Label())
	return []Reply{{Text: "mass undo"}}, nil
}

func TestUndoHandsMassUndoOver(t *testing.T) {
	e := newEnv(t)
	mu := &recordingMassUndo{}
	r, err := NewRouter(Options{Store: e.st, Config: testConfig(), Now: e.clk.Now, MassUndo: mu})
	if err != nil {
		t.Fatal(err)
	}
	say := func(user, text string) string { return joinReplies(r.HandleText(context.Background(), user, text)) }
	if got := say("mgr", "/undo @zhangsan since:今天"); got != "mass undo" || len(mu.got) != 1 || !strings.HasPrefix(mu.got[0], "mgr ") {
		t.Errorf("mass undo reply %q, received %q", got, mu.got)
	}
	if got := say("zhangsan", "/undo"); got == "mass undo" || len(mu.got) != 1 {
		t.Errorf("plain /undo went to MassUndo: %q", got)
	}
}
