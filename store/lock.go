package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// ErrLocked is returned by Open when another process has the store open.
var ErrLocked = errors.New("store: in use by another tagbot process")

// storeLock keeps a second tagbot off the same data, whatever path it was
// given. BuntDB takes no lock, and two writers with their own sequence
// counters corrupt the ledger beyond use.
//
// Two flocks, both on inodes rather than path strings: one on
// <real path>.lock, where the real path has every symlink resolved (so a
// symlink to the file or to its folder, or a bind mount of the folder,
// meets the same lock file), and one on the data file itself (so a hard
// link to it from another folder meets the same lock). The data file's
// inode changes when the store compacts (BuntDB renames a new file into
// place), so Compact takes the lock on the new file. Flocks go with the
// process, so a killed tagbot leaves nothing to clean up.
type storeLock struct {
	path string   // the resolved path of the data file
	dir  *os.File // <path>.lock
	data *os.File // the data file
}

// resolvePath returns path with every symlink resolved, also for a file
// that does not exist yet (its folder is resolved).
func resolvePath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	if _, err := os.Lstat(abs); err == nil {
		return "", fmt.Errorf("%s is a symlink to a missing file", path)
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, filepath.Base(abs)), nil
}

// lockStore resolves path and locks it: exclusively to write, shared to
// read (several readers, no writer). A writer creates the data file 0600;
// a reader needs it to exist.
func lockStore(path string, shared bool) (*storeLock, error) {
	real, err := resolvePath(path)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	l := &storeLock{path: real}
	if shared {
		// A reader creates nothing, and may read a store in a folder it
		// cannot write: the data file's lock is what a writer meets (it
		// takes both); the lock file is taken too when it can be read.
		if l.data, err = flockFile(real, os.O_RDONLY, true, path); err != nil {
			return nil, err
		}
		if l.dir, err = flockFile(real+".lock", os.O_RDONLY, true, path); err != nil && errors.Is(err, ErrLocked) {
			l.release()
			return nil, err
		}
		return l, nil
	}
	if l.dir, err = flockFile(real+".lock", os.O_RDWR|os.O_CREATE, false, path); err != nil {
		return nil, err
	}
	if l.data, err = flockFile(real, os.O_RDWR|os.O_CREATE, false, path); err != nil {
		l.release()
		return nil, err
	}
	return l, nil
}

// flockFile opens name (creating it 0600 if flag says so) and flocks it.
func flockFile(name string, flag int, shared bool, shown string) (*os.File, error) {
	f, err := os.OpenFile(name, flag, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	how := syscall.LOCK_EX
	if shared {
		how = syscall.LOCK_SH
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s (stop it first, or use another store.path)", ErrLocked, shown)
		}
		return nil, fmt.Errorf("store: lock %s: %w", name, err)
	}
	return f, nil
}

// relockData moves the data-file lock to the file now at l.path (after a
// compaction replaced it).
func (l *storeLock) relockData() error {
	f, err := flockFile(l.path, os.O_RDWR, false, l.path)
	if err != nil {
		return err
	}
	l.data.Close()
	l.data = f
	return nil
}

// release drops both locks (nil is fine). The lock file stays: removing it
// could let a third process lock a file nobody holds.
func (l *storeLock) release() {
	if l == nil {
		return
	}
	for _, f := range []*os.File{l.dir, l.data} {
		if f != nil {
			f.Close()
		}
	}
}
