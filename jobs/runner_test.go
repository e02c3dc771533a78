package jobs

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tagbot/tagbot/store"
)

// openStore opens a store with one tag and n customers followed by zhangsan.
func openStore(t *testing.T, n int) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "tagbot.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	lib := store.Library{Groups: []store.Group{{ID: "g1", Name: "活动"}},
		Tags: []store.Tag{{ID: "t1", GroupID: "g1", GroupName: "活动", Name: "双十一"}}}
	if _, err := s.PutLibrary(lib, "sync"); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		id := fmt.Sprintf("c%03d", i)
		if err := s.UpsertCustomer(store.Customer{ID: id, Name: id}, []store.FollowInfo{{Follower: "zhangsan"}}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func createJob(t *testing.T, s *store.Store, n int) store.Job {
	t.Helper()
	rows := make([]store.JobRow, n)
	for i := range rows {
		rows[i] = store.JobRow{Customer: fmt.Sprintf("c%03d", i), Follower: "zhangsan"}
	}
	job, err := s.CreateJob(store.Job{Kind: "bulk", Actor: "boss", Source: store.SourceBulk, Add: []store.TagRef{{ID: "t1"}}}, rows)
	if err != nil {
		t.Fatal(err)
	}
	return job
}

// progressLog collects what the runner reports.
type progressLog struct {
	mu   sync.Mutex
	seen []store.Job
	done chan store.Job
}

func (p *progressLog) add(j store.Job) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen = append(p.seen, j)
	if !j.State.Runnable() {
		p.done <- j
	}
}

func TestRunnerRunsAndResumes(t *testing.T) {
	s := openStore(t, 25)
	job := createJob(t, s, 25)
	if _, err := s.ApplyJobChunk(job.ID, 7); err != nil { // as if a run was cut short
		t.Fatal(err)
	}
	log := &progressLog{done: make(chan store.Job, 1)}
	kicks := 0
	r := &Runner{Store: s, Chunk: 5, MaxBacklog: -1, Kick: func() { kicks++ }}
	r.Handle("bulk", log.add)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.Run(ctx)
	select {
	case j := <-log.done:
		if j.State != store.JobDone || j.Applied != 25 || j.Next != 25 {
			t.Fatalf("ended %s with %d of %d applied; want done, 25 of 25", j.State, j.Applied, j.Next)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the job never ended")
	}
	cancel()
	// 18 rows left in chunks of 5: four chunks, each reported.
	if len(log.seen) != 4 || kicks != 4 {
		t.Fatalf("%d progress reports and %d kicks; want 4 each", len(log.seen), kicks)
	}
	h, err := s.History(store.Query{Batch: job.ID, Limit: 100})
	if err != nil || len(h) != 25 {
		t.Fatalf("%d change-sets in the batch (%v); want 25", len(h), err)
	}
}

// TestRunnerWaitsForWeCom: no chunk while the outbox backlog is at the limit.
func TestRunnerWaitsForWeCom(t *testing.T) {
	s := openStore(t, 10)
	job := createJob(t, s, 10)
	r := &Runner{Store: s, Chunk: 4, MaxBacklog: 4}
	for i, want := range []bool{true, false} {
		worked, err := r.Step(context.Background())
		if err != nil || worked != want {
			t.Fatalf("step %d: worked %v (%v); want %v", i, worked, err, want)
		}
	}
	if err := r.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if j, _ := s.Job(job.ID); j.State != store.JobDone {
		t.Fatalf("after Drain the job is %s; want done", j.State)
	}
}

// TestRunnerReportsUnreportedAtStart: a job that ended before a crash but
// whose summary was never sent is reported again at start.
func TestRunnerReportsUnreportedAtStart(t *testing.T) {
	s := openStore(t, 3)
	job := createJob(t, s, 3)
	if _, err := s.ApplyJobChunk(job.ID, 10); err != nil {
		t.Fatal(err)
	}
	var got []string
	r := &Runner{Store: s, Progress: func(j store.Job) { got = append(got, j.ID) }}
	r.init()
	if err := r.recover(); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkJobReported(job.ID); err != nil {
		t.Fatal(err)
	}
	if err := r.recover(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != job.ID {
		t.Fatalf("reported %v; want %s once", got, job.ID)
	}
}
