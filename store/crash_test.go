package store

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary double as the crash child: with
// TAGBOT_CRASH_CHILD set it writes change-sets forever until killed.
func TestMain(m *testing.M) {
	if path := os.Getenv("TAGBOT_CRASH_CHILD"); path != "" {
		crashChild(path)
		return
	}
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func crashChild(path string) {
	s, err := Open(path, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	tagIDs := []string{"t1", "t2", "t3", "t4"}
	customers := []string{"c1", "c2"}
	for i := 0; ; i++ {
		cust := customers[i%2]
		tag := tagIDs[(i/2)%4]
		rel, err := s.Relationship(cust, "zhangsan")
		if err != nil {
			os.Exit(4)
		}
		cs := ChangeSet{Actor: "child", Source: SourceCommand, Customer: cust, Follower: "zhangsan"}
		if _, has := rel.Tags[tag]; has {
			cs.Remove = tags(tag)
		} else {
			cs.Add = tags(tag)
		}
		switch i % 7 {
		case 3:
			if p, _ := s.PendingOutbox(1); len(p) > 0 {
				s.OutboxDone(p[0].ID)
			}
		case 5:
			if p, _ := s.PendingOutbox(1); len(p) > 0 {
				s.OutboxFailed(p[0].ID, 84061, "not external contact", func(OutboxEntry) string { return "变更未生效" })
			}
		}
		if _, err := s.Apply(cs); err != nil && !errors.Is(err, ErrNoChange) {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(5)
		}
		if i%50 == 0 {
			os.WriteFile(path+".progress", []byte(strconv.Itoa(i)), 0o600)
		}
	}
}

// TestCrashConsistency kills a child that writes change-sets in a loop with
// SIGKILL, several times, and checks after each kill that ledger, current
// tags and outbox agree and that writing continues where it stopped.
func TestCrashConsistency(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tagbot.db")
	s, err := Open(path, Options{})
	must(t, err)
	seed(t, s)
	must(t, s.Close())
	var lastCount int
	for round := 0; round < 4; round++ {
		os.Remove(path + ".progress")
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "TAGBOT_CRASH_CHILD="+path)
		cmd.Stderr = os.Stderr
		must(t, cmd.Start())
		deadline := time.Now().Add(20 * time.Second)
		for {
			b, _ := os.ReadFile(path + ".progress")
			if n, _ := strconv.Atoi(string(b)); n >= 200 {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatal("child made no progress")
			}
			time.Sleep(5 * time.Millisecond)
		}
		must(t, cmd.Process.Signal(syscall.SIGKILL))
		err := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("child ended by itself: %v", err)
		}
		s, err := Open(path, Options{})
		if errors.Is(err, ErrTorn) {
			// The kill landed inside a write() that spanned pages: Linux
			// stops such a write between pages for a fatal signal. The
			// transaction was never acknowledged; repair cuts it off.
			t.Logf("round %d: torn by the kill; repairing", round)
			s, err = Open(path, Options{CutTornTail: true})
		}
		must(t, err)
		if err := s.Verify(); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		h, err := s.History(Query{Limit: 1})
		must(t, err)
		if len(h) == 0 || int(h[0].ID) <= lastCount {
			t.Fatalf("round %d: ledger did not grow (%d)", round, lastCount)
		}
		lastCount = int(h[0].ID)
		must(t, s.Close())
	}
}

func TestCorruptFile(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, content string
		corrupt       bool
	}{
		{"garbage", "this is not a buntdb file\n", true},
		{"foreign", "*3\r\n$3\r\nset\r\n$3\r\nfoo\r\n$3\r\nbar\r\n", true},
		{"old schema", "*3\r\n$3\r\nset\r\n$12\r\nmeta:version\r\n$1\r\n9\r\n", true},
		// A write cut short by a crash is dropped and the store opens.
		{"torn tail", "*3\r\n$3\r\nset\r\n$12\r\nmeta:version\r\n$1\r\n1\r\n*3\r\n$3\r\nset\r\n$15\r\nmeta:seq:cs\r\n", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".db")
			must(t, os.WriteFile(path, []byte(tc.content), 0o600))
			s, err := Open(path, Options{})
			if err == nil {
				err = s.Verify()
				s.Close()
			}
			if tc.corrupt != errors.Is(err, ErrCorrupt) || (!tc.corrupt && err != nil) {
				t.Fatalf("corrupt=%v, got %v", tc.corrupt, err)
			}
		})
	}
}

func TestOpenWritesOnlyStorePath(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "tagbot.db")
	s, err := Open(path, Options{})
	must(t, err)
	seed(t, s)
	apply(t, s, "zhangsan", "c1", []string{"t1"}, nil)
	must(t, s.Close())
	var files []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != 2 || files[0] != path || files[1] != path+".lock" {
		t.Fatalf("files written: %v", files)
	}
}

func TestSecondOpenerIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tagbot.db")
	s, err := Open(path, Options{})
	must(t, err)
	if _, err := Open(path, Options{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v", err)
	}
	must(t, s.Close())
	s, err = Open(path, Options{})
	must(t, err)
	must(t, s.Close())
}

// A torn write (in a store from before frames) can keep a change-set but
// lose the chain head that numbers change-sets; the next change-set must
// not overwrite it.
func TestOpenRepairsSequenceBehindKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tagbot.db")
	s, err := Open(path, Options{})
	must(t, err)
	seed(t, s)
	first := apply(t, s, "zhangsan", "c1", []string{"t1"}, nil)
	must(t, s.update(func(tx *txn) error {
		_, _, err := tx.Set("meta:chain", "0 "+zeroHash, nil)
		return err
	}))
	must(t, s.Close())
	s, err = Open(path, Options{})
	must(t, err)
	defer s.Close()
	second := apply(t, s, "zhangsan", "c2", []string{"t2"}, nil)
	if second.ID == first.ID {
		t.Fatalf("change-set %d overwritten", first.ID)
	}
	if got, err := s.Get(first.ID); err != nil || got.Customer != "c1" {
		t.Fatalf("first change-set now %+v", got)
	}
}
