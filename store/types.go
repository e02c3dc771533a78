package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ID identifies a change-set (its ledger sequence number), an outbox entry
// or an inbox message.
type ID uint64

// String formats the id the way users type it.
func (id ID) String() string { return strconv.FormatUint(uint64(id), 10) }

// ParseID reads an id as users type it ("42" or "#42").
func ParseID(s string) (ID, error) {
	if len(s) > 0 && s[0] == '#' {
		s = s[1:]
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("store: bad id %q", s)
	}
	return ID(n), nil
}

// Source says where a change-set came from.
type Source string

// Sources of change-sets.
const (
	SourceCommand   Source = "command"   // an employee's /tag or /untag
	SourceRule      Source = "rule"      // a keyword or expr rule, confirmed by the employee
	SourceLLM       Source = "llm"       // an LLM suggestion, confirmed by the employee
	SourceImport    Source = "import"    // a CSV/XLSX import
	SourceBulk      Source = "bulk"      // a bulk operation
	SourceWeComUI   Source = "wecom-ui"  // a change made in the WeCom client, seen in a callback
	SourceSync      Source = "sync"      // a difference found by a full sync (or a WeCom refusal)
	SourceUndo      Source = "undo"      // reverts another change-set
	SourceRollback  Source = "rollback"  // returns a customer to an earlier time
	SourceRestore   Source = "restore"   // re-marks customers after a deleted tag is recreated
	SourceTrigger   Source = "trigger"   // a tag trigger fired by another change-set
	SourceLifecycle Source = "lifecycle" // a scheduled lifecycle rule
	SourceChannel   Source = "channel"   // a channel QR code's tags on a new customer
	SourceMerge     Source = "merge"     // a near-duplicate tag merged into the kept one
)

// BackgroundBatchPrefix starts the Batch of change-sets that belong to a
// large background job (a /bulk run, a mass undo, an import, a merge):
// their WeCom calls wait behind interactive work (see ChangeSet.Background).
const BackgroundBatchPrefix = "bg-"

// Background reports whether the change-set's WeCom calls go to the
// outbox's background lane, behind interactive work: bulk, import,
// lifecycle and merge change-sets, and any whose Batch starts with
// BackgroundBatchPrefix (e.g. the undo of a bulk batch).
func (cs *ChangeSet) Background() bool {
	switch cs.Source {
	case SourceBulk, SourceImport, SourceLifecycle, SourceMerge:
		return true
	}
	return strings.HasPrefix(cs.Batch, BackgroundBatchPrefix)
}

// Mirrored reports whether change-sets of this source already happened on
// WeCom (so they need no outbox call).
func (s Source) Mirrored() bool { return s == SourceWeComUI || s == SourceSync }

// TagRef names a tag in a change-set: its id and, as they were at that time,
// its name and group name.
type TagRef struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Group string `json:"group,omitempty"`
}

// ChangeSet is one immutable entry of the ledger: what changed on one
// customer relationship, who did it, why, and what it reverts.
type ChangeSet struct {
	// Hash is the SHA-256 (hex) of the stored change-set without this
	// field, Prev included: it chains the ledger (chain.go). Set by Apply.
	// It must stay the first field: the stored form is {"hash":"…",<rest>}.
	Hash     string    `json:"hash,omitempty"`
	ID       ID        `json:"id"`
	Time     time.Time `json:"time"`
	Actor    string    `json:"actor"`             // WeCom userid, or "system"
	Source   Source    `json:"source"`            // see Source
	Customer string    `json:"customer"`          // external_userid
	Follower string    `json:"follower"`          // employee userid of the relationship
	Add      []TagRef  `json:"add,omitempty"`     // tags added
	Remove   []TagRef  `json:"remove,omitempty"`  // tags removed
	Reason   string    `json:"reason,omitempty"`  // reason or evidence
	Reverts  ID        `json:"reverts,omitempty"` // the change-set this one reverts
	Batch    string    `json:"batch,omitempty"`   // groups change-sets made together
	Denied   string    `json:"denied,omitempty"`  // set on a refused attempt: recorded, changed nothing
	Forced   bool      `json:"forced,omitempty"`  // an undo applied despite a conflict
	Outbox   ID        `json:"outbox,omitempty"`  // the outbox entry that mirrors it to WeCom
	Inbox    ID        `json:"inbox,omitempty"`   // the received message (or plan step, plans.go) that caused it; marked applied with it
	Prev     string    `json:"prev,omitempty"`    // Hash of the change-set before it (chain.go)
	// Cause is the change-set a tag trigger made this one for (Source
	// trigger), or, on a revert, the revert it was taken back with: the
	// store reverts a change-set together with those it caused (trigger.go).
	Cause ID `json:"cause,omitempty"`
}

// Effective reports whether the change-set changed tags (denied attempts did not).
func (cs *ChangeSet) Effective() bool {
	return cs.Denied == "" && (len(cs.Add) > 0 || len(cs.Remove) > 0)
}

// Group is a tag group of the corp tag library.
type Group struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Order     int       `json:"order"`
	CreatedAt time.Time `json:"created_at"`
	Deleted   bool      `json:"deleted,omitempty"`
	DeletedAt time.Time `json:"deleted_at,omitempty"`
}

// Tag is a tag of the corp tag library. Deleted tags are kept, so history
// can name them and /restore can recreate them.
type Tag struct {
	ID        string    `json:"id"`
	GroupID   string    `json:"group_id"`
	GroupName string    `json:"group_name"`
	Name      string    `json:"name"`
	Order     int       `json:"order"`
	CreatedAt time.Time `json:"created_at"`
	Deleted   bool      `json:"deleted,omitempty"`
	DeletedAt time.Time `json:"deleted_at,omitempty"`
	// RestoredAs is the id of the tag that recreated this deleted one.
	RestoredAs string `json:"restored_as,omitempty"`
}

// Ref returns the tag as a change-set names it.
func (t Tag) Ref() TagRef { return TagRef{ID: t.ID, Name: t.Name, Group: t.GroupName} }

// Customer is a WeCom external contact.
type Customer struct {
	ID        string    `json:"id"` // external_userid
	Name      string    `json:"name"`
	CorpName  string    `json:"corp_name,omitempty"`
	Type      int       `json:"type,omitempty"` // 1 WeChat user, 2 WeCom user
	Followers []string  `json:"followers"`      // employee userids, sorted
	UpdatedAt time.Time `json:"updated_at"`
}

// Mark records who put a tag on a relationship, when, and in which change-set.
type Mark struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
	CS ID        `json:"cs"`
}

// Relationship is one employee following one customer, with the corp tags on
// that relationship (WeCom keeps tags per relationship).
type Relationship struct {
	Customer   string          `json:"customer"`
	Follower   string          `json:"follower"`
	Remark     string          `json:"remark,omitempty"`
	Mobiles    []string        `json:"mobiles,omitempty"`
	CreateTime time.Time       `json:"create_time"`
	State      string          `json:"state,omitempty"` // the channel (state) it was added through
	Tags       map[string]Mark `json:"tags"`            // tag id → mark
}

// TagIDs lists the relationship's tag ids, sorted.
func (r *Relationship) TagIDs() []string { return sortedKeys(r.Tags) }
