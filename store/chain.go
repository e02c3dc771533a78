package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unsafe"

	json "github.com/goccy/go-json"

	"github.com/tidwall/buntdb"
)

// The ledger is a hash chain. Each change-set is stored as
//
//	{"hash":"<sha256 hex of the rest>",<rest>}
//
// where <rest> is the change-set's JSON with "prev" set to the hash of the
// change-set before it. Editing a change-set breaks its own hash; re-hashing
// it breaks the next one's prev; re-hashing everything after it changes the
// head, which an operator can hold on to (`tagbot check --anchor`).
//
//	meta:chain         "<seq> <hash>": the newest change-set and its hash;
//	                   <seq> is also the change-set sequence (the next
//	                   change-set is <seq>+1: there is no meta:seq:cs)
//	meta:chain_start   ChainStart, on a store whose ledger predates the
//	                   chain: one digest seals the change-sets before it

// zeroHash is the prev of the first change-set of a store born chained.
var zeroHash = strings.Repeat("0", 64)

// hashPrefix is how a chained change-set's stored value starts.
const hashPrefix = `{"hash":"`

// ChainStart records how the chain began on a store from before it.
type ChainStart struct {
	At     time.Time `json:"at"`     // when Open started the chain
	Before ID        `json:"before"` // change-sets 1..Before predate the chain
	Digest string    `json:"digest"` // seals them: legacyDigest; the prev of Before+1
}

// ChainReport is what VerifyChain found.
type ChainReport struct {
	Head     ID     // newest change-set
	HeadHash string // its hash: the anchor
	Checked  int    // change-sets checked
	Start    *ChainStart
}

// Anchor is the head as an operator writes it down: "<seq>:<hash>".
func (r ChainReport) Anchor() string { return fmt.Sprintf("%d:%s", r.Head, r.HeadHash) }

// chainLink sets cs.Prev and cs.Hash, prev being the hash of the chain
// head (change-set cs.ID-1), moves the head to cs and returns the value to
// store.
func chainLink(tx *txn, cs *ChangeSet, prev string) (string, error) {
	cs.Hash, cs.Prev = "", prev
	// One buffer holds the stored value, {"hash":"<hex>",<body without
	// its "{">, the hash being a part of it: the body is encoded in place,
	// its "{" where the "," goes, hashed, and the "," put back.
	const at = len(hashPrefix) + 64 + 1
	val := make([]byte, at, at+384+len(cs.Reason))
	copy(val, hashPrefix)
	val[at-1] = '"'
	val = appendChangeSet(val, cs)
	sum := sha256.Sum256(val[at:])
	hex.Encode(val[len(hashPrefix):], sum[:])
	val[at] = ','
	stored := unsafe.String(unsafe.SliceData(val), len(val)) // val is never written again
	cs.Hash = stored[len(hashPrefix) : len(hashPrefix)+64]
	var head [20 + 1 + 64]byte
	if _, _, err := tx.Set("meta:chain", string(append(append(strconv.AppendUint(head[:0], uint64(cs.ID), 10), ' '), cs.Hash...)), nil); err != nil {
		return "", err
	}
	return stored, nil
}

// lastCS is the id of the newest change-set: the chain head's.
func lastCS(tx *txn) (uint64, error) {
	id, _, err := chainHead(tx)
	return uint64(id), err
}

// chainHead reads meta:chain.
func chainHead(tx *txn) (ID, string, error) {
	v, err := tx.Get("meta:chain")
	if err != nil {
		return 0, "", fmt.Errorf("%w: meta:chain: %v", ErrCorrupt, err)
	}
	seq, hash, ok := strings.Cut(v, " ")
	id, err := strconv.ParseUint(seq, 10, 64)
	if !ok || err != nil || len(hash) != 64 {
		return 0, "", fmt.Errorf("%w: meta:chain = %q", ErrCorrupt, v)
	}
	return ID(id), hash, nil
}

// startChain begins the chain on a store that has none: a new store starts
// from zeroHash; one with change-sets from before the chain seals them with
// one digest, recorded in meta:chain_start. It reports whether it did.
func startChain(tx *txn, now time.Time) (*ChainStart, error) {
	if _, err := tx.Get("meta:chain"); err == nil {
		return nil, nil
	} else if !errors.Is(err, buntdb.ErrNotFound) {
		return nil, err
	}
	last, err := legacyLastCS(tx)
	if err != nil {
		return nil, err
	}
	head := zeroHash
	var start *ChainStart
	if last > 0 {
		if err := neverChained(tx, ID(last)); err != nil {
			return nil, err
		}
		digest, err := legacyDigest(tx, ID(last))
		if err != nil {
			return nil, err
		}
		start = &ChainStart{At: now.UTC(), Before: ID(last), Digest: digest}
		if err := putJSON(tx, "meta:chain_start", start); err != nil {
			return nil, err
		}
		head = digest
	}
	_, _, err = tx.Set("meta:chain", strconv.FormatUint(last, 10)+" "+head, nil)
	return start, err
}

// neverChained makes sure a store without a chain head really is from
// before the chain: a head deleted from a chained store must not be taken
// for that, or the chain would be started afresh over an edited ledger.
func neverChained(tx *txn, last ID) error {
	if _, err := tx.Get("meta:chain_start"); err == nil {
		return fmt.Errorf("%w: the chain head (meta:chain) is missing but a chain was started before: the store was damaged or tampered with; restore a backup", ErrChainBroken)
	}
	if v, err := tx.Get(seqKey("cs:", uint64(last))); err == nil && strings.HasPrefix(v, hashPrefix) {
		return fmt.Errorf("%w: the chain head (meta:chain) is missing but change-set %d is chained: the store was damaged or tampered with; restore a backup", ErrChainBroken, last)
	}
	return nil
}

// legacyDigest hashes change-sets 1..last as stored, in order.
func legacyDigest(tx *txn, last ID) (string, error) {
	h := sha256.New()
	h.Write([]byte("tagbot ledger before the chain\n"))
	for id := ID(1); id <= last; id++ {
		key := seqKey("cs:", uint64(id))
		v, err := tx.Get(key)
		if errors.Is(err, buntdb.ErrNotFound) {
			continue // a gap before the chain is sealed as it is
		}
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\n%d\n%s\n", key, len(v), v)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ErrChainBroken is returned by VerifyChain when the ledger is not the
// chain it was written as: a change-set edited, deleted or inserted.
var ErrChainBroken = errors.New("store: ledger hash chain broken")

// VerifyChain checks every change-set's hash and link, and the head. The
// error names the first broken link.
func (s *Store) VerifyChain() (ChainReport, error) {
	var rep ChainReport
	err := s.view(func(tx *txn) error {
		head, headHash, err := chainHead(tx)
		if err != nil {
			return err
		}
		first, prev := ID(1), zeroHash
		if start, err := getJSON[ChainStart](tx, "meta:chain_start", nil); err != nil {
			return err
		} else if start != nil {
			rep.Start = start
			if d, err := legacyDigest(tx, start.Before); err != nil {
				return err
			} else if d != start.Digest {
				return fmt.Errorf("%w: change-sets 1..%d (from before the chain) were changed: their digest differs", ErrChainBroken, start.Before)
			}
			first, prev = start.Before+1, start.Digest
		}
		top, err := topSeq(tx, "cs:") // where the ledger ends
		if err != nil {
			return err
		}
		last := max(top, uint64(head)) // a deleted newest change-set is missing
		for id := first; id <= ID(last); id++ {
			if prev, err = checkLink(tx, id, prev); err != nil {
				return err
			}
			rep.Checked++
		}
		if ID(last) != head || (last > 0 && prev != headHash) || (last == 0 && head != 0) {
			return fmt.Errorf("%w: the head says change-set %d, the ledger ends at %d (newest deleted or replaced?)", ErrChainBroken, head, last)
		}
		rep.Head, rep.HeadHash = head, headHash
		return nil
	})
	return rep, err
}

// checkLink verifies change-set id against the hash of the one before it
// and returns its own hash.
func checkLink(tx *txn, id ID, prev string) (string, error) {
	v, err := tx.Get(seqKey("cs:", uint64(id)))
	if errors.Is(err, buntdb.ErrNotFound) {
		return "", fmt.Errorf("%w: change-set %d is missing (deleted?)", ErrChainBroken, id)
	}
	if err != nil {
		return "", err
	}
	hash, rest, ok := splitHashed(v)
	if !ok {
		return "", fmt.Errorf("%w: change-set %d carries no hash", ErrChainBroken, id)
	}
	sum := sha256.Sum256([]byte(rest))
	if hex.EncodeToString(sum[:]) != hash {
		return "", fmt.Errorf("%w: change-set %d does not match its hash (edited?)", ErrChainBroken, id)
	}
	var link struct {
		ID   ID     `json:"id"`
		Prev string `json:"prev"`
	}
	if err := json.Unmarshal([]byte(rest), &link); err != nil || link.ID != id {
		return "", fmt.Errorf("%w: change-set %d is not the change-set stored under its key", ErrChainBroken, id)
	}
	if link.Prev != prev {
		return "", fmt.Errorf("%w: change-set %d does not follow change-set %d (that one was edited, replaced or deleted)", ErrChainBroken, id, id-1)
	}
	return hash, nil
}

// splitHashed splits a stored change-set into its hash and the JSON the
// hash covers.
func splitHashed(v string) (hash, rest string, ok bool) {
	if !strings.HasPrefix(v, hashPrefix) || len(v) < len(hashPrefix)+66 || v[len(hashPrefix)+64:len(hashPrefix)+66] != `",` {
		return "", "", false
	}
	return v[len(hashPrefix) : len(hashPrefix)+64], "{" + v[len(hashPrefix)+66:], true
}
