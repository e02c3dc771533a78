package store

// Durable background jobs: a planned list of tag changes (a /bulk run, a
// mass undo, an import, a merge) applied a chunk at a time, each chunk in
// one transaction with the job's cursor, so a crash never applies a row
// twice or loses one. Package jobs runs them.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/buntdb"
)

// JobState is the state of a Job.
type JobState string

// Job states. 任务状态。
const (
	// JobCreating: CreateJob is still writing its rows; not runnable. A job
	// left in this state by a crash is cancelled by CancelJob (jobs.Runner
	// does it at start).
	JobCreating  JobState = "creating"
	JobPending   JobState = "pending"   // planned, not started
	JobRunning   JobState = "running"   // some rows applied
	JobDone      JobState = "done"      // every row handled
	JobCancelled JobState = "cancelled" // stopped; the rest will not be applied
)

// Runnable reports whether a job in this state still has rows to apply.
func (s JobState) Runnable() bool { return s == JobPending || s == JobRunning }

// maxJobFailures is how many failed rows a job keeps as examples.
const maxJobFailures = 20

// Job is a durable background job: its plan (rows under jobr:), its cursor
// and its counters. ID is also the Batch of every change-set it applies.
type Job struct {
	ID      string    `json:"id"` // bg-<kind>-<n>, e.g. bg-bulk-12
	Kind    string    `json:"kind"`
	Actor   string    `json:"actor"`  // who asked; the change-sets' actor
	Source  Source    `json:"source"` // the change-sets' source
	Reason  string    `json:"reason,omitempty"`
	Title   string    `json:"title,omitempty"` // what it does, for replies (e.g. the selection and tags)
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	Ended   time.Time `json:"ended,omitempty"`
	State   JobState  `json:"state"`
	// Add and Remove apply to rows that name no tags of their own.
	Add    []TagRef `json:"add,omitempty"`
	Remove []TagRef `json:"remove,omitempty"`
	// Force applies undo rows despite later changes by others.
	Force bool `json:"force,omitempty"`

	Total   int `json:"total"`
	Next    int `json:"next"`    // rows handled so far (the cursor)
	Applied int `json:"applied"` // change-sets written
	Skipped int `json:"skipped"` // rows whose tags already matched
	// Matched counts what the creator left out of the rows because its
	// tags already matched (kept by CreateJob; not in Total).
	Matched int `json:"matched,omitempty"`
	// FailedN counts failed rows; Failed counts them by reason.
	FailedN  int            `json:"failed_n"`
	Failed   map[string]int `json:"failed,omitempty"`
	Examples []JobFailure   `json:"examples,omitempty"` // the first failed rows
	// Reported is set (MarkJobReported) once the final summary was sent.
	Reported bool `json:"reported,omitempty"`
}

// JobFailure is a failed row kept as an example.
type JobFailure struct {
	Customer string `json:"customer"`
	Follower string `json:"follower"`
	Reason   string `json:"reason"`
}

// JobRow is one planned change of a Job: tags on one relationship, or
// (Reverts set) taking back one change-set. Rows of an undo job should be
// newest change-set first: a later change-set this job already took back is
// then no conflict.
type JobRow struct {
	Customer string   `json:"c,omitempty"`
	Follower string   `json:"f,omitempty"`
	Add      []TagRef `json:"a,omitempty"` // none: the job's Add and Remove
	Remove   []TagRef `json:"r,omitempty"`
	Reverts  ID       `json:"u,omitempty"`
	Reason   string   `json:"why,omitempty"`
	// Denied is set when the row was refused while planning (a group
	// policy): it is counted as failed with this reason, not applied.
	Denied string `json:"denied,omitempty"`
}

// Reasons of failed rows recorded by ApplyJobChunk.
const (
	JobFailNoRelationship = "客户已不再由该员工跟进"
	JobFailTagDeleted     = "标签已被删除"
	JobFailUnknownTag     = "标签不存在"
	JobFailConflict       = "之后有人改过这些标签（冲突）"
	JobFailNotFound       = "要撤销的变更不存在"
)

// jobChunk is how many rows CreateJob writes per transaction.
const jobChunk = 5000

func jobKey(id string) string           { return "job:" + id }
func jobRowKey(id string, n int) string { return fmt.Sprintf("jobr:%s:%012d", id, n) }

// open reports whether the job still needs the runner: rows to apply, or
// an end not yet reported. Open jobs are listed under jobq:.
func (j *Job) open() bool { return j.State.Runnable() || j.State == JobCreating || !j.Reported }

// putJob writes the job and its jobq: key (present while it is open).
func putJob(tx *txn, j *Job) error {
	if err := putJSON(tx, jobKey(j.ID), j); err != nil {
		return err
	}
	if j.open() {
		_, _, err := tx.Set("jobq:"+j.ID, "", nil)
		return err
	}
	if _, err := tx.Delete("jobq:" + j.ID); err != nil && !errors.Is(err, buntdb.ErrNotFound) {
		return err
	}
	return nil
}

func getJob(tx *txn, id string) (*Job, error) {
	return getJSON[Job](tx, jobKey(id), func() error { return fmt.Errorf("job %s: %w", id, ErrNotFound) })
}

// CreateJob stores a job and its rows and makes it runnable. The id is
// made from job.Kind ("bg-<kind>-<n>") unless job.ID is set; State,
// Created and the counters are set here. Rows are written in several
// transactions; the job is runnable only once all are in. With no rows it
// returns ErrNoChange.
func (s *Store) CreateJob(job Job, rows []JobRow) (Job, error) {
	if len(rows) == 0 {
		return Job{}, ErrNoChange
	}
	if job.Kind == "" || job.Actor == "" || job.Source == "" || strings.ContainsAny(job.Kind, ": \r\n") {
		return Job{}, fmt.Errorf("store: job needs a kind (no spaces or colons), actor and source")
	}
	now := s.now().UTC()
	job.State, job.Created, job.Updated, job.Total = JobCreating, now, now, len(rows)
	job.Next, job.Applied, job.Skipped, job.FailedN, job.Failed, job.Examples = 0, 0, 0, 0, nil, nil
	err := s.update(func(tx *txn) error {
		if job.ID == "" {
			n, err := nextSeq(tx, "job")
			if err != nil {
				return err
			}
			job.ID = BackgroundBatchPrefix + job.Kind + "-" + strconv.FormatUint(n, 10)
		}
		if _, err := tx.Get(jobKey(job.ID)); err == nil {
			return fmt.Errorf("store: job %s exists", job.ID)
		}
		return putJob(tx, &job)
	})
	if err != nil {
		return Job{}, err
	}
	for from := 0; from < len(rows); from += jobChunk {
		to := min(from+jobChunk, len(rows))
		err := s.update(func(tx *txn) error {
			for i := from; i < to; i++ {
				if err := putJSON(tx, jobRowKey(job.ID, i), &rows[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return Job{}, fmt.Errorf("store: job %s rows: %w", job.ID, err)
		}
	}
	job.State = JobPending
	err = s.update(func(tx *txn) error { return putJob(tx, &job) })
	return job, err
}

// Job reads one job.
func (s *Store) Job(id string) (Job, error) {
	return viewOne(s, func(tx *txn) (*Job, error) { return getJob(tx, id) })
}

// Jobs lists the jobs, oldest first; with unfinished only those still
// creating, pending or running, or ended but not yet reported.
func (s *Store) Jobs(unfinished bool) ([]Job, error) {
	var out []Job
	err := s.view(func(tx *txn) error {
		if !unfinished {
			return scanJSON(tx, "job:", func(_ string, j *Job) bool {
				out = append(out, *j)
				return true
			})
		}
		var ids []string
		scan(tx, "jobq:", func(k, _ string) bool {
			ids = append(ids, k[len("jobq:"):])
			return true
		})
		for _, id := range ids {
			j, err := getJob(tx, id)
			if err != nil {
				return err
			}
			out = append(out, *j)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sortJobs(out)
	return out, nil
}

// sortJobs orders jobs by creation (ids sort by text, not number).
func sortJobs(js []Job) {
	for i := 1; i < len(js); i++ {
		for j := i; j > 0 && js[j].Created.Before(js[j-1].Created); j-- {
			js[j], js[j-1] = js[j-1], js[j]
		}
	}
}

// MarkJobReported records that the final summary of an ended job was sent.
func (s *Store) MarkJobReported(id string) error {
	return s.update(func(tx *txn) error {
		j, err := getJob(tx, id)
		if err != nil {
			return err
		}
		j.Reported = true
		return putJob(tx, j)
	})
}

// CancelJob stops a job: rows not yet applied never will be (they are
// deleted). What was applied stays (undo it with its batch id). A finished
// job is left as it is.
func (s *Store) CancelJob(id string) (Job, error) {
	var job Job
	err := s.update(func(tx *txn) error {
		j, err := getJob(tx, id)
		if err != nil {
			return err
		}
		job = *j
		if job.State == JobDone || job.State == JobCancelled {
			return nil
		}
		job.State, job.Ended, job.Updated = JobCancelled, s.now().UTC(), s.now().UTC()
		return putJob(tx, &job)
	})
	if err != nil {
		return Job{}, err
	}
	return job, s.deleteJobRows(id)
}

// deleteJobRows removes what is left of a job's rows, a chunk per
// transaction.
func (s *Store) deleteJobRows(id string) error {
	prefix := "jobr:" + id + ":"
	for {
		n := 0
		err := s.update(func(tx *txn) error {
			var keys []string
			scan(tx, prefix, func(k, _ string) bool {
				keys = append(keys, k)
				return len(keys) < jobChunk
			})
			for _, k := range keys {
				if _, err := tx.Delete(k); err != nil {
					return err
				}
			}
			n = len(keys)
			return nil
		})
		if err != nil || n == 0 {
			return err
		}
	}
}
