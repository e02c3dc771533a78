package lifecycle

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/clocktest"
	"github.com/tagbot/tagbot/store"
)

// killChildEnv names the store a child process runs a lifecycle run on.
const killChildEnv = "TAGBOT_LIFECYCLE_KILL_CHILD"

// TestKillMidRun runs a lifecycle run in a child process that applies its
// job one row per transaction, kills it with SIGKILL after a few rows,
// then resumes the job in this process: every change the preview named is
// applied exactly once.
func TestKillMidRun(t *testing.T) {
	if os.Getenv(killChildEnv) != "" {
		t.Skip("the child's own run")
	}
	e := newEnv(t, testYAML)
	seedSleepers(e, 40)
	plan, err := e.svc.Preview(context.Background(), []string{"沉睡会员"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$")
	cmd.Env = append(os.Environ(), killChildEnv+"="+e.path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var job string
	applied := 0
	lines := bufio.NewScanner(out)
	for applied < 7 && lines.Scan() {
		switch l := lines.Text(); {
		case strings.HasPrefix(l, "job "):
			job = strings.TrimPrefix(l, "job ")
		case strings.HasPrefix(l, "applied "):
			applied++
		}
	}
	if job == "" || applied < 7 {
		t.Fatalf("child: job %q, %d rows applied before it ended", job, applied)
	}
	if err := cmd.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	s, err := store.Open(e.path, store.Options{Sync: "never"})
	if errors.Is(err, store.ErrTorn) {
		s, err = store.Open(e.path, store.Options{CutTornTail: true}) // the kill tore the last write
	}
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	e.open()
	e.load()
	j, err := e.st.Job(job)
	if err != nil {
		t.Fatal(err)
	}
	if !j.State.Runnable() || j.Next < 7 || j.Next >= j.Total {
		t.Fatalf("after the kill job %s is %s at row %d of %d; want it stopped midway", job, j.State, j.Next, j.Total)
	}
	e.drain()
	if got, want := e.batchLines(job), planLines(plan.Changes); !reflect.DeepEqual(got, want) {
		t.Errorf("after resuming, batch %s has %d change-sets\n%q\nwant the preview's %d\n%q", job, len(got), got, len(want), want)
	}
}

// TestKillChild is the child of TestKillMidRun: it runs 沉睡会员 on the
// store and applies the job a row at a time, slowly, until killed.
func TestKillChild(t *testing.T) {
	path := os.Getenv(killChildEnv)
	if path == "" {
		t.Skip("run by TestKillMidRun")
	}
	clk := clocktest.New(t0)
	st, err := store.Open(path, store.Options{Now: clk.Now, Sync: "never"})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse([]byte(testYAML), "config.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	svc := New(Options{Store: st, Now: clk.Now, Logger: slog.New(slog.DiscardHandler)})
	if err := svc.Load(cfg, "config.yaml"); err != nil {
		t.Fatal(err)
	}
	run, err := svc.RunNow(context.Background(), "boss", []string{"沉睡会员"})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("job %s\n", run.Job)
	for {
		j, err := st.ApplyJobChunk(run.Job, 1)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("applied %d\n", j.Next)
		if !j.State.Runnable() {
			t.Fatal("the job ended before the parent killed the child")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
