package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// ErrNoFile is returned by Snapshot for a store that has no file (:memory:).
var ErrNoFile = errors.New("store: in memory, no file to copy")

// Snapshot is a consistent copy of a store file being read: the file's
// bytes up to the end of a whole transaction. Close it when done.
type Snapshot struct {
	// Size is how many bytes WriteTo writes.
	Size int64
	f    *os.File
	lock *storeLock // held by a snapshot of a file no process had open
}

// WriteTo writes the snapshot's bytes to w.
func (sn *Snapshot) WriteTo(w io.Writer) (int64, error) {
	n, err := io.Copy(w, io.NewSectionReader(sn.f, 0, sn.Size))
	if err != nil {
		return n, fmt.Errorf("store: snapshot: %w", err)
	}
	return n, nil
}

// Close releases the file (and the lock of OpenSnapshotFile).
func (sn *Snapshot) Close() error {
	err := sn.f.Close()
	sn.lock.release()
	return err
}

// Snapshot takes a consistent copy of the open store's file: its bytes up
// to the end of the last committed transaction, a whole frame (every
// write goes through update, which holds wmu until BuntDB has appended
// the whole transaction). The end is taken under wmu on a descriptor
// opened then; the copy (WriteTo) runs after wmu is released, so writers
// wait only for an open and a stat, never for the copy. A compaction that
// renames a new file into place meanwhile leaves the old inode, which the
// descriptor reads, as it was.
//
// The copy is a store file like any other: `tagbot check` verifies it and
// a tagbot started on it serves the same history.
func (s *Store) Snapshot() (*Snapshot, error) {
	if s.lock == nil {
		return nil, ErrNoFile
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	f, err := os.Open(s.lock.path)
	if err != nil {
		return nil, fmt.Errorf("store: snapshot: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("store: snapshot: %w", err)
	}
	return &Snapshot{Size: fi.Size(), f: f}, nil
}

// SnapshotFile takes a consistent copy of the store file at path without
// opening (loading) the store: under the shared lock (so no writer runs;
// ErrLocked when one does), the bytes up to its last whole transaction. A
// file whose last transaction is torn is refused (ErrTorn), as Open would.
func SnapshotFile(path string) (*Snapshot, error) {
	lock, err := lockStore(path, true)
	if err != nil {
		return nil, err
	}
	tail, err := checkTail(lock.path)
	if err == nil && tail.Torn {
		err = fmt.Errorf("%w: %s: %s", ErrTorn, path, tail)
	}
	if err != nil {
		lock.release()
		return nil, err
	}
	f, err := os.Open(lock.path)
	if err != nil {
		lock.release()
		return nil, fmt.Errorf("store: snapshot: %w", err)
	}
	return &Snapshot{Size: tail.GoodEnd, f: f, lock: lock}, nil
}

// WriteFileAtomic writes what fill writes to path the safe way: a private
// (0600) temporary file beside path, fsynced, renamed over path, and the
// rename made durable. On any failure path is left as it was.
//
// The temporary file is named .<name>.tmp-<pid>-<random> and is flocked
// while it is written. A writer killed before its deferred clean-up
// (SIGKILL, power loss) leaves it behind, a whole copy of what was being
// written (for a backup: the store, customer data); the next write of the
// same path removes every such file of this user that nobody holds
// locked (removeStaleTemps) — by the lock, not the pid, which another pid
// namespace or host would not see and a new process may reuse.
func WriteFileAtomic(path string, fill func(w io.Writer) error) error {
	return writeFile(path, true, fill)
}

// WriteFileNew is WriteFileAtomic for a path that must not exist: the file
// is linked into place, which fails (os.ErrExist) when something took the
// name meanwhile, so two writers of one new name never replace each other.
func WriteFileNew(path string, fill func(w io.Writer) error) error {
	return writeFile(path, false, fill)
}

func writeFile(path string, replace bool, fill func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	prefix := tempPrefix(path)
	removeStaleTemps(dir, prefix)
	tmp, err := os.CreateTemp(dir, prefix+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
		tmp.Close() // after the rename: the lock guards the name until then
	}()
	if err = syscall.Flock(int(tmp.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return fmt.Errorf("lock %s: %w", tmp.Name(), err)
	}
	if err = tmp.Chmod(0o600); err != nil {
		return err
	}
	if err = fill(tmp); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if replace {
		err = os.Rename(tmp.Name(), path)
	} else if err = os.Link(tmp.Name(), path); err == nil {
		err = os.Remove(tmp.Name())
	}
	if err != nil {
		return err
	}
	return syncDir(dir)
}

// tempPrefix is the start of the names of WriteFileAtomic's temporary
// files for path.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

// removeStaleTemps removes the temporary files in dir named prefix…
// that are this user's regular files and that no writer holds locked.
// Failures are ignored: a file left is tried again by the next write.
func removeStaleTemps(dir, prefix string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) && e.Type().IsRegular() {
			removeIfStale(filepath.Join(dir, e.Name()))
		}
	}
}

// removeIfStale removes name when it is a regular file of this user that
// it could lock: its writer is gone.
func removeIfStale(name string) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Getuid() {
		return // not ours: another user's file of the same name
	}
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		return // a writer holds it
	}
	if now, err := os.Lstat(name); err == nil && os.SameFile(fi, now) {
		os.Remove(name)
	}
}
