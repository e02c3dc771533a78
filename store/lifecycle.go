package store

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tidwall/buntdb"
)

// Lifecycle rules (package lifecycle): when each rule was first loaded and
// last ran, and each run's plan, applied in steps so a run killed midway
// resumes without applying anything twice.
//
//	lc:s:<rule>            LifecycleRuleState: first seen, last scheduled slot, last run's summary
//	lc:r:<seq>             LifecycleRun: one run (a batch bg-life-<seq>)
//	lc:q:<seq>             present while run <seq> is not finished (value "")
//	lc:p:<seq>:<row>       LifecyclePlanRow still to apply (<row> 9 digits); deleted
//	                       in the transaction that applies it
//	lcm:<external_userid>  when the customer last wrote (RFC 3339; written with each
//	                       received customer message, permanent)
//
// None of these derive from the ledger: Rebuild leaves them alone. lcm:
// cannot be rebuilt once the activities it came from expired.

// LifecycleRuleState is what the store keeps of one lifecycle rule.
type LifecycleRuleState struct {
	Rule      string    `json:"rule"`
	FirstSeen time.Time `json:"first_seen"` // when the rule was first loaded
	// LastSlot is the scheduled time the last scheduled run covered
	// (zero before the first); the next slot follows it.
	LastSlot time.Time `json:"last_slot,omitempty"`
	// Last is the summary of the rule's last finished run (scheduled or not).
	Last *LifecycleRuleRun `json:"last,omitempty"`
}

// LifecycleRuleRun is what one run of one rule changed.
type LifecycleRuleRun struct {
	Run      ID        `json:"run"`
	Batch    string    `json:"batch"`
	Finished time.Time `json:"finished"`
	Manual   bool      `json:"manual,omitempty"`
	Changed  int       `json:"changed"`           // change-sets applied
	Skipped  int       `json:"skipped,omitempty"` // rows that changed nothing by then
}

// LifecycleRun is one run of one or more lifecycle rules: a batch whose
// plan rows are applied in steps.
type LifecycleRun struct {
	ID      ID        `json:"id"`
	Batch   string    `json:"batch"` // "bg-life-<id>"
	Actor   string    `json:"actor"` // "system" for a scheduled run, else the admin
	Rules   []string  `json:"rules"`
	Created time.Time `json:"created"`
	// Slots are the scheduled times a scheduled run covers, by rule
	// (recorded as the rules' LastSlot when the plan is complete).
	Slots   map[string]time.Time `json:"slots,omitempty"`
	Planned bool                 `json:"planned,omitempty"` // every plan row is stored
	Total   int                  `json:"total"`             // plan rows
	Applied int                  `json:"applied"`           // plan rows done (applied or skipped)
	Changed map[string]int       `json:"changed,omitempty"` // change-sets applied, by rule
	Skipped map[string]int       `json:"skipped,omitempty"` // rows that changed nothing, by rule
	Done    bool                 `json:"done,omitempty"`
	Ended   time.Time            `json:"ended,omitempty"`
}

// LifecyclePlanRow is one relationship's change planned by one rule.
type LifecyclePlanRow struct {
	Rule     string   `json:"rule"`
	Customer string   `json:"customer"`
	Follower string   `json:"follower"`
	Add      []string `json:"add,omitempty"`    // tag ids
	Remove   []string `json:"remove,omitempty"` // tag ids
}

// LifecycleBatchPrefix starts every lifecycle run's batch id.
const LifecycleBatchPrefix = BackgroundBatchPrefix + "life-"

func lcStateKey(rule string) string { return "lc:s:" + rule }

func lcRowKey(run ID, row int) string { return fmt.Sprintf("lc:p:%012d:%09d", run, row) }

// LifecycleStates reads every rule's state, by rule name.
func (s *Store) LifecycleStates() (map[string]LifecycleRuleState, error) {
	out := map[string]LifecycleRuleState{}
	err := s.view(func(tx *txn) error {
		return scanJSON(tx, "lc:s:", func(_ string, st *LifecycleRuleState) bool {
			out[st.Rule] = *st
			return true
		})
	})
	return out, err
}

// SeeLifecycleRules records now as the first-seen time of each rule not
// seen before and returns every rule's state.
func (s *Store) SeeLifecycleRules(rules []string) (map[string]LifecycleRuleState, error) {
	for _, r := range rules {
		if r == "" || strings.ContainsAny(r, "\r\n") {
			return nil, fmt.Errorf("store: bad lifecycle rule name %q", r)
		}
	}
	err := s.update(func(tx *txn) error {
		now := s.now().UTC()
		for _, r := range rules {
			st, err := getJSON[LifecycleRuleState](tx, lcStateKey(r), nil)
			if err != nil || st != nil {
				if err != nil {
					return err
				}
				continue
			}
			if err := putJSON(tx, lcStateKey(r), &LifecycleRuleState{Rule: r, FirstSeen: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.LifecycleStates()
}

// StartLifecycleRun creates a run (id, batch, created time filled in),
// not yet planned: add its rows with AddLifecyclePlan, then PlanLifecycleRun.
func (s *Store) StartLifecycleRun(run LifecycleRun) (LifecycleRun, error) {
	err := s.update(func(tx *txn) error {
		seq, err := nextSeq(tx, "lc")
		if err != nil {
			return err
		}
		run.ID, run.Created = ID(seq), s.now().UTC()
		run.Batch = fmt.Sprintf("%s%d", LifecycleBatchPrefix, seq)
		run.Total, run.Applied, run.Planned, run.Done = 0, 0, false, false
		if err := putJSON(tx, seqKey("lc:r:", seq), &run); err != nil {
			return err
		}
		_, _, err = tx.Set(seqKey("lc:q:", seq), "", nil)
		return err
	})
	return run, err
}

// AddLifecyclePlan stores plan rows of an unplanned run, numbered from
// first (callers add them in chunks, in order).
func (s *Store) AddLifecyclePlan(run ID, first int, rows []LifecyclePlanRow) error {
	return s.update(func(tx *txn) error {
		r, err := getRun(tx, run)
		if err != nil {
			return err
		}
		if r.Planned {
			return fmt.Errorf("store: lifecycle run %d is already planned", run)
		}
		for i := range rows {
			if err := putJSON(tx, lcRowKey(run, first+i), &rows[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// PlanLifecycleRun marks the run's plan complete with total rows and, for
// a scheduled run, records its slots as the rules' LastSlot, in one
// transaction: from then on the run resumes after a restart.
func (s *Store) PlanLifecycleRun(run ID, total int) error {
	return s.update(func(tx *txn) error {
		r, err := getRun(tx, run)
		if err != nil {
			return err
		}
		r.Planned, r.Total = true, total
		for rule, slot := range r.Slots {
			st, err := getJSON[LifecycleRuleState](tx, lcStateKey(rule), nil)
			if err != nil {
				return err
			}
			if st == nil {
				st = &LifecycleRuleState{Rule: rule, FirstSeen: r.Created}
			}
			st.LastSlot = slot.UTC()
			if err := putJSON(tx, lcStateKey(rule), st); err != nil {
				return err
			}
		}
		return putJSON(tx, seqKey("lc:r:", uint64(run)), r)
	})
}

// DropLifecycleRun deletes an unplanned run and its rows (a run killed
// while planning: nothing of it was applied, and its rules' slots stay
// due, so it is planned afresh).
func (s *Store) DropLifecycleRun(run ID) error {
	return s.update(func(tx *txn) error {
		r, err := getRun(tx, run)
		if err != nil {
			return err
		}
		if r.Planned {
			return fmt.Errorf("store: lifecycle run %d is planned: resume it", run)
		}
		var keys []string
		scan(tx, fmt.Sprintf("lc:p:%012d:", run), func(k, _ string) bool { keys = append(keys, k); return true })
		for _, k := range keys {
			tx.Delete(k)
		}
		tx.Delete(seqKey("lc:q:", uint64(run)))
		tx.Delete(seqKey("lc:r:", uint64(run)))
		return nil
	})
}

// LifecycleRun reads one run.
func (s *Store) LifecycleRun(run ID) (LifecycleRun, error) {
	return viewOne(s, func(tx *txn) (*LifecycleRun, error) { return getRun(tx, run) })
}

// UnfinishedLifecycleRuns lists the runs not finished, oldest first.
func (s *Store) UnfinishedLifecycleRuns() ([]LifecycleRun, error) {
	var out []LifecycleRun
	err := s.view(func(tx *txn) error {
		var ferr error
		scan(tx, "lc:q:", func(k, _ string) bool {
			var id ID
			if id, ferr = seqOf(k, "lc:q:"); ferr != nil {
				return false
			}
			var r *LifecycleRun
			if r, ferr = getRun(tx, id); ferr != nil {
				return false
			}
			out = append(out, *r)
			return true
		})
		return ferr
	})
	return out, err
}

// LifecyclePlan lists up to limit of a run's rows not yet applied, in order.
func (s *Store) LifecyclePlan(run ID, limit int) ([]LifecyclePlanRow, error) {
	var out []LifecyclePlanRow
	err := s.view(func(tx *txn) error {
		return scanJSON(tx, fmt.Sprintf("lc:p:%012d:", run), func(_ string, r *LifecyclePlanRow) bool {
			out = append(out, *r)
			return limit <= 0 || len(out) < limit
		})
	})
	return out, err
}

func getRun(tx *txn, run ID) (*LifecycleRun, error) {
	return getJSON[LifecycleRun](tx, seqKey("lc:r:", uint64(run)), func() error {
		return fmt.Errorf("lifecycle run %d: %w", run, ErrNotFound)
	})
}

// noteLastMessageTx records a customer message's time as the customer's
// last message when it is newer (putActivityTx calls it).
func noteLastMessageTx(tx *txn, a *Activity) error {
	if a.Kind != ActivityMessage || a.From == "employee" {
		return nil
	}
	key := "lcm:" + a.Customer
	if v, err := tx.Get(key); err == nil {
		if old, perr := time.Parse(time.RFC3339Nano, v); perr == nil && !a.Time.After(old) {
			return nil
		}
	} else if !errors.Is(err, buntdb.ErrNotFound) {
		return err
	}
	_, _, err := tx.Set(key, a.Time.UTC().Format(time.RFC3339Nano), nil)
	return err
}

// LastMessages reads when each of the customers last wrote; a customer
// who never wrote (as far as tagbot heard) is missing from the map.
func (s *Store) LastMessages(customers []string) (map[string]time.Time, error) {
	out := make(map[string]time.Time, len(customers))
	err := s.view(func(tx *txn) error {
		for _, c := range customers {
			v, err := tx.Get("lcm:" + c)
			if errors.Is(err, buntdb.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
				out[c] = t
			}
		}
		return nil
	})
	return out, err
}
