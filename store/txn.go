package store

import (
	"errors"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
	"unsafe"

	"github.com/tidwall/buntdb"
)

// frameKey holds the frame marker every write transaction ends with. It
// sorts after every other key (all of them start with a lowercase letter),
// which matters for compaction: BuntDB rewrites the file in key order, so a
// compacted file ends with this key too (see checkTail).
const frameKey = "~frame"

// txn is a BuntDB transaction as the store's code sees it. Reads go straight
// to BuntDB; Set and Delete also record the final state of each key the
// transaction writes, from which update writes the frame marker.
//
// Why: BuntDB appends a transaction to its file as a run of SET/DEL commands
// in no fixed order and with no begin or end mark, so a write torn by a power
// cut leaves the first part of a transaction that loads like a whole one.
// The marker (count and checksum of the transaction's other commands) lets
// Open tell a whole last transaction from a torn one.
type txn struct {
	*buntdb.Tx
	writes   []write        // in order; a key written twice counts once, as its last write
	wbuf     [16]write      // writes' first backing array, allocated with the txn
	lib      *library       // the library when the transaction began
	libDirty bool           // the transaction wrote a grp: or tag: key
	ttlKeys  bool           // the transaction may delete keys with BuntDB TTLs (expire.go)
	obSeq    uint64         // last outbox id handed out, Store.obSeq when it commits (seqs.go)
	counts   laneCounts     // decoded lane counts (countscodec.go); nil when reading
	tagDelta []tagDelta     // changes to the tag counts, adopted when it commits (tagcounts.go)
	tdbuf    [4]tagDelta    // tagDelta's first backing array
	tagSet   map[string]int // the tag counts anew (Open, Rebuild), adopted when it commits
	quiet    bool           // tag triggers do not fire (a relationship ending; trigger.go)
	trig     *TriggerFunc   // the trigger function when the transaction began (nil: none)
}

// errPanicked rolls back a transaction whose function panicked (update).
var errPanicked = errors.New("store: transaction panicked")

// write is one Set or Delete of a transaction.
type write struct {
	key string
	del bool
	val string
}

// errTTL is returned when code asks BuntDB for an expiring key: BuntDB
// deletes expired keys in transactions of its own, without a frame marker,
// so expiry is the store's own job (expire.go).
var errTTL = errors.New("store: BuntDB TTLs are not used (see expire.go)")

// errKeyLineBreak is returned for a key with a line break: keys come from
// WeCom and users (names in cn: keys, ids), and a line break in one could
// imitate BuntDB's file format to the tail check (tail.go).
var errKeyLineBreak = errors.New("store: key contains a line break")

// Set writes key and records it for the frame marker.
func (t *txn) Set(key, value string, opts *buntdb.SetOptions) (string, bool, error) {
	if opts != nil && opts.Expires {
		return "", false, errTTL
	}
	if strings.IndexByte(key, '\n') >= 0 || strings.IndexByte(key, '\r') >= 0 { // ContainsAny builds a set per call
		return "", false, fmt.Errorf("%w: %q", errKeyLineBreak, key)
	}
	prev, replaced, err := t.Tx.Set(key, value, nil)
	if err == nil {
		t.record(write{key: key, val: value})
	}
	return prev, replaced, err
}

// Delete removes key and records it for the frame marker. BuntDB writes a
// DEL for an expired key too (and answers ErrNotFound), so in a
// transaction that may meet one (ttlKeys: the migration of keys an older
// tagbot gave BuntDB TTLs) whether the key is in the tree at all decides.
// Nothing else has TTLs, so other transactions skip that lookup.
func (t *txn) Delete(key string) (string, error) {
	present := true
	if t.ttlKeys {
		_, gerr := t.Tx.Get(key, true)
		present = gerr == nil
	}
	prev, err := t.Tx.Delete(key)
	if (t.ttlKeys && present) || err == nil {
		t.record(write{key: key, del: true})
	}
	return prev, err
}

func (t *txn) record(w write) {
	if isLibraryKey(w.key) {
		t.libDirty = true
	}
	if t.writes == nil {
		t.writes = t.wbuf[:0]
	}
	t.writes = append(t.writes, w)
}

// finalWrites calls fn with the last write of each key: what BuntDB puts
// in the file. A list is cheaper than a map for the dozen keys of an Apply;
// large transactions use a map to find repeats.
func (t *txn) finalWrites(fn func(w write)) {
	if len(t.writes) <= 32 {
	next:
		for i, w := range t.writes {
			for _, later := range t.writes[i+1:] {
				if later.key == w.key {
					continue next
				}
			}
			fn(w)
		}
		return
	}
	last := make(map[string]int, len(t.writes))
	for i, w := range t.writes {
		last[w.key] = i
	}
	for i, w := range t.writes {
		if last[w.key] == i {
			fn(w)
		}
	}
}

// seal writes the frame marker of a transaction that wrote anything.
func (t *txn) seal() error {
	if len(t.writes) == 0 {
		return nil
	}
	var sum frameSum
	t.finalWrites(func(w write) { sum.add(w.del, w.key, w.val) })
	_, _, err := t.Tx.Set(frameKey, sum.String(), nil)
	return err
}

// update runs fn in a write transaction and seals it with the frame
// marker. A transaction that changed the tag library replaces the
// in-memory one as it commits; writes are serialized (s.wmu) so the next
// one sees it.
func (s *Store) update(fn func(tx *txn) error) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var lib *library
	var done *txn
	var panicked any
	err := s.db.Update(func(btx *buntdb.Tx) (err error) {
		// BuntDB commits when the function it runs panics (its error is
		// still nil): turn a panic into an error, so the transaction rolls
		// back, and pass the panic on after.
		defer func() {
			if r := recover(); r != nil {
				panicked, err = r, errPanicked
			}
		}()
		// One txn serves every write transaction in turn (under wmu): none
		// outlives its transaction.
		tx := &s.wtx
		*tx = txn{Tx: btx, lib: s.lib.Load(), obSeq: s.obSeq, counts: s.counts, trig: s.triggers.Load()}
		done = tx
		if err := fn(tx); err != nil {
			return err
		}
		if tx.libDirty || tx.lib == nil {
			var err error
			if lib, err = loadLibrary(tx); err != nil {
				return err
			}
		}
		return tx.seal()
	})
	if panicked != nil {
		if done != nil {
			*done = txn{}
		}
		panic(panicked)
	}
	if err == nil {
		s.obSeq = done.obSeq
		s.tags.commit(done.tagSet, done.tagDelta)
		if lib != nil {
			s.lib.Store(lib)
		}
	}
	if done != nil {
		*done = txn{} // let go of what it wrote
	}
	return err
}

// view runs fn in a read-only transaction.
func (s *Store) view(fn func(tx *txn) error) error {
	return s.db.View(func(btx *buntdb.Tx) error {
		return fn(&txn{Tx: btx, lib: s.lib.Load()})
	})
}

// frameSum is an order-independent checksum of a transaction's commands:
// BuntDB writes them in map order.
type frameSum struct {
	n   int
	sum uint64
	xor uint32
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// add counts one command: a SET of key to val, or a DEL of key.
func (f *frameSum) add(del bool, key, val string) {
	op := byte('s')
	if del {
		op, val = 'd', ""
	}
	c := crc32.Update(0, castagnoli, opBytes[op-'d':op-'d'+1])
	c = crc32.Update(c, castagnoli, bytesOf(key))
	c = crc32.Update(c, castagnoli, opBytes[len(opBytes)-1:])
	c = crc32.Update(c, castagnoli, bytesOf(val))
	f.n++
	f.sum += uint64(c)
	f.xor ^= c
}

// opBytes holds the bytes add hashes besides the key and value: 'd' at
// 0, 's' at 's'-'d', and the NUL between key and value last (slices of a
// package variable, so hashing them allocates nothing).
var opBytes = [...]byte{'d', 's' - 'd': 's', 0}

// String is the marker's value: "f1 <commands> <sum> <xor>".
func (f frameSum) String() string {
	var buf [64]byte
	b := strconv.AppendInt(append(buf[:0], "f1 "...), int64(f.n), 10)
	b = strconv.AppendUint(append(b, ' '), f.sum, 16)
	b = strconv.AppendUint(append(b, ' '), uint64(f.xor), 16)
	return string(b)
}

// parseFrameSum reads a marker's value.
func parseFrameSum(v string) (frameSum, error) {
	parts := strings.Fields(v)
	if len(parts) != 4 || parts[0] != "f1" {
		return frameSum{}, fmt.Errorf("frame marker %q", v)
	}
	n, err1 := strconv.Atoi(parts[1])
	sum, err2 := strconv.ParseUint(parts[2], 16, 64)
	x, err3 := strconv.ParseUint(parts[3], 16, 32)
	if err := errors.Join(err1, err2, err3); err != nil || n < 1 {
		return frameSum{}, fmt.Errorf("frame marker %q", v)
	}
	return frameSum{n: n, sum: sum, xor: uint32(x)}, nil
}

// bytesOf views a string's bytes without copying; crc32 only reads them.
func bytesOf(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
