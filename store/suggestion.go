package store

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Suggestions: tags a rule or the LLM proposes for one relationship, until
// the follower confirms or rejects them or they expire.
//
//	sg:<seq>                           Suggestion (never deleted)
//	sgp:<follower>:<seq>               present while sg:<seq> is pending (value "")
//	sgk:<customer>:<follower>:<rule>   the pending suggestion of that rule (value seq)
//	sgd:<customer>:<follower>:<rule>   the last decision of that rule (Decision)
//	sgr:<ref>:<follower>:<rule>        an offered input already handled (value seq; expiring)
//	sgx:<unix>:<seq>                   sg:<seq> expires then (12 digits; value "")
//	sgt:<customer>:<follower>:<tag_id> a pending suggestion offers that tag (value seq)
//
// None of these are derived from the ledger: Rebuild leaves them alone.

// Sentinel errors of suggestions.
var (
	// ErrSuggestionPending is returned when the same rule already has a
	// pending suggestion for the relationship, or every tag it offers is
	// offered by another pending suggestion (of any rule).
	ErrSuggestionPending = errors.New("store: suggestion already pending")
	// ErrSuggestionRejected is returned when the follower rejected that rule for the customer recently.
	ErrSuggestionRejected = errors.New("store: suggestion rejected recently")
	// ErrSuggestionSeen is returned when the offered input was handled before (a retry).
	ErrSuggestionSeen = errors.New("store: input already offered")
	// ErrSuggestionDecided is returned when a suggestion is no longer pending.
	ErrSuggestionDecided = errors.New("store: suggestion already decided")
	// ErrSuggestionExpired is returned when a pending suggestion's time is up.
	ErrSuggestionExpired = errors.New("store: suggestion expired")
	// ErrSuggestionNotYours is returned when someone other than the follower decides.
	ErrSuggestionNotYours = errors.New("store: suggestion belongs to another follower")
)

// SuggestionStatus is where a suggestion stands.
type SuggestionStatus string

// Statuses of a suggestion.
const (
	SuggestionPending   SuggestionStatus = "pending"
	SuggestionConfirmed SuggestionStatus = "confirmed" // every tag applied
	SuggestionPartial   SuggestionStatus = "partial"   // some tags applied
	SuggestionRejected  SuggestionStatus = "rejected"
	SuggestionExpired   SuggestionStatus = "expired"
	SuggestionDropped   SuggestionStatus = "dropped" // the relationship or its tags went away
)

// Evidence is why a suggestion was made: the matched words and the text
// around them (or a description of the event).
type Evidence struct {
	Words   []string `json:"words,omitempty"`
	Snippet string   `json:"snippet,omitempty"`
}

// Suggestion is tags proposed for one relationship, with the evidence.
type Suggestion struct {
	ID        ID               `json:"id"`
	Ref       string           `json:"ref"` // the offered input (e.g. "act:42")
	Customer  string           `json:"customer"`
	Follower  string           `json:"follower"`
	Tags      []TagRef         `json:"tags"`
	Source    Source           `json:"source"` // SourceRule or SourceLLM
	Rule      string           `json:"rule"`
	Evidence  Evidence         `json:"evidence"`
	Score     float64          `json:"score"`
	Created   time.Time        `json:"created"`
	Expires   time.Time        `json:"expires"`
	Status    SuggestionStatus `json:"status"`
	Accepted  []TagRef         `json:"accepted,omitempty"` // the tags confirmed
	DecidedBy string           `json:"decided_by,omitempty"`
	DecidedAt time.Time        `json:"decided_at,omitempty"`
	Note      string           `json:"note,omitempty"` // why it was dropped
	ChangeSet ID               `json:"change_set,omitempty"`
	TaskID    string           `json:"task_id,omitempty"` // of the card
	// ResponseCode is the code message/send answered for the card: one
	// update_template_card when it is decided other than by a click.
	ResponseCode string `json:"response_code,omitempty"`
}

// Decision is the last decision on a rule's suggestion for a relationship
// (the memory that keeps a rejected rule quiet).
type Decision struct {
	Status SuggestionStatus `json:"status"`
	At     time.Time        `json:"at"`
	ID     ID               `json:"id"`
}

// TaskIDPrefix starts the task_id of every suggestion card.
const TaskIDPrefix = "tbsg-"

func sgKey(id ID) string                   { return seqKey("sg:", uint64(id)) }
func sgpKey(follower string, id ID) string { return seqKey("sgp:"+follower+":", uint64(id)) }
func sgkKey(c, f, rule string) string      { return "sgk:" + c + ":" + f + ":" + keyPart(rule) }
func sgdKey(c, f, rule string) string      { return "sgd:" + c + ":" + f + ":" + keyPart(rule) }
func sgrKey(ref, f, rule string) string    { return "sgr:" + keyPart(ref) + ":" + f + ":" + keyPart(rule) }

// keyPartEscaper escapes line breaks (not allowed in keys) in rule names
// and refs, which come from the config and from API clients.
var keyPartEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\r", `\r`)

func keyPart(s string) string { return keyPartEscaper.Replace(s) }

func sgtKey(c, f, tagID string) string { return "sgt:" + c + ":" + f + ":" + tagID }

// notPending drops the tags another pending suggestion already offers the
// relationship, so two rules finding one tag send one card.
func notPending(tx *txn, customer, follower string, tags []TagRef) []TagRef {
	out := tags[:0:0]
	for _, t := range tags {
		if _, err := tx.Get(sgtKey(customer, follower, t.ID)); err != nil {
			out = append(out, t)
		}
	}
	return out
}
func sgxKey(at time.Time, id ID) string {
	return fmt.Sprintf("sgx:%012d:%012d", at.Unix(), uint64(id))
}

func getSuggestion(tx *txn, id ID) (*Suggestion, error) {
	return getJSON[Suggestion](tx, sgKey(id), func() error { return fmt.Errorf("suggestion %d: %w", id, ErrNotFound) })
}

// AddSuggestion stores a new pending suggestion after checking, in the same
// transaction, that it is worth offering: the input (Ref) was not offered
// to that follower for that rule before (ErrSuggestionSeen), the rule has
// nothing pending for the relationship (ErrSuggestionPending) and was not
// rejected for it within rejectMemory (ErrSuggestionRejected), the
// relationship exists (ErrNoRelationship), and some tag is not on it yet
// (ErrNoChange; tags already there are dropped). ID, TaskID, Created and
// Status are set; Expires must be.
func (s *Store) AddSuggestion(sg Suggestion, rejectMemory time.Duration) (Suggestion, error) {
	err := s.update(func(tx *txn) error {
		return s.addSuggestionTx(tx, &sg, rejectMemory)
	})
	if err != nil {
		return Suggestion{}, err
	}
	return sg, nil
}

func (s *Store) addSuggestionTx(tx *txn, sg *Suggestion, rejectMemory time.Duration) error {
	if sg.Customer == "" || sg.Follower == "" || sg.Rule == "" || sg.Ref == "" || sg.Expires.IsZero() {
		return errors.New("store: suggestion needs customer, follower, rule, ref and expiry")
	}
	now := s.now().UTC()
	if _, err := tx.Get(sgrKey(sg.Ref, sg.Follower, sg.Rule)); err == nil && !expired(tx, sgrKey(sg.Ref, sg.Follower, sg.Rule), now) {
		return ErrSuggestionSeen
	}
	if _, err := tx.Get(sgkKey(sg.Customer, sg.Follower, sg.Rule)); err == nil {
		return ErrSuggestionPending
	}
	if d, err := getJSON[Decision](tx, sgdKey(sg.Customer, sg.Follower, sg.Rule), nil); err != nil {
		return err
	} else if d != nil && d.Status == SuggestionRejected && now.Sub(d.At) < rejectMemory {
		return ErrSuggestionRejected
	}
	rel, err := getRel(tx, sg.Customer, sg.Follower)
	if err != nil {
		return err
	}
	cs := ChangeSet{Add: sg.Tags}
	if err := normalise(tx, &cs, rel); err != nil {
		return err
	}
	if cs.Add = notPending(tx, sg.Customer, sg.Follower, cs.Add); len(cs.Add) == 0 {
		return ErrSuggestionPending
	}
	seq, err := nextSeq(tx, "sg")
	if err != nil {
		return err
	}
	sg.ID, sg.Tags, sg.Status, sg.Created = ID(seq), cs.Add, SuggestionPending, now
	sg.TaskID = TaskIDPrefix + strconv.FormatUint(seq, 10)
	if err := putJSON(tx, sgKey(sg.ID), sg); err != nil {
		return err
	}
	for k, v := range map[string]string{sgpKey(sg.Follower, sg.ID): "", sgkKey(sg.Customer, sg.Follower, sg.Rule): sg.ID.String(), sgxKey(sg.Expires, sg.ID): ""} {
		if _, _, err := tx.Set(k, v, nil); err != nil {
			return err
		}
	}
	for _, t := range sg.Tags {
		if _, _, err := tx.Set(sgtKey(sg.Customer, sg.Follower, t.ID), sg.ID.String(), nil); err != nil {
			return err
		}
	}
	if err := setExpiring(tx, sgrKey(sg.Ref, sg.Follower, sg.Rule), sg.ID.String(), now.Add(30*24*time.Hour)); err != nil {
		return err
	}
	sweepExpired(tx, now, sweepBatch)
	return nil
}

// Suggestion reads one suggestion.
func (s *Store) Suggestion(id ID) (Suggestion, error) {
	var sg Suggestion
	err := s.view(func(tx *txn) error {
		p, err := getSuggestion(tx, id)
		if err == nil {
			sg = *p
		}
		return err
	})
	return sg, err
}

// SuggestionsPending lists the follower's pending suggestions, oldest first
// (expired ones not yet swept included; see Suggestion.Expires).
func (s *Store) SuggestionsPending(follower string) ([]Suggestion, error) {
	var out []Suggestion
	err := s.view(func(tx *txn) error {
		prefix := "sgp:" + follower + ":"
		var ids []ID
		scan(tx, prefix, func(k, _ string) bool {
			if id, err := seqOf(k, prefix); err == nil {
				ids = append(ids, id)
			}
			return true
		})
		for _, id := range ids {
			sg, err := getSuggestion(tx, id)
			if err != nil {
				return err
			}
			out = append(out, *sg)
		}
		return nil
	})
	return out, err
}

// SuggestionStats counts, per rule, the suggestions created at or after
// since by status.
func (s *Store) SuggestionStats(since time.Time) (map[string]map[SuggestionStatus]int, error) {
	return s.suggestionCounts(since, "")
}

// suggestionCounts counts per rule and status the suggestions created at
// or after since, of follower only when it is not "".
func (s *Store) suggestionCounts(since time.Time, follower string) (map[string]map[SuggestionStatus]int, error) {
	out := map[string]map[SuggestionStatus]int{}
	err := s.view(func(tx *txn) error {
		var ferr error
		tx.DescendLessOrEqual("", "sg:~", func(k, v string) bool {
			if !strings.HasPrefix(k, "sg:") {
				return false
			}
			var sg Suggestion
			if ferr = decode(k, v, &sg); ferr != nil {
				return false
			}
			if sg.Created.Before(since) {
				return false // sequence order is creation order
			}
			if follower != "" && sg.Follower != follower {
				return true
			}
			if out[sg.Rule] == nil {
				out[sg.Rule] = map[SuggestionStatus]int{}
			}
			out[sg.Rule][sg.Status]++
			return true
		})
		return ferr
	})
	return out, err
}

// SuggestionCardSent records the response code WeCom answered for the card
// with taskID (store.TaskIDPrefix + id); other task ids are ignored.
func (s *Store) SuggestionCardSent(taskID, responseCode string) error {
	num, ok := strings.CutPrefix(taskID, TaskIDPrefix)
	if !ok || responseCode == "" {
		return nil
	}
	id, err := ParseID(num)
	if err != nil {
		return err
	}
	return s.update(func(tx *txn) error {
		sg, err := getSuggestion(tx, id)
		if err != nil {
			return err
		}
		sg.ResponseCode = responseCode
		return putJSON(tx, sgKey(id), sg)
	})
}
