package store

import (
	"errors"
	"fmt"
	"time"
)

// Plans: a confirmed proposal of several commands (one sentence holding
// several requests, then 确认), recorded before its first command runs so
// a crash between two of them loses none. Keys:
//
//	pl:<seq>    Plan: who confirmed it and its steps' ids, in order
//	ps:<id>     PlanStep: one command of a plan and whether it ran
//
// A step's id comes from the inbox sequence ("in"), so it can stand where
// an inbox message id does: the change-sets a step makes carry it in
// ChangeSet.Inbox (WithInbox), and the first one marks the step applied in
// its own transaction, as it marks an inbox message. A step applied, or
// marked done by PlanStepDone, is never run again; PlansPending lists what
// a restart must finish. 已确认的多条命令（持久化，重启后继续）。

// Plan is a confirmed proposal of several commands. 已确认的多条命令。
type Plan struct {
	ID      ID        `json:"id"`
	User    string    `json:"user"`  // who confirmed it; the steps run as them
	Steps   []ID      `json:"steps"` // PlanStep ids, in order
	Created time.Time `json:"created"`
}

// PlanStep is one command of a Plan. 其中一条命令。
type PlanStep struct {
	ID      ID     `json:"id"`
	Plan    ID     `json:"plan"`
	Command string `json:"cmd"` // the command as package commands stores it (JSON of its tokens; once its slash text)
	// Applied is the first change-set the step made, written in that
	// change-set's transaction; Done is set by PlanStepDone for a step
	// that made none (nothing to change, or an error).
	Applied ID   `json:"applied,omitempty"`
	Done    bool `json:"done,omitempty"`
}

// Finished reports whether the step ran (and so must not run again).
func (p PlanStep) Finished() bool { return p.Applied != 0 || p.Done }

// PlanBegin records a confirmed plan of commands for user, in one
// transaction that also takes over the inbox message carrying the
// confirmation (inbox, 0 for none): from then on the plan, not the
// message, is what a restart resumes. 记录已确认的多条命令。
func (s *Store) PlanBegin(user string, commands []string, inbox ID) (Plan, error) {
	if user == "" || len(commands) == 0 {
		return Plan{}, errors.New("store: plan needs a user and commands")
	}
	var p Plan
	err := s.update(func(tx *txn) error {
		seq, err := nextSeq(tx, "pl")
		if err != nil {
			return err
		}
		p = Plan{ID: ID(seq), User: user, Created: s.now().UTC()}
		for _, c := range commands {
			sid, err := nextSeq(tx, "in") // an id ChangeSet.Inbox can carry
			if err != nil {
				return err
			}
			p.Steps = append(p.Steps, ID(sid))
			if err := putJSON(tx, seqKey("ps:", sid), PlanStep{ID: ID(sid), Plan: p.ID, Command: c}); err != nil {
				return err
			}
		}
		if inbox != 0 {
			inboxDoneTx(tx, inbox)
		}
		return putJSON(tx, seqKey("pl:", seq), p)
	})
	return p, err
}

// PlanSteps returns the steps of plan id, in order; ErrNotFound when the
// plan is finished or unknown.
func (s *Store) PlanSteps(id ID) ([]PlanStep, error) {
	var out []PlanStep
	err := s.view(func(tx *txn) error {
		p, err := getJSON[Plan](tx, seqKey("pl:", uint64(id)), func() error { return ErrNotFound })
		if err != nil {
			return err
		}
		for _, sid := range p.Steps {
			st, err := getJSON[PlanStep](tx, seqKey("ps:", uint64(sid)), func() error {
				return fmt.Errorf("%w: plan %d step %d missing", ErrCorrupt, id, sid)
			})
			if err != nil {
				return err
			}
			out = append(out, *st)
		}
		return nil
	})
	return out, err
}

// PlanStepDone marks a step as run when it made no change-set (one that
// did is marked by it). Marking it twice is fine.
func (s *Store) PlanStepDone(step ID) error {
	return s.update(func(tx *txn) error {
		key := seqKey("ps:", uint64(step))
		st, err := getJSON[PlanStep](tx, key, nil)
		if err != nil || st == nil || st.Finished() {
			return err
		}
		st.Done = true
		return putJSON(tx, key, st)
	})
}

// PlanEnd removes a plan whose steps all ran. Ending it twice is fine.
func (s *Store) PlanEnd(id ID) error {
	return s.update(func(tx *txn) error {
		key := seqKey("pl:", uint64(id))
		p, err := getJSON[Plan](tx, key, nil)
		if err != nil || p == nil {
			return err
		}
		for _, sid := range p.Steps {
			tx.Delete(seqKey("ps:", uint64(sid)))
		}
		tx.Delete(key)
		return nil
	})
}

// PlansPending lists the plans not ended, oldest first: those a crash cut
// short, for the router to finish at start.
func (s *Store) PlansPending() ([]Plan, error) {
	var out []Plan
	err := s.view(func(tx *txn) error {
		var derr error
		scan(tx, "pl:", func(k, v string) bool {
			var p Plan
			if derr = decode(k, v, &p); derr != nil {
				return false
			}
			out = append(out, p)
			return true
		})
		return derr
	})
	return out, err
}

// markStepAppliedTx records on plan step id (if there is one and it has
// not run) the first change-set it made; markAppliedTx calls it for an
// id that is no inbox message.
func markStepAppliedTx(tx *txn, id, cs ID) error {
	key := seqKey("ps:", uint64(id))
	st, err := getJSON[PlanStep](tx, key, nil)
	if err != nil || st == nil || st.Finished() {
		return err
	}
	st.Applied = cs
	return putJSON(tx, key, st)
}
