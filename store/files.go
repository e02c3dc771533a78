package store

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// The store file holds customer names, mobiles and remarks, and decrypted
// callbacks until they are processed: it is the user's alone (0600), and
// so is every file the store writes beside it (<path>.lock, the compaction's
// <path>.tmp, a torn tail cut off by repair).

// privateMode makes an existing store file 0600 if it is readable by
// others (a file from before this version, or one a user created).
func privateMode(path string, log *slog.Logger) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	log.Warn("store file was readable by others; made it private (0600)", "path", path, "was", fi.Mode().Perm().String())
	return os.Chmod(path, 0o600)
}

// cutTail moves the bytes of a torn last transaction out of the file into
// <path>.torn-<time> (for a post-mortem) and truncates the file where the
// last whole transaction ends.
func cutTail(path string, rep TailReport, now time.Time) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	aside := fmt.Sprintf("%s.torn-%s", path, now.UTC().Format("20060102T150405.000000000"))
	out, err := os.OpenFile(aside, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("store: keep torn tail: %w", err)
	}
	_, err = io.Copy(out, io.NewSectionReader(f, rep.GoodEnd, rep.Size-rep.GoodEnd))
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: keep torn tail: %w", err)
	}
	if err := f.Truncate(rep.GoodEnd); err != nil {
		return fmt.Errorf("store: cut torn tail: %w", err)
	}
	return f.Sync()
}

// Compact rewrites the file with only the live keys (BuntDB's shrink), so
// the bytes of deleted values — processed callbacks, sent replies, expired
// markers — leave the disk. Writes go on meanwhile. The new file is 0600
// and locked like the old one.
func (s *Store) Compact() error {
	if s.lock == nil || s.readOnly {
		return nil
	}
	tmp := s.lock.path + ".tmp"
	// BuntDB creates <path>.tmp with os.Create, which keeps the mode of a
	// file that exists: make it exist, private, first.
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("store: compact: %w", err)
	}
	f.Close()
	if err := os.Chmod(tmp, 0o600); err != nil {
		return fmt.Errorf("store: compact: %w", err)
	}
	if err := s.db.Shrink(); err != nil {
		return fmt.Errorf("store: compact: %w", err)
	}
	if err := s.lock.relockData(); err != nil {
		return fmt.Errorf("store: compact: %w", err)
	}
	// BuntDB renames the new file into place without an fsync: make the
	// new file and the rename durable now, so a power cut soon after does
	// not leave a file whose end never reached the disk.
	if err := s.lock.data.Sync(); err != nil {
		return fmt.Errorf("store: compact: %w", err)
	}
	return syncDir(filepath.Dir(s.lock.path))
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// linkCount is the number of hard links to the file at path (1 normally).
func linkCount(path string) uint64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 1
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}

// compactMinSize and compactGrowth are when the file is compacted for its
// size alone (BuntDB's own auto-shrink rule, which the store turns off):
// at 64 MB and twice its size after the last compaction.
const (
	compactMinSize = 64 << 20
	compactGrowth  = 2
)

// CompactIfDue compacts when the last compaction (meta:compacted) is at
// least every ago and the file has grown since, or when the file has
// doubled since and passed compactMinSize. every 0 leaves only the size
// rule. It reports whether it compacted.
func (s *Store) CompactIfDue(every time.Duration) (bool, error) {
	var last struct {
		At   time.Time `json:"at"`
		Size int64     `json:"size"`
	}
	if v, err := s.Meta("compacted"); err != nil {
		return false, err
	} else if v != "" {
		if err := decode("meta:x:compacted", v, &last); err != nil {
			return false, err
		}
	}
	now, size := s.now(), s.FileSize()
	due := (every > 0 && now.Sub(last.At) >= every && size > last.Size) ||
		(size >= compactMinSize && size >= compactGrowth*last.Size)
	if !due {
		return false, nil
	}
	if err := s.Compact(); err != nil {
		return false, err
	}
	last.At, last.Size = now.UTC(), s.FileSize()
	return true, s.SetMeta("compacted", encode(&last), 0)
}

// FileSize is the size of the store file now (0 for :memory:).
func (s *Store) FileSize() int64 {
	if s.lock == nil {
		return 0
	}
	fi, err := os.Stat(s.lock.path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
