// Package store owns tagbot's BuntDB file: the tag library, customers and
// their follow relationships, the append-only ledger of tag change-sets, the
// projection of current tags, the outbox of WeCom calls and the inbox of
// received callbacks.
//
// Every tag change goes through Apply, which writes the change-set, its index
// keys, the projection and the outbox entry in ONE BuntDB transaction, so a
// crash leaves either all of it or none of it.
//
// # Key scheme
//
// All values are JSON unless noted. <seq> is a decimal sequence number padded
// to 12 digits, so that key order is sequence order.
//
//	meta:version               schema version ("1")
//	meta:seq:<name>            last sequence handed out for cs, ob, in, rq (plain number)
//	meta:synced                time of the last full sync (RFC 3339)
//	meta:first_synced          time of the first full sync: the ledger's horizon
//	grp:<group_id>             Group: a tag group of the library
//	tag:<tag_id>               Tag: a tag of the library (kept when deleted)
//	cust:<external_userid>     Customer: name, corp, followers
//	rel:<external_userid>:<userid>
//	                           Relationship: remark, mobiles, state and the
//	                           current tags (the projection)
//	cn:<text>:<external_userid>
//	                           lookup of customers by name, remark, mobile (value "")
//	tt:<tag_id>:<external_userid>:<userid>
//	                           relationship currently has tag (value "")
//	cs:<seq>                   ChangeSet: immutable, never deleted
//	ix:c:<external_userid>:<seq>  ledger index by customer (value "")
//	ix:a:<actor>:<seq>         ledger index by actor (value "")
//	ix:t:<tag_id>:<seq>        ledger index by tag (value "")
//	ix:b:<batch>:<seq>         ledger index by batch (value "")
//	ob:<seq>                   OutboxEntry: a WeCom call a change-set needs
//	obq:<seq>                  present while ob:<seq> is pending (the queue)
//	in:<seq>                   InboxMessage: a received callback, until done
//	inq:<seq>                  present while in:<seq> is pending
//	ind:<dedup key>            dedup marker of a received callback (value = seq, expires after DedupTTL)
//	rq:<seq>                   QueuedReply: a reply not yet sent, until sent or dropped
//	rqu:<userid>:<seq>         queued replies by member, in order (value "")
//	obr:<external_userid>:<userid>:<seq>
//	                           present while the relationship has outbox entry <seq> pending
//	meta:x:<name>              small values of other packages (Meta, SetMeta)
//	rc:<external_userid>:<userid>
//	                           relationship to read again from WeCom (Rechecks)
//
// Change-set ids are the cs sequence. Change-set times never go backwards in
// sequence order (a clock that steps back is clamped to the previous time), so
// a time maps to a sequence range by binary search and history by time needs
// no scan.
package store

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tidwall/buntdb"
)

// SchemaVersion is the version of the key scheme written to meta:version.
const SchemaVersion = "1"

// Sentinel errors.
var (
	// ErrNotFound is returned when a change-set, customer, tag or entry does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrNoChange is returned when a change-set would change nothing.
	ErrNoChange = errors.New("store: nothing to change")
	// ErrCorrupt is returned by Open when the file is not a readable tagbot store.
	ErrCorrupt = errors.New("store: file is corrupt or not a tagbot store")
	// ErrUnknownTag is returned when a change-set names a tag the library lacks.
	ErrUnknownTag = errors.New("store: unknown tag")
	// ErrTagDeleted is returned when a change-set adds a tag deleted from the library.
	ErrTagDeleted = errors.New("store: tag deleted")
	// ErrNoRelationship is returned when the customer is not followed by that employee.
	ErrNoRelationship = errors.New("store: customer not followed by that employee")
	// ErrNotRevertible is returned when undoing a change-set that changed nothing (a denied attempt).
	ErrNotRevertible = errors.New("store: change-set cannot be undone")
)

// Options tune Open.
type Options struct {
	// Sync is "every_second" (default), "always" or "never": when BuntDB
	// fsyncs. Every committed transaction is written to the file before
	// Apply returns, so a killed process loses nothing under any policy;
	// the policy only matters for power loss.
	Sync string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Logger receives store logs; slog.Default when nil.
	Logger *slog.Logger
}

// Store is tagbot's BuntDB-backed state. It is safe for concurrent use.
type Store struct {
	db   *buntdb.DB
	path string
	now  func() time.Time
	log  *slog.Logger

	lock     *os.File   // <path>.lock, held while open
	mu       sync.Mutex // guards lastTime
	lastTime time.Time  // time of the newest change-set
	warnedAt time.Time  // when stamp last warned of a clock behind the ledger
}

// Open opens (creating if needed) the store file at path. A file that is not
// a readable store yields an error wrapping ErrCorrupt.
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
	var lock *os.File
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("store: create directory: %w", err)
		}
		if lock, err = lockFile(path); err != nil {
			return nil, err
		}
	}
	db, err := buntdb.Open(path)
	if err != nil {
		unlock(lock)
		if errors.Is(err, buntdb.ErrInvalid) {
			return nil, fmt.Errorf("%w: %s", ErrCorrupt, path)
		}
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := db.SetConfig(buntdb.Config{
		SyncPolicy:           policy,
		AutoShrinkPercentage: 100,
		AutoShrinkMinSize:    64 * 1024 * 1024,
	}); err != nil {
		db.Close()
		unlock(lock)
		return nil, fmt.Errorf("store: configure: %w", err)
	}
	s := &Store{db: db, path: path, now: opts.Now, log: opts.Logger.With("pkg", "store"), lock: lock}
	if err := s.init(); err != nil {
		db.Close()
		unlock(lock)
		return nil, err
	}
	return s, nil
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
	return s.db.Update(func(tx *buntdb.Tx) error {
		v, err := tx.Get("meta:version")
		switch {
		case errors.Is(err, buntdb.ErrNotFound):
			n, _ := tx.Len()
			if n > 0 {
				return fmt.Errorf("%w: %s has no meta:version", ErrCorrupt, s.path)
			}
			_, _, err = tx.Set("meta:version", SchemaVersion, nil)
			return err
		case err != nil:
			return err
		case v != SchemaVersion:
			return fmt.Errorf("%w: %s has schema version %q, want %q", ErrCorrupt, s.path, v, SchemaVersion)
		}
		if err := s.repairSeqs(tx); err != nil {
			return err
		}
		last, err := lastSeq(tx, "cs")
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
func (s *Store) repairSeqs(tx *buntdb.Tx) error {
	for _, name := range []string{"cs", "ob", "in", "rq"} {
		prefix := name + ":"
		var top uint64
		var ferr error
		tx.DescendLessOrEqual("", prefix+"~", func(k, _ string) bool {
			if !strings.HasPrefix(k, prefix) {
				return false
			}
			id, err := seqOf(k, prefix)
			top, ferr = uint64(id), err
			return false
		})
		if ferr != nil {
			return ferr
		}
		last, err := lastSeq(tx, name)
		if err != nil {
			return err
		}
		if top > last {
			s.log.Warn("sequence behind its keys, repaired (run tagbot check)", "seq", name, "counter", last, "highest", top)
			if _, _, err := tx.Set("meta:seq:"+name, strconv.FormatUint(top, 10), nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// Close flushes and closes the file and releases the lock.
func (s *Store) Close() error {
	err := s.db.Close()
	unlock(s.lock)
	return err
}

// Path is the file the store was opened on.
func (s *Store) Path() string { return s.path }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now() }

// seqKey formats a sequence number for keys.
func seqKey(prefix string, n uint64) string {
	return prefix + fmt.Sprintf("%012d", n)
}

// lastSeq reads the last sequence handed out for name.
func lastSeq(tx *buntdb.Tx, name string) (uint64, error) {
	v, err := tx.Get("meta:seq:" + name)
	if errors.Is(err, buntdb.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: meta:seq:%s = %q", ErrCorrupt, name, v)
	}
	return n, nil
}

// nextSeq hands out the next sequence for name inside tx.
func nextSeq(tx *buntdb.Tx, name string) (uint64, error) {
	n, err := lastSeq(tx, name)
	if err != nil {
		return 0, err
	}
	n++
	_, _, err = tx.Set("meta:seq:"+name, strconv.FormatUint(n, 10), nil)
	return n, err
}

// SyncedAt reports when the last full sync finished; zero if never.
func (s *Store) SyncedAt() (time.Time, error) { return s.metaTime("meta:synced") }

// metaTime reads a time kept under key; zero if absent.
func (s *Store) metaTime(key string) (time.Time, error) {
	var t time.Time
	err := s.db.View(func(tx *buntdb.Tx) error {
		v, err := tx.Get(key)
		if errors.Is(err, buntdb.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		t, err = time.Parse(time.RFC3339Nano, v)
		return err
	})
	return t, err
}

// SetSyncedAt records the end of a full sync; the first one is also kept
// as FirstSyncedAt.
func (s *Store) SetSyncedAt(t time.Time) error {
	v := t.UTC().Format(time.RFC3339Nano)
	return s.db.Update(func(tx *buntdb.Tx) error {
		if _, err := tx.Get("meta:first_synced"); errors.Is(err, buntdb.ErrNotFound) {
			if _, _, err := tx.Set("meta:first_synced", v, nil); err != nil {
				return err
			}
		}
		_, _, err := tx.Set("meta:synced", v, nil)
		return err
	})
}

// FirstSyncedAt reports when the first full sync finished: the ledger does
// not know the tags customers had before it. Zero if never synced.
func (s *Store) FirstSyncedAt() (time.Time, error) { return s.metaTime("meta:first_synced") }

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
