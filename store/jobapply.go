package store

// Applying a job's rows, a chunk per transaction (jobs.go holds the jobs).

import (
	"errors"
	"fmt"
	"slices"

	"github.com/tidwall/buntdb"
)

// ApplyJobChunk applies the job's next n rows in ONE transaction with the
// cursor and the counters: each row becomes a change-set (Batch = the job
// id, Source and Actor the job's) unless its tags already match (skipped)
// or it fails (counted by reason: denied when planned, customer no longer
// followed, tag deleted, a conflicting later change for an undo). Rows are
// deleted as they are handled. After the last row the job is done. A job
// that is not runnable is returned unchanged.
func (s *Store) ApplyJobChunk(id string, n int) (Job, error) {
	var job Job
	err := s.update(func(tx *txn) error {
		j, err := getJob(tx, id)
		if err != nil {
			return err
		}
		job = *j
		if !job.State.Runnable() {
			return nil
		}
		for i := 0; i < n && job.Next < job.Total; i++ {
			if err := s.applyJobRow(tx, &job); err != nil {
				return err
			}
			if _, err := tx.Delete(jobRowKey(job.ID, job.Next)); err != nil && !errors.Is(err, buntdb.ErrNotFound) {
				return err
			}
			job.Next++
		}
		job.State, job.Updated = JobRunning, s.now().UTC()
		if job.Next >= job.Total {
			job.State, job.Ended = JobDone, job.Updated
		}
		return putJob(tx, &job)
	})
	if err != nil {
		return Job{}, err
	}
	return job, nil
}

// applyJobRow handles row job.Next inside tx and counts it.
func (s *Store) applyJobRow(tx *txn, job *Job) error {
	row, err := getJSON[JobRow](tx, jobRowKey(job.ID, job.Next), func() error {
		return fmt.Errorf("%w: job %s row %d missing", ErrCorrupt, job.ID, job.Next)
	})
	if err != nil {
		return err
	}
	if row.Denied != "" {
		job.fail(row, row.Denied)
		return nil
	}
	cs := ChangeSet{Actor: job.Actor, Source: job.Source, Customer: row.Customer, Follower: row.Follower,
		Add: row.Add, Remove: row.Remove, Reason: row.Reason, Batch: job.ID}
	if cs.Reason == "" {
		cs.Reason = job.Reason
	}
	var reason string
	if row.Reverts != 0 {
		if reason, err = revertRow(tx, job, row.Reverts, &cs); err == nil && reason == "" {
			reason, err = s.revertGroupRow(tx, job, &cs)
		}
	} else {
		if len(row.Add) == 0 && len(row.Remove) == 0 {
			cs.Add, cs.Remove = job.Add, job.Remove
		}
		if reason, err = s.rowWithinLimits(tx, job, &cs); err == nil && reason == "" {
			err = s.applyTx(tx, &cs)
		}
	}
	if reason != "" {
		job.fail(row, reason)
		return nil
	}
	switch {
	case err == nil:
		job.Applied++
	case errors.Is(err, ErrNoChange):
		job.Skipped++
	case errors.Is(err, ErrNoRelationship):
		job.fail(row, JobFailNoRelationship)
	case errors.Is(err, ErrTagDeleted):
		job.fail(row, JobFailTagDeleted)
	case errors.Is(err, ErrUnknownTag):
		job.fail(row, JobFailUnknownTag)
	default:
		return err
	}
	return nil
}

// rowWithinLimits applies the group limits (grouplimits.go) to a row's
// change-set cs on the relationship as it is now: rows of autoExclusive
// sources also take off the other tags of an exclusive group they add
// to; a row that would still give a group more tags than its limit (and
// more than it has) returns the refusal. A missing relationship is left
// to applyTx.
func (s *Store) rowWithinLimits(tx *txn, job *Job, cs *ChangeSet) (string, error) {
	if s.limits.Load() == nil || len(cs.Add) == 0 {
		return "", nil
	}
	rel, err := getRel(tx, cs.Customer, cs.Follower)
	if err != nil {
		return "", nil
	}
	if cs.Reverts == 0 && autoExclusive(job.Source) {
		extra, err := s.exclusiveExtra(tx, rel, cs)
		if err != nil {
			return "", err
		}
		cs.Remove = append(slices.Clip(cs.Remove), extra...)
	}
	return s.overLimit(tx, rel, cs)
}

// fail counts a failed row under reason and keeps the first few as examples.
func (j *Job) fail(row *JobRow, reason string) {
	j.FailedN++
	if j.Failed == nil {
		j.Failed = map[string]int{}
	}
	j.Failed[reason]++
	if len(j.Examples) < maxJobFailures {
		j.Examples = append(j.Examples, JobFailure{Customer: row.Customer, Follower: row.Follower, Reason: reason})
	}
}
