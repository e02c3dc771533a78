package jobs

import (
	"sync"
	"time"

	"github.com/tagbot/tagbot/store"
)

// Progress reports in chat: at most one per ProgressStep of a run or per
// ProgressEvery, whichever comes first, so a member gets at most ten
// reports for a fast run and one a minute for a slow one (far within
// WeCom's 30 messages a minute to one member). /bulk, mass undo, merge and
// import all report through a Throttle. 进度消息的频率。
const (
	ProgressStep  = 10 // percent
	ProgressEvery = time.Minute
	// ProgressPerMember is how many progress reports one member gets a
	// minute across all of their running jobs (summaries are not counted
	// and never held back), so several jobs cannot crowd out the replies
	// to the member's commands.
	ProgressPerMember = 6
)

// Throttle says when a running job's progress is due in chat (at most
// every ProgressStep or ProgressEvery). The zero value is ready; it is
// safe for concurrent use.
type Throttle struct {
	// Members bounds the reports of each member across jobs; nil is the
	// process-wide limit every Throttle shares.
	Members *MemberLimit

	mu   sync.Mutex
	last map[string]sent // job id → the last report
}

// MemberLimit lets each member have at most ProgressPerMember progress
// reports in any minute. The zero value is ready; it is safe for
// concurrent use.
type MemberLimit struct {
	mu   sync.Mutex
	sent map[string][]time.Time // member → the reports of the last minute
}

// sharedMembers is the limit of the Throttles with no Members.
var sharedMembers MemberLimit

// take records a report to member at now and reports true, unless the
// member had ProgressPerMember in the minute before now. Times not in that
// minute (older, or later than now: another clock) are forgotten.
func (l *MemberLimit) take(member string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sent == nil {
		l.sent = map[string][]time.Time{}
	}
	var recent []time.Time
	for _, at := range l.sent[member] {
		if now.Sub(at) < time.Minute && !at.After(now) {
			recent = append(recent, at)
		}
	}
	if len(recent) >= ProgressPerMember {
		l.sent[member] = recent
		return false
	}
	l.sent[member] = append(recent, now)
	return true
}

// sent is the last progress sent for a job.
type sent struct {
	at      time.Time
	percent int
}

// Due reports whether a progress report of j is due at now, and when it is
// records it as sent. The first call for a job (its run starts, or resumes
// after a restart) starts the minute and counts from 0%; nothing is due at
// 100% (the summary follows). A report due for the job is still held back
// when the job's actor had ProgressPerMember reports in the last minute
// (Members); it is due again at the next call.
func (t *Throttle) Due(j store.Job, now time.Time) bool {
	pct := Percent(j)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.last == nil {
		t.last = map[string]sent{}
	}
	last, seen := t.last[j.ID]
	if !seen {
		last = sent{at: now}
		t.last[j.ID] = last
	}
	due := pct < 100 && (pct >= last.percent+ProgressStep || now.Sub(last.at) >= ProgressEvery)
	if due && !t.members().take(j.Actor, now) {
		return false
	}
	if due {
		t.last[j.ID] = sent{at: now, percent: pct}
	}
	return due
}

// members is the member limit of t.
func (t *Throttle) members() *MemberLimit {
	if t.Members != nil {
		return t.Members
	}
	return &sharedMembers
}

// Forget drops what Due recorded for job id (at the job's end).
func (t *Throttle) Forget(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.last, id)
}

// Percent is how much of j is handled, 0-100.
func Percent(j store.Job) int {
	if j.Total == 0 {
		return 100
	}
	return j.Next * 100 / j.Total
}
