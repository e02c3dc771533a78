package store

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/tidwall/buntdb"
)

// Options tune Open.
type Options struct {
	// Sync is "every_second" (default), "always" or "never": when BuntDB
	// fsyncs. Every committed transaction is written to the file before
	// Apply returns, so a killed process loses nothing under any policy;
	// the policy only matters for power loss.
	Sync string
	// ReadOnly loads the file into memory and never writes to it, under a
	// shared lock (several readers, no writer): for `tagbot check`.
	ReadOnly bool
	// CutTornTail lets Open cut off a torn last transaction (saving the cut
	// bytes beside the file) instead of refusing: for `tagbot repair`.
	CutTornTail bool
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Logger receives store logs; slog.Default when nil.
	Logger *slog.Logger
}

// Open opens (creating if needed) the store file at path. A file that is not
// a readable store yields an error wrapping ErrCorrupt; one whose last
// transaction is torn, ErrTorn (unless opts.CutTornTail); one another
// process has open, ErrLocked. The file, its lock file and a folder Open
// creates are private to the user (0600, 0700).
func Open(path string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	policy, err := syncPolicy(opts.Sync)
	if err != nil {
		return nil, err
	}
	s := &Store{path: path, now: opts.Now, log: opts.Logger.With("pkg", "store"), readOnly: opts.ReadOnly, counts: laneCounts{}}
	if path == ":memory:" {
		s.db, err = buntdb.Open(path)
	} else {
		err = s.openFile(opts)
	}
	if err != nil {
		return nil, err
	}
	// OnExpired set to do nothing keeps BuntDB from deleting expired keys in
	// transactions of its own (unframed); keys from an older store that
	// still carry TTLs are moved to the store's expiry by init.
	err = s.db.SetConfig(buntdb.Config{SyncPolicy: policy, AutoShrinkDisabled: true, OnExpired: func([]string) {}})
	if err == nil {
		err = s.init()
	}
	if err != nil {
		s.db.Close()
		s.lock.release()
		return nil, err
	}
	return s, nil
}

// openFile locks the file, checks its tail and loads it.
func (s *Store) openFile(opts Options) error {
	if !opts.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
			return fmt.Errorf("store: create directory: %w", err)
		}
	}
	lock, err := lockStore(s.path, opts.ReadOnly)
	if err != nil {
		return err
	}
	if err := s.load(lock, opts); err != nil {
		lock.release()
		return err
	}
	s.lock = lock
	return nil
}

// load checks the tail of the locked file and loads it into BuntDB.
func (s *Store) load(lock *storeLock, opts Options) (err error) {
	if s.tail, err = checkTail(lock.path); err != nil {
		return err
	}
	if s.tail.Torn {
		if !opts.CutTornTail || opts.ReadOnly {
			return fmt.Errorf("%w: %s: %s", ErrTorn, s.path, s.tail)
		}
		if err := cutTail(lock.path, s.tail, s.now()); err != nil {
			return err
		}
		s.log.Warn("cut off a torn last transaction", "path", s.path, "tail", s.tail.String())
		if after, err := checkTail(lock.path); err != nil || after.Torn {
			return fmt.Errorf("%w: %s: still torn after cutting (%v %s); restore a backup", ErrCorrupt, s.path, err, after)
		}
	}
	if n := linkCount(lock.path); n > 1 {
		s.log.Warn("the store file has other hard links: they would keep a stale copy of the data (and of deleted callback bodies) after the next compaction; remove them",
			"path", s.path, "links", n)
	}
	if !opts.ReadOnly {
		if err := privateMode(lock.path, s.log); err != nil {
			return err
		}
	}
	s.db, err = openBunt(lock, opts.ReadOnly)
	if errors.Is(err, buntdb.ErrInvalid) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %s", ErrCorrupt, s.path)
	}
	if err != nil {
		return fmt.Errorf("store: open %s: %w", s.path, err)
	}
	return nil
}

// openBunt opens BuntDB on the file, or (readOnly) loads the file into an
// in-memory BuntDB, so that nothing is ever written to it.
func openBunt(lock *storeLock, readOnly bool) (*buntdb.DB, error) {
	if !readOnly {
		return buntdb.Open(lock.path)
	}
	db, err := buntdb.Open(":memory:")
	if err != nil {
		return nil, err
	}
	if _, err := lock.data.Seek(0, io.SeekStart); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.Load(bufio.NewReaderSize(lock.data, 1<<20)); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func syncPolicy(name string) (buntdb.SyncPolicy, error) {
	switch name {
	case "", "every_second":
		return buntdb.EverySecond, nil
	case "always":
		return buntdb.Always, nil
	case "never":
		return buntdb.Never, nil
	}
	return 0, fmt.Errorf("store: unknown sync policy %q (want every_second, always or never)", name)
}

// init writes the schema version on a new store, checks it on an old one and
// loads the time of the newest change-set.
func (s *Store) init() error {
	if s.lock != nil && !s.tail.Framed && s.tail.Size > 0 {
		// A file from before frames: its first frame is a transaction of
		// its own, so that a tear of the migration below can be cut back
		// to a marker (else it would look like a compaction cut short).
		if err := s.update(func(tx *txn) error {
			_, _, err := tx.Set("meta:framed", s.now().UTC().Format(time.RFC3339), nil)
			return err
		}); err != nil {
			return err
		}
	}
	return s.update(func(tx *txn) error {
		v, err := tx.Get("meta:version")
		switch {
		case errors.Is(err, buntdb.ErrNotFound):
			n, _ := tx.Len()
			if n > 0 {
				return fmt.Errorf("%w: %s has no meta:version", ErrCorrupt, s.path)
			}
			if _, _, err = tx.Set("meta:version", SchemaVersion, nil); err != nil {
				return err
			}
			if _, _, err = tx.Set(snVersion, snVersionV, nil); err != nil { // stats.go: counters kept from the start
				return err
			}
			if _, _, err = tx.Set("obcv", outboxCountsV, nil); err != nil { // outboxlanes.go: likewise
				return err
			}
			_, err = startChain(tx, s.now())
			return err
		case err != nil:
			return err
		case v != SchemaVersion:
			return fmt.Errorf("%w: %s has schema version %q, want %q", ErrCorrupt, s.path, v, SchemaVersion)
		}
		if err := s.repairSeqs(tx); err != nil {
			return err
		}
		if err := initCounts(tx); err != nil { // stats.go
			return err
		}
		if err := initOutboxLanes(tx); err != nil { // outboxlanes.go
			return err
		}
		if n, err := migrateTTLs(tx, s.now()); err != nil {
			return err
		} else if n > 0 {
			s.log.Info("moved expiring keys off BuntDB TTLs", "keys", n)
		}
		if start, err := startChain(tx, s.now()); err != nil {
			return err
		} else if start != nil {
			s.log.Warn("ledger hash chain started: the change-sets before it are sealed by one digest", "before", start.Before)
		}
		if err := s.initSeqs(tx); err != nil { // seqs.go
			return err
		}
		tx.tagSet = deriveTagCounts(tx) // tagcounts.go
		last, err := lastCS(tx)
		if err != nil || last == 0 {
			return err
		}
		cs, err := getChangeSet(tx, ID(last))
		if err != nil {
			return fmt.Errorf("%w: newest change-set %d: %v", ErrCorrupt, last, err)
		}
		s.lastTime = cs.Time
		return nil
	})
}

// repairSeqs makes each sequence counter at least the highest key it
// numbers. BuntDB writes a transaction's keys in no particular order, so a
// write torn by a power cut can keep a new cs:<seq> but lose its counter;
// the next Apply would then overwrite an immutable change-set. Lifting the
// counter prevents that; `tagbot check` (Verify) reports what else the
// torn write left behind.
//
// The change-set and outbox sequences have no counter (seqs.go): initSeqs
// derives them.
func (s *Store) repairSeqs(tx *txn) error {
	for _, name := range []string{"in", "rq", "act"} {
		top, err := topSeq(tx, name+":")
		if err != nil {
			return err
		}
		last, err := lastSeq(tx, name)
		if err != nil {
			return err
		}
		if top > last {
			s.log.Warn("sequence behind its keys, lifted (tagbot check verifies the rest)", "seq", name, "counter", last, "highest", top, "in_memory_only", s.readOnly)
			if _, _, err := tx.Set("meta:seq:"+name, strconv.FormatUint(top, 10), nil); err != nil {
				return err
			}
		}
	}
	return nil
}
