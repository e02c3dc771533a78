package commands

import "testing"

// TestExportSlots: one large export per member, two in all; a finished one
// frees its slot.
func TestExportSlots(t *testing.T) {
	var e exportSlots
	steps := []struct {
		user string
		want bool
	}{{"a", true}, {"a", false}, {"b", true}, {"c", false}}
	for _, s := range steps {
		if got := e.start(s.user); got != s.want {
			t.Fatalf("start(%s) = %v, want %v", s.user, got, s.want)
		}
	}
	e.done("a")
	if !e.start("c") {
		t.Error("start(c) after a finished = false, want true")
	}
}
