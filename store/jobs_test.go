package store

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// jobCounts is what a job's counters say, for comparing.
type jobCounts struct {
	State                         JobState
	Total, Next, Applied, Skipped int
	FailedN                       int
	Failed                        map[string]int
}

func countsOf(j Job) jobCounts {
	return jobCounts{State: j.State, Total: j.Total, Next: j.Next, Applied: j.Applied, Skipped: j.Skipped, FailedN: j.FailedN, Failed: j.Failed}
}

func batchOf(t testing.TB, s *Store, batch string) []ChangeSet {
	t.Helper()
	h, err := s.History(Query{Batch: batch, Limit: 1000})
	must(t, err)
	return h
}

// bulkRows: +VIP on c1/zhangsan, c1/lisi, c2/zhangsan (has it already: skipped),
// a row denied when planned, and c2/lisi (no such relationship).
func bulkRows() []JobRow {
	return []JobRow{
		{Customer: "c1", Follower: "zhangsan"},
		{Customer: "c1", Follower: "lisi"},
		{Customer: "c2", Follower: "zhangsan"},
		{Customer: "c2", Follower: "zhangsan", Denied: "受保护标签"},
		{Customer: "c2", Follower: "lisi"},
	}
}

func TestJobAppliesEachRowOnceInChunks(t *testing.T) {
	s, _ := openTest(t)
	apply(t, s, "lisi", "c2", []string{"t1"}, nil)
	job, err := s.CreateJob(Job{Kind: "bulk", Actor: "boss", Source: SourceBulk, Add: tags("t1"), Reason: "双十一"}, bulkRows())
	must(t, err)
	if job.ID != "bg-bulk-1" || job.State != JobPending {
		t.Fatalf("created %s in state %s; want bg-bulk-1 pending", job.ID, job.State)
	}
	steps := []struct {
		n    int
		want jobCounts
	}{
		{2, jobCounts{State: JobRunning, Total: 5, Next: 2, Applied: 2}},
		{2, jobCounts{State: JobRunning, Total: 5, Next: 4, Applied: 2, Skipped: 1, FailedN: 1, Failed: map[string]int{"受保护标签": 1}}},
		{10, jobCounts{State: JobDone, Total: 5, Next: 5, Applied: 2, Skipped: 1, FailedN: 2, Failed: map[string]int{"受保护标签": 1, JobFailNoRelationship: 1}}},
		{10, jobCounts{State: JobDone, Total: 5, Next: 5, Applied: 2, Skipped: 1, FailedN: 2, Failed: map[string]int{"受保护标签": 1, JobFailNoRelationship: 1}}},
	}
	for i, st := range steps {
		got, err := s.ApplyJobChunk(job.ID, st.n)
		must(t, err)
		if d := cmp.Diff(st.want, countsOf(got)); d != "" {
			t.Fatalf("step %d counters (-want +got):\n%s", i, d)
		}
	}
	h := batchOf(t, s, job.ID)
	if len(h) != 2 {
		t.Fatalf("%d change-sets in the batch; want 2", len(h))
	}
	for _, cs := range h {
		if cs.Source != SourceBulk || cs.Actor != "boss" || cs.Reason != "双十一" || cs.Outbox == 0 {
			t.Errorf("change-set %d: source %s actor %s reason %q outbox %d; want bulk, boss, 双十一 and an outbox entry", cs.ID, cs.Source, cs.Actor, cs.Reason, cs.Outbox)
		}
	}
	if got := relTags(t, s, "c1", "lisi"); !cmp.Equal(got, []string{"t1"}) {
		t.Errorf("c1/lisi has %v; want [t1]", got)
	}
	j, err := s.Job(job.ID)
	must(t, err)
	if len(j.Examples) != 2 || j.Examples[1].Customer != "c2" || j.Examples[1].Follower != "lisi" {
		t.Errorf("examples %+v; want the denied row and c2/lisi", j.Examples)
	}
	if n := keysUnder(t, s, "jobr:"); n != 0 {
		t.Errorf("%d job rows left after the job ended", n)
	}
}

func keysUnder(t testing.TB, s *Store, prefix string) int {
	t.Helper()
	n := 0
	must(t, s.view(func(tx *txn) error {
		scan(tx, prefix, func(string, string) bool { n++; return true })
		return nil
	}))
	return n
}

// TestJobResumesAfterReopen: the cursor is in the file; a reopened store
// goes on from it and the batch ends with each row applied once.
func TestJobResumesAfterReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tagbot.db")
	s, err := Open(path, Options{})
	must(t, err)
	seed(t, s)
	job, err := s.CreateJob(Job{Kind: "bulk", Actor: "boss", Source: SourceBulk, Add: tags("t3"), Remove: tags("t4")}, bulkRows())
	must(t, err)
	_, err = s.ApplyJobChunk(job.ID, 1)
	must(t, err)
	must(t, s.Close())
	s, err = Open(path, Options{})
	must(t, err)
	defer s.Close()
	js, err := s.Jobs(true)
	must(t, err)
	if len(js) != 1 || js[0].Next != 1 || js[0].State != JobRunning {
		t.Fatalf("unfinished jobs after reopen: %+v; want %s running at row 1", js, job.ID)
	}
	got, err := s.ApplyJobChunk(job.ID, 100)
	must(t, err)
	want := jobCounts{State: JobDone, Total: 5, Next: 5, Applied: 3, FailedN: 2, Failed: map[string]int{"受保护标签": 1, JobFailNoRelationship: 1}}
	if d := cmp.Diff(want, countsOf(got)); d != "" {
		t.Fatalf("counters (-want +got):\n%s", d)
	}
	if n := len(batchOf(t, s, job.ID)); n != 3 {
		t.Fatalf("%d change-sets in the batch; want 3", n)
	}
	must(t, s.Verify())
}

// TestUndoJob takes a batch back newest first: a change-set by someone
// else since is a conflict unless forced; a later change in the same batch
// the job already took back is not.
func TestUndoJob(t *testing.T) {
	for _, force := range []bool{false, true} {
		t.Run(map[bool]string{false: "conflict left", true: "forced"}[force], func(t *testing.T) {
			s, _ := openTest(t)
			a := apply(t, s, "intern", "c1", []string{"t3"}, nil)
			b := apply(t, s, "intern", "c1", nil, []string{"t3"})
			c := apply(t, s, "intern", "c2", []string{"t3"}, nil)
			apply(t, s, "lisi", "c2", []string{"t4"}, []string{"t3"}) // someone else since
			rows := []JobRow{{Reverts: c.ID}, {Reverts: b.ID}, {Reverts: a.ID}}
			job, err := s.CreateJob(Job{Kind: "undo", Actor: "boss", Source: SourceUndo, Force: force}, rows)
			must(t, err)
			got, err := s.ApplyJobChunk(job.ID, 10)
			must(t, err)
			want := jobCounts{State: JobDone, Total: 3, Next: 3, Applied: 2, FailedN: 1, Failed: map[string]int{JobFailConflict: 1}}
			if force {
				want = jobCounts{State: JobDone, Total: 3, Next: 3, Applied: 2, Skipped: 1} // lisi already removed t3
			}
			if d := cmp.Diff(want, countsOf(got), cmpopts.EquateEmpty()); d != "" {
				t.Fatalf("counters (-want +got):\n%s", d)
			}
			if tags := relTags(t, s, "c1", "zhangsan"); len(tags) != 0 {
				t.Errorf("c1 has %v after the undo; want none", tags)
			}
		})
	}
}

func TestCancelJobDropsTheRest(t *testing.T) {
	s, _ := openTest(t)
	job, err := s.CreateJob(Job{Kind: "bulk", Actor: "boss", Source: SourceBulk, Add: tags("t1")}, bulkRows())
	must(t, err)
	_, err = s.ApplyJobChunk(job.ID, 1)
	must(t, err)
	c, err := s.CancelJob(job.ID)
	must(t, err)
	if c.State != JobCancelled || keysUnder(t, s, "jobr:") != 0 {
		t.Fatalf("state %s with %d rows left; want cancelled and none", c.State, keysUnder(t, s, "jobr:"))
	}
	again, err := s.ApplyJobChunk(job.ID, 10)
	must(t, err)
	if again.Next != 1 || again.Applied != 1 {
		t.Fatalf("a cancelled job went on: next %d applied %d", again.Next, again.Applied)
	}
	if _, err := s.CreateJob(Job{Kind: "bulk", Actor: "boss", Source: SourceBulk}, nil); err != ErrNoChange {
		t.Errorf("a job with no rows: %v; want ErrNoChange", err)
	}
}

// TestUndoBatchJob takes a whole bulk batch back with an undo job.
func TestUndoBatchJob(t *testing.T) {
	s, _ := openTest(t)
	job, err := s.CreateJob(Job{Kind: "bulk", Actor: "boss", Source: SourceBulk, Add: tags("t3")}, bulkRows()[:3])
	must(t, err)
	_, err = s.ApplyJobChunk(job.ID, 10)
	must(t, err)
	rows, err := s.RevertRows(job.ID)
	must(t, err)
	if len(rows) != 3 || rows[0].Reverts < rows[2].Reverts {
		t.Fatalf("revert rows %+v; want 3, newest first", rows)
	}
	undo, err := s.CreateJob(Job{Kind: "undo", Actor: "boss", Source: SourceUndo}, rows)
	must(t, err)
	got, err := s.ApplyJobChunk(undo.ID, 10)
	must(t, err)
	if d := cmp.Diff(jobCounts{State: JobDone, Total: 3, Next: 3, Applied: 3}, countsOf(got)); d != "" {
		t.Fatalf("undo counters (-want +got):\n%s", d)
	}
	for _, r := range [][2]string{{"c1", "zhangsan"}, {"c1", "lisi"}, {"c2", "zhangsan"}} {
		if tags := relTags(t, s, r[0], r[1]); len(tags) != 0 {
			t.Errorf("%s/%s has %v after the undo; want none", r[0], r[1], tags)
		}
	}
}
