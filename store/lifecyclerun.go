package store

import (
	"errors"
	"fmt"
	"time"
)

// LifecycleReason is the reason of a lifecycle change-set: it names the rule.
func LifecycleReason(rule string) string { return "生命周期规则「" + rule + "」" }

// ApplyLifecycleStep applies up to limit of a planned run's remaining rows
// in one transaction: each row becomes a change-set (source lifecycle, the
// run's batch and actor, reason naming the rule) and its row is deleted,
// and the run's counters move on, all together, so a run killed between
// steps resumes at the next row and nothing is applied twice. A row that
// changes nothing by then (the tags already moved, the relationship or a
// tag gone) is skipped and counted. When no row remains, the run is
// finished and each of its rules' last-run summary is recorded.
func (s *Store) ApplyLifecycleStep(run ID, limit int) (applied []ChangeSet, done bool, err error) {
	err = s.update(func(tx *txn) error {
		applied, done = applied[:0], false
		r, err := getRun(tx, run)
		if err != nil {
			return err
		}
		if !r.Planned || r.Done {
			done = r.Done
			return nil
		}
		var keys []string
		var rows []LifecyclePlanRow
		if err := scanJSON(tx, fmt.Sprintf("lc:p:%012d:", run), func(k string, row *LifecyclePlanRow) bool {
			keys, rows = append(keys, k), append(rows, *row)
			return len(rows) < limit
		}); err != nil {
			return err
		}
		if r.Changed == nil {
			r.Changed, r.Skipped = map[string]int{}, map[string]int{}
		}
		for i, row := range rows {
			cs := lifecycleChangeSet(r, row)
			switch err := s.applyTx(tx, &cs); {
			case err == nil:
				applied = append(applied, cs)
				r.Changed[row.Rule]++
			case errors.Is(err, ErrNoChange), errors.Is(err, ErrNoRelationship), errors.Is(err, ErrNotFound),
				errors.Is(err, ErrUnknownTag), errors.Is(err, ErrTagDeleted):
				r.Skipped[row.Rule]++
			default:
				return err
			}
			tx.Delete(keys[i])
			r.Applied++
		}
		if len(rows) < limit {
			done = true
			if err := finishRunTx(tx, r, s.now()); err != nil {
				return err
			}
		}
		return putJSON(tx, seqKey("lc:r:", uint64(run)), r)
	})
	if err != nil {
		return nil, false, err
	}
	return applied, done, nil
}

// lifecycleChangeSet is the change-set of one plan row.
func lifecycleChangeSet(r *LifecycleRun, row LifecyclePlanRow) ChangeSet {
	cs := ChangeSet{Actor: r.Actor, Source: SourceLifecycle, Customer: row.Customer, Follower: row.Follower,
		Reason: LifecycleReason(row.Rule), Batch: r.Batch}
	for _, id := range row.Add {
		cs.Add = append(cs.Add, TagRef{ID: id})
	}
	for _, id := range row.Remove {
		cs.Remove = append(cs.Remove, TagRef{ID: id})
	}
	return cs
}

// finishRunTx marks the run done and records each rule's last-run summary.
func finishRunTx(tx *txn, r *LifecycleRun, now time.Time) error {
	r.Done, r.Ended = true, now.UTC()
	tx.Delete(seqKey("lc:q:", uint64(r.ID)))
	for _, rule := range r.Rules {
		st, err := getJSON[LifecycleRuleState](tx, lcStateKey(rule), nil)
		if err != nil {
			return err
		}
		if st == nil {
			st = &LifecycleRuleState{Rule: rule, FirstSeen: r.Created}
		}
		st.Last = &LifecycleRuleRun{Run: r.ID, Batch: r.Batch, Finished: r.Ended, Manual: len(r.Slots) == 0,
			Changed: r.Changed[rule], Skipped: r.Skipped[rule]}
		if err := putJSON(tx, lcStateKey(rule), st); err != nil {
			return err
		}
	}
	return nil
}
