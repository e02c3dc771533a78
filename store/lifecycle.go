package store

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/buntdb"
)

// Lifecycle rules (package lifecycle): when each rule was first loaded and
// last ran, and when each customer last wrote. A run's plan is a Job
// (jobs.go) with id bg-life-<n>, so a run killed midway resumes without
// applying anything twice.
//
//	lc:s:<rule>            LifecycleRuleState
//	meta:seq:lc            last <n> handed out for bg-life-<n>
//	lcm:<external_userid>  when the customer last wrote (RFC 3339; written with each
//	                       received customer message, permanent)
//
// None of these derive from the ledger: Rebuild leaves them alone. lcm:
// cannot be rebuilt once the activities it came from expired.

// LifecycleBatchPrefix starts every lifecycle run's job id and batch.
const LifecycleBatchPrefix = BackgroundBatchPrefix + "life-"

// LifecycleReason is the reason of a lifecycle change-set: it names the rule.
func LifecycleReason(rule string) string { return "生命周期规则「" + rule + "」" }

// LifecycleRuleState is what the store keeps of one lifecycle rule.
type LifecycleRuleState struct {
	Rule      string    `json:"rule"`
	FirstSeen time.Time `json:"first_seen"` // when the rule was first loaded
	// LastSlot is the scheduled time the last scheduled run covered (zero
	// before the first); the next slot follows it. PrevSlot is LastSlot
	// before that run began, put back when its job never came to be.
	LastSlot time.Time `json:"last_slot,omitempty"`
	PrevSlot time.Time `json:"prev_slot,omitempty"`
	// LastJob is the job (and batch) of the rule's last run, "" before
	// the first or when it planned nothing.
	LastJob     string    `json:"last_job,omitempty"`
	LastRun     time.Time `json:"last_run,omitempty"`
	LastManual  bool      `json:"last_manual,omitempty"`
	LastPlanned int       `json:"last_planned"` // relationships its last run planned to change
	// LastTags counts its last run's planned tag changes: "+名" and "-名" → relationships.
	LastTags map[string]int `json:"last_tags,omitempty"`
	// LastConflicts counts the relationships its last run left out because
	// an earlier rule of the run planned otherwise there (exclusive, max).
	LastConflicts int `json:"last_conflicts,omitempty"`
}

// LifecycleRunStart is what BeginLifecycleRun records.
type LifecycleRunStart struct {
	// Slots are the scheduled times a scheduled run covers, by rule; nil
	// for a run asked for by an admin (it leaves the schedule alone).
	Slots map[string]time.Time
	// Planned is how many rows each rule of the run planned.
	Planned map[string]int
	// Tags counts each rule's planned tag changes ("+名"/"-名" → rows).
	Tags map[string]map[string]int
	// Conflicts counts, by rule, the rows left out of the plan because an
	// earlier rule planned otherwise on the same relationship.
	Conflicts map[string]int
}

func lcStateKey(rule string) string { return "lc:s:" + rule }

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
			if err != nil {
				return err
			}
			if st == nil {
				if err := putJSON(tx, lcStateKey(r), &LifecycleRuleState{Rule: r, FirstSeen: now}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.LifecycleStates()
}

// BeginLifecycleRun hands out the run's job id (bg-life-<n>) and records
// it, with the slots it covers and what it planned, in each of its rules'
// states, in one transaction. Create the job with that id next (store.
// CreateJob); if the process dies before the job is whole, RecoverLifecycle
// puts the slots back, so the run is planned again.
func (s *Store) BeginLifecycleRun(start LifecycleRunStart) (string, error) {
	var id string
	err := s.update(func(tx *txn) error {
		n, err := nextSeq(tx, "lc")
		if err != nil {
			return err
		}
		id = LifecycleBatchPrefix + strconv.FormatUint(n, 10)
		now := s.now().UTC()
		for rule, planned := range start.Planned {
			st, err := getJSON[LifecycleRuleState](tx, lcStateKey(rule), nil)
			if err != nil {
				return err
			}
			if st == nil {
				st = &LifecycleRuleState{Rule: rule, FirstSeen: now}
			}
			if slot, ok := start.Slots[rule]; ok {
				st.PrevSlot, st.LastSlot = st.LastSlot, slot.UTC()
			}
			st.LastJob, st.LastRun, st.LastManual, st.LastPlanned = id, now, start.Slots == nil, planned
			st.LastTags, st.LastConflicts = start.Tags[rule], start.Conflicts[rule]
			if planned == 0 {
				st.LastJob = ""
			}
			if err := putJSON(tx, lcStateKey(rule), st); err != nil {
				return err
			}
		}
		return nil
	})
	return id, err
}

// RecoverLifecycle puts back the slot of every rule whose last scheduled
// run's job was never wholly created (missing, or still being created):
// that run applied nothing and is due again. It returns those rules. Call
// it at start, before the job runner cancels half-created jobs.
func (s *Store) RecoverLifecycle() ([]string, error) {
	var fixed []string
	err := s.update(func(tx *txn) error {
		var lost []*LifecycleRuleState
		err := scanJSON(tx, "lc:s:", func(_ string, st *LifecycleRuleState) bool {
			if st.LastJob == "" || st.LastPlanned == 0 {
				return true
			}
			j, err := getJSON[Job](tx, jobKey(st.LastJob), nil)
			if err == nil && (j == nil || j.State == JobCreating) {
				lost = append(lost, st)
			}
			return true
		})
		if err != nil {
			return err
		}
		for _, st := range lost {
			if !st.LastManual {
				st.LastSlot = st.PrevSlot
			}
			st.LastJob, st.LastPlanned = "", 0
			if err := putJSON(tx, lcStateKey(st.Rule), st); err != nil {
				return err
			}
			fixed = append(fixed, st.Rule)
		}
		return nil
	})
	return fixed, err
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
// who never wrote (as far as tagbot heard) is missing from the map. A
// customer without an lcm: key (messages stored by a tagbot before it
// kept them) is looked up in the activities still kept.
func (s *Store) LastMessages(customers []string) (map[string]time.Time, error) {
	out := make(map[string]time.Time, len(customers))
	err := s.view(func(tx *txn) error {
		for _, c := range customers {
			v, err := tx.Get("lcm:" + c)
			if errors.Is(err, buntdb.ErrNotFound) {
				t, ok, err := lastMessageActivity(tx, c, s.now())
				if err != nil {
					return err
				}
				if ok {
					out[c] = t
				}
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

// lastMessageActivity finds the customer's newest stored message from the
// customer (not an employee) in the activity index, expired ones left out.
func lastMessageActivity(tx *txn, customer string, now time.Time) (time.Time, bool, error) {
	prefix := "actc:" + customer + ":"
	var at time.Time
	var found bool
	var ferr error
	err := tx.DescendRange("", prefix+"~", prefix, func(k, _ string) bool {
		if expired(tx, k, now) {
			return true
		}
		id, err := seqOf(k[strings.LastIndexByte(k, ':')+1:], "")
		if err != nil {
			ferr = err
			return false
		}
		a, err := getJSON[Activity](tx, seqKey("act:", uint64(id)), nil)
		if err != nil {
			ferr = err
			return false
		}
		if a != nil && a.Kind == ActivityMessage && a.From != "employee" {
			at, found = a.Time, true
			return false
		}
		return true
	})
	if err == nil {
		err = ferr
	}
	return at, found, err
}
