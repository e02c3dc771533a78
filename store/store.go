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
//	meta:seq:<name>            last sequence handed out for in, rq, act, sg, lc, tn (plain number);
//	                           change-sets and outbox entries have none (seqs.go)
//	meta:chain                 "<seq> <hash>": the newest change-set, which numbers
//	                           change-sets, and its hash (chain.go)
//	meta:chain_start           ChainStart: the digest sealing a ledger from before the chain
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
//	in:<seq>                   InboxMessage: a received callback, until done
//	inq:<seq>                  present while in:<seq> is pending; value: its order key
//	                           (the sender; "" from tagbots before it was kept)
//	ind:<dedup key>            dedup marker of a received callback (value = seq, expires after DedupTTL)
//	rq:<seq>                   QueuedReply: a reply not yet sent, until sent or dropped
//	rqu:<userid>:<seq>         queued replies by member, in order (value "")
//	rqb:<seq>                  bytes of queued reply rq:<seq>'s image or file (base64; replymedia.go)
//	obr:<external_userid>:<userid>:<seq>
//	                           present while the relationship has outbox entry <seq> pending
//	obl:i:<seq>, obl:b:<seq>   present while ob:<seq> is pending, by lane: interactive
//	                           or background; together, the queue (outboxlanes.go)
//	obc:l:i, obc:l:b, obc:b:<batch>
//	                           OutboxCounts of each lane (the whole outbox: both), of one batch
//	obcv                       version of the obl:/obc: keys ("2"; Open derives them when older;
//	                           "1" also had obq:<seq> and obc:t, which Open deletes)
//	meta:x:<name>              small values of other packages (Meta, SetMeta), e.g.
//	                           nl.confirm:<userid> = "off" after /set confirm off,
//	                           todo.digest:<userid> = day of the last daily digest (expiring; todo/)
//	rc:<external_userid>:<userid>
//	                           relationship to read again from WeCom (Rechecks)
//	act:<seq>                  Activity: a received message or event to classify, kept as
//	                           history until it expires (activity.go)
//	actq:<seq>                 present while act:<seq> is not yet classified (value "")
//	actc:<external_userid>:<time>:<seq>
//	                           a customer's activities by time (value ""; expires with act:)
//	actd:<idempotency key>     dedup marker of an activity (value = seq; expires with act:)
//	actk:<name>                a source's cursor, e.g. 微信客服 sync_msg (value = cursor)
//	sg:<seq>                   Suggestion: tags proposed by a rule or the LLM (suggestion.go)
//	sgp:<userid>:<seq>         present while sg:<seq> is pending, by follower (value "")
//	sgk:<external_userid>:<userid>:<rule>
//	                           the rule's pending suggestion for the relationship (value seq)
//	sgd:<external_userid>:<userid>:<rule>
//	                           the rule's last decision for the relationship (Decision)
//	sgr:<ref>:<userid>:<rule>  an offered input already handled (value seq; expiring)
//	sgx:<unix>:<seq>           pending sg:<seq> expires then (12 digits each; value "")
//	sgt:<external_userid>:<userid>:<tag_id>
//	                           a pending suggestion offers that tag (value seq)
//	sn:c                       number of customers (plain number; stats.go)
//	sn:v                       version of the sn: and rf: keys ("3"; Open writes them when older)
//	rf:<userid>:<external_userid>
//	                           the follower's relationships (value ""; stats.go)
//	                           (the number of customers per tag is kept in memory, counted
//	                           from the tt: keys at Open; sn:v "2" stored it in sn:t:<tag_id>,
//	                           which Open deletes: tagcounts.go)
//	lc:s:<rule>                LifecycleRuleState: a lifecycle rule's first load, last slot, last run
//	                           (its runs are jobs bg-life-<n>, n from meta:seq:lc; lifecycle.go)
//	lcm:<external_userid>      when the customer last wrote (RFC 3339; lifecycle.go)
//	imp:l:<token hash>         ImportLink: a one-time /import upload link (expiring; imports.go)
//	job:<id>                   Job: a durable background job (bg-<kind>-<n>): plan
//	                           header, cursor and counters (jobs.go; not rebuilt by Rebuild)
//	jobr:<id>:<n>              JobRow n of the job, until it is applied (12 digits)
//	jobq:<id>                  present while the job is open: rows to apply or its end
//	                           not yet reported (value "")
//	meta:seq:job               last number handed out for job ids
//	dp:<userid>                a member's WeCom department ids as user/get reported them
//	                           (departments.go; a cache of WeCom: Rebuild leaves it, the full sync rewrites it)
//	pl:<seq>                   Plan: a confirmed proposal of several commands, until all ran (plans.go)
//	ps:<id>                    PlanStep: one command of a plan; id from the inbox sequence
//	en:<userid>                a member's name as user/get reported it (members.go; a cache like dp:)
//	enn:<name folded>:<userid> the members called that name (value "")
//	exp:<unix>:<key>           key expires at unix seconds (12 digits); see expire.go
//	xk:<key>                   the expiry of an expiring key
//	tn:<seq>                   Note: a trigger's message (notify, reminder) not yet sent (trigger.go)
//	tnd:<unix>:<seq>           tn:<seq> is due then (12 digits each; value "")
//	chn:<name>                 Channel: a QR-code contact way (channel.go)
//	chs:<state>                the channel of a contact way's state (value: name)
//	~frame                     frame marker, rewritten by every write transaction:
//	                           count and checksum of its other commands (txn.go)
//
// Every write transaction goes through Store.update, which ends it with the
// frame marker, so Open can tell a whole last transaction from one a power
// cut tore (tail.go). BuntDB's own TTLs and auto-shrink are not used: both
// write without a marker. Expiring keys are swept by the store (expire.go)
// and Compact rewrites the file.
//
// Change-set ids are a sequence: the next one is the chain head's
// (meta:chain) plus one. Change-set times never go backwards in sequence
// order (a clock that steps back is clamped to the previous time), so a
// time maps to a sequence range by binary search and history by time needs
// no scan.
package store

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
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

// Close flushes and closes the file and releases the lock.
func (s *Store) Close() error {
	err := s.db.Close()
	s.lock.release()
	return err
}

// Tail reports what Open found at the end of the file.
func (s *Store) Tail() TailReport { return s.tail }

// Path is the file the store was opened on.
func (s *Store) Path() string { return s.path }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now() }

// Store is tagbot's BuntDB-backed state. It is safe for concurrent use.
type Store struct {
	db   *buntdb.DB
	path string
	now  func() time.Time
	log  *slog.Logger

	lock     *storeLock // held while open; nil for :memory:
	readOnly bool       // loaded into memory; the file is never written
	wmu      sync.Mutex // serializes write transactions (update)
	obSeq    uint64     // last outbox id handed out; under wmu (seqs.go)
	counts   laneCounts // decoded lane counts; under wmu (countscodec.go)
	wtx      txn        // the write transaction's txn, reused; under wmu (txn.go)
	tags     tagCounts  // customers per tag (tagcounts.go)
	lib      atomic.Pointer[library]
	tail     TailReport // what Open found at the end of the file
	mu       sync.Mutex // guards lastTime
	lastTime time.Time  // time of the newest change-set
	warnedAt time.Time  // when stamp last warned of a clock behind the ledger

	triggers atomic.Pointer[TriggerFunc]           // tag triggers (trigger.go); nil: none
	limits   atomic.Pointer[map[string]GroupLimit] // group limits of job rows (grouplimits.go)
}

// seqKey formats a sequence number for keys.
func seqKey(prefix string, n uint64) string { return joinSeq(n, prefix) }

// joinSeq is the key made of parts followed by n in 12 digits, built with
// one allocation.
func joinSeq(n uint64, parts ...string) string {
	var buf [128]byte
	b := buf[:0]
	for _, p := range parts {
		b = append(b, p...)
	}
	return string(appendSeq(b, n))
}

// appendSeq appends n padded to 12 digits, so that key order is number
// order (fmt.Sprintf("%012d") without its cost: keys are built on the
// hot path).
func appendSeq(b []byte, n uint64) []byte {
	var digits [20]byte
	d := strconv.AppendUint(digits[:0], n, 10)
	for i := len(d); i < 12; i++ {
		b = append(b, '0')
	}
	return append(b, d...)
}

// lastSeq reads the last sequence handed out for name.
func lastSeq(tx *txn, name string) (uint64, error) {
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
func nextSeq(tx *txn, name string) (uint64, error) {
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
	err := s.view(func(tx *txn) error {
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
	return s.update(func(tx *txn) error {
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
