package store

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// revertStep is one change-set an undo wrote, for comparing orders: which
// change-set it takes back and which revert it names as its cause.
type revertStep struct {
	Reverts string // "original" or "triggered"
	Cause   string // "" or "original's revert"
}

// revertSteps names the reverts in ledger order (oldest first).
func revertSteps(css []ChangeSet, orig, caused ID) []revertStep {
	css = slices.Clone(css)
	slices.SortFunc(css, func(a, b ChangeSet) int { return int(a.ID) - int(b.ID) })
	name := map[ID]string{orig: "original", caused: "triggered"}
	anchor := ID(0)
	for _, cs := range css {
		if cs.Reverts == orig {
			anchor = cs.ID
		}
	}
	out := make([]revertStep, len(css))
	for i, cs := range css {
		out[i].Reverts = name[cs.Reverts]
		if cs.Cause != 0 && cs.Cause == anchor {
			out[i].Cause = "original's revert"
		} else if cs.Cause != 0 {
			out[i].Cause = cs.Cause.String()
		}
	}
	return out
}

// TestUndoJobRevertsTriggeredFirst: an undo job row takes back what the
// original's triggers did before the original itself (newest first), as
// /undo N (RevertAll) does, with the original's revert as the cause of
// the others.
func TestUndoJobRevertsTriggeredFirst(t *testing.T) {
	s, clk := openTest(t)
	synced(t, s, clk)
	s.SetTriggers(impliesVIP)
	want := []revertStep{{Reverts: "triggered", Cause: "original's revert"}, {Reverts: "original"}}

	one := apply(t, s, "zhangsan", "c1", []string{"t3"}, nil)
	oneCaused, err := s.Caused(one.ID)
	must(t, err)
	_, err = s.Revert(one.ID, RevertOptions{Actor: "zhangsan", Batch: "undo-one"})
	must(t, err)
	if d := cmp.Diff(want, revertSteps(batchOf(t, s, "undo-one"), one.ID, oneCaused[0].ID)); d != "" {
		t.Fatalf("/undo N order (-want +got):\n%s", d)
	}

	two := apply(t, s, "zhangsan", "c2", []string{"t3"}, nil)
	twoCaused, err := s.Caused(two.ID)
	must(t, err)
	job, err := s.CreateJob(Job{Kind: "undo", Actor: "boss", Source: SourceUndo}, []JobRow{{Reverts: two.ID}})
	must(t, err)
	got, err := s.ApplyJobChunk(job.ID, 10)
	must(t, err)
	if d := cmp.Diff(jobCounts{State: JobDone, Total: 1, Next: 1, Applied: 1}, countsOf(got)); d != "" {
		t.Fatalf("undo counters (-want +got):\n%s", d)
	}
	if d := cmp.Diff(want, revertSteps(batchOf(t, s, job.ID), two.ID, twoCaused[0].ID)); d != "" {
		t.Fatalf("mass undo order (-want +got):\n%s", d)
	}
	if tags := relTags(t, s, "c2", "zhangsan"); len(tags) != 0 {
		t.Errorf("c2 has %v after the undo; want none", tags)
	}
	// Undoing the undo finds the triggered revert through its cause.
	for _, cs := range batchOf(t, s, job.ID) {
		if cs.Reverts != two.ID {
			continue
		}
		back, err := s.Caused(cs.ID)
		must(t, err)
		if len(back) != 1 || back[0].Reverts != twoCaused[0].ID {
			t.Errorf("Caused(revert #%d) = %+v; want the revert of #%d", cs.ID, back, twoCaused[0].ID)
		}
	}
}
