package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// TestSnapshotWhileWriting takes snapshots while change-sets are applied
// and a compaction runs: every copy opens, verifies, and holds a prefix
// of the ledger.
func TestSnapshotWhileWriting(t *testing.T) {
	s, _ := openTest(t)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 200; i++ {
			select {
			case <-stop:
				return
			default:
			}
			add, remove := []string{"t3"}, []string(nil)
			if i%2 == 1 {
				add, remove = nil, []string{"t3"}
			}
			if _, err := s.Apply(ChangeSet{Actor: "zhangsan", Source: SourceCommand, Customer: "c2", Follower: "zhangsan",
				Add: tags(add...), Remove: tags(remove...)}); err != nil {
				t.Error(err)
				return
			}
			if i == 20 {
				if err := s.Compact(); err != nil {
					t.Error(err)
				}
			}
		}
	}()
	dir := t.TempDir()
	for i := 0; i < 10; i++ {
		sn, err := s.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "copy.db")
		if err := WriteFileAtomic(out, func(w io.Writer) error { _, err := sn.WriteTo(w); return err }); err != nil {
			t.Fatal(err)
		}
		sn.Close()
		cp, err := Open(out, Options{ReadOnly: true})
		if err != nil {
			t.Fatalf("snapshot %d: %v", i, err)
		}
		if err := cp.Verify(); err != nil {
			t.Fatalf("snapshot %d: %v", i, err)
		}
		n, _ := cp.lastChangeSet()
		for id := ID(1); id <= n; id++ {
			a, err1 := cp.Get(id)
			b, err2 := s.Get(id)
			if err1 != nil || err2 != nil || a.Hash != b.Hash {
				t.Fatalf("snapshot %d: change-set %d differs: %v %v", i, id, err1, err2)
			}
		}
		cp.Close()
	}
	close(stop)
	wg.Wait()
}

// lastChangeSet is the newest change-set id.
func (s *Store) lastChangeSet() (ID, error) {
	var n uint64
	err := s.view(func(tx *txn) error {
		var err error
		n, err = lastCS(tx)
		return err
	})
	return ID(n), err
}

func TestSnapshotFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tagbot.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	seed(t, s)
	if _, err := SnapshotFile(path); !errors.Is(err, ErrLocked) {
		t.Errorf("snapshot of a store a writer holds: %v, want ErrLocked", err)
	}
	s.Close()
	whole, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		extra   string // bytes appended to the file
		wantErr error
	}{
		{"whole", "", nil},
		{"torn", "*3\r\n$3\r\nset\r\n$4\r\ncust:x\r\n", ErrTorn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "tagbot.db")
			if err := os.WriteFile(p, append(append([]byte(nil), whole...), tt.extra...), 0o600); err != nil {
				t.Fatal(err)
			}
			sn, err := SnapshotFile(p)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			defer sn.Close()
			var buf bytes.Buffer
			if _, err := sn.WriteTo(&buf); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), whole) {
				t.Errorf("snapshot has %d bytes, want the file's %d", buf.Len(), len(whole))
			}
		})
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := WriteFileAtomic(out, func(w io.Writer) error { w.Write([]byte("half")); return boom }); !errors.Is(err, boom) {
		t.Fatalf("err %v, want boom", err)
	}
	if b, _ := os.ReadFile(out); string(b) != "old" {
		t.Errorf("after a failed write the file holds %q, want the old content", b)
	}
	if err := WriteFileAtomic(out, func(w io.Writer) error { _, err := w.Write([]byte("new")); return err }); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out); string(b) != "new" || fi.Mode().Perm() != 0o600 {
		t.Errorf("file %q mode %v, want \"new\" 0600", b, fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

// TestWriteFileAtomicRemovesStaleTemps: a temporary file a killed writer
// left beside OUT (a whole copy of the store, customer data) is removed by
// the next write of OUT, whatever pid its name carries; one a writer still
// holds locked (another pid namespace's, say), another OUT's, and a
// symlink named like one are left alone.
func TestWriteFileAtomicRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "backup.db")
	stale := filepath.Join(dir, fmt.Sprintf(".backup.db.tmp-%d-123", os.Getpid())) // pid alive, lock gone
	live := filepath.Join(dir, ".backup.db.tmp-1-456")                             // pid 1, but locked
	other := filepath.Join(dir, ".other.db.tmp-999999-789")
	target := filepath.Join(dir, "keep")
	link := filepath.Join(dir, ".backup.db.tmp-999999-link")
	for _, p := range []string{stale, live, other, target} {
		if err := os.WriteFile(p, []byte("customer data"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	held, err := os.Open(live)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := syscall.Flock(int(held.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(out, func(w io.Writer) error { _, err := w.Write([]byte("new")); return err }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the dead writer's temporary file is still there: %v", err)
	}
	for _, p := range []string{live, other, link, target} {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s removed: %v", filepath.Base(p), err)
		}
	}
	// This process's own temporary file carries its pid.
	var seen string
	WriteFileAtomic(filepath.Join(dir, "x.db"), func(w io.Writer) error {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".x.db.tmp-") {
				seen = e.Name()
			}
		}
		return errors.New("stop")
	})
	if want := fmt.Sprintf(".x.db.tmp-%d-", os.Getpid()); !strings.HasPrefix(seen, want) {
		t.Errorf("temporary file %q, want it named %s…", seen, want)
	}
}

// TestWriteFileNew: a name taken while the file was written is not
// replaced (os.ErrExist), and no temporary file is left; a free name is
// written.
func TestWriteFileNew(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "b.db")
	err := WriteFileNew(out, func(w io.Writer) error {
		if err := os.WriteFile(out, []byte("the other backup"), 0o600); err != nil { // a second writer got there first
			return err
		}
		_, err := w.Write([]byte("mine"))
		return err
	})
	if !errors.Is(err, os.ErrExist) {
		t.Fatalf("err = %v, want os.ErrExist", err)
	}
	if b, _ := os.ReadFile(out); string(b) != "the other backup" {
		t.Errorf("the other writer's file now holds %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files left: %v", entries)
	}
	fresh := filepath.Join(dir, "c.db")
	if err := WriteFileNew(fresh, func(w io.Writer) error { _, err := w.Write([]byte("new")); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(fresh); string(b) != "new" {
		t.Errorf("new file holds %q", b)
	}
}
