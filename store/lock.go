package store

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// ErrLocked is returned by Open when another process has the store open.
var ErrLocked = errors.New("store: in use by another tagbot process")

// lockFile takes an exclusive, non-blocking lock on <path>.lock, so that two
// processes (say `tagbot sync` beside `tagbot serve`) never append to one
// BuntDB file: BuntDB itself takes no lock, and two writers with their own
// sequence counters would corrupt the ledger. The lock goes with the
// process, so a killed tagbot leaves nothing to clean up.
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s (stop it first, or use another store.path)", ErrLocked, path)
		}
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	return f, nil
}

// unlock releases a lock taken by lockFile (nil is fine). The lock file
// stays: removing it could let a third process lock a file nobody holds.
func unlock(f *os.File) {
	if f != nil {
		f.Close()
	}
}
