package commands

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Memory lifetimes. 列表与待确认操作的有效期。
const (
	PickTTL     = 10 * time.Minute // a numbered customer list answers #2 this long
	ProposalTTL = 10 * time.Minute // a /rollback or forced /undo waits for /confirm this long
)

// session is what the router remembers of one user between messages.
type session struct {
	picks    *pickList
	proposal *proposal
}

// pickList is the last numbered list of customers shown to a user.
type pickList struct {
	ids     []string // customer ids; #1 is ids[0]
	expires time.Time
	// cmd, when set, is the command that asked the user to choose; a bare
	// "#2" reruns it with the choice in place of Args[argIdx].
	cmd    *Command
	argIdx int
}

// proposal is an operation shown to a user and waiting for /confirm or a
// card button.
type proposal struct {
	taskID  string
	what    string // e.g. "回滚 王小明 到 11-01 00:00"
	expires time.Time
	confirm func(ctx context.Context, req *Request) ([]Reply, error)
}

// sessionLocked returns the user's session, creating it; r.mu must be held.
// Expired entries of all users are dropped on the way, so memory stays
// bounded by the users active in the last ten minutes.
func (r *Router) sessionLocked(user string, now time.Time) *session {
	for u, s := range r.sessions {
		if s.picks != nil && now.After(s.picks.expires) {
			s.picks = nil
		}
		if s.proposal != nil && now.After(s.proposal.expires.Add(ProposalTTL)) {
			s.proposal = nil // kept one extra TTL so /confirm can say "expired"
		}
		if s.picks == nil && s.proposal == nil && u != user {
			delete(r.sessions, u)
		}
	}
	s := r.sessions[user]
	if s == nil {
		s = &session{}
		r.sessions[user] = s
	}
	return s
}

// remember stores a numbered list for the user's next #N.
func (r *Router) remember(user string, now time.Time, ids []string, cmd *Command, argIdx int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var c *Command
	if cmd != nil {
		cc := cmd.clone()
		c = &cc
	}
	r.sessionLocked(user, now).picks = &pickList{ids: ids, expires: now.Add(PickTTL), cmd: c, argIdx: argIdx}
}

// pickList returns the user's current list.
func (r *Router) pickList(user string, now time.Time) (*pickList, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	pl := r.sessionLocked(user, now).picks
	if pl == nil {
		return nil, userErr(CodeExpired, "没有可以用 # 选择的列表（列表 %d 分钟后失效）。请重新发送带客户名的命令。", int(PickTTL/time.Minute))
	}
	return pl, nil
}

// picked resolves "#N" to a customer id from the user's last list.
func (r *Router) picked(user string, now time.Time, tok Token) (string, error) {
	pl, err := r.pickList(user, now)
	if err != nil {
		return "", err
	}
	n, err := strconv.Atoi(tok.Value)
	if err != nil || n < 1 || n > len(pl.ids) {
		return "", userErr(CodeUsage, "#%s 不在列表里，请用 #1 到 #%d。", clip(tok.Value), len(pl.ids))
	}
	return pl.ids[n-1], nil
}

// propose stores a proposal for the user, replacing any earlier one, and
// returns its task id.
func (r *Router) propose(user string, now time.Time, what string, confirm func(context.Context, *Request) ([]Reply, error)) string {
	id := fmt.Sprintf("tagbot-%d-%d", now.UnixNano(), r.taskSeq.Add(1))
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sessionLocked(user, now).proposal = &proposal{taskID: id, what: what, expires: now.Add(ProposalTTL), confirm: confirm}
	return id
}

// takeProposal removes and returns the user's proposal (matching taskID
// when not empty). Expired or missing proposals are a *UserError.
func (r *Router) takeProposal(user, taskID string, now time.Time) (*proposal, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.sessionLocked(user, now)
	p := s.proposal
	if p == nil || (taskID != "" && p.taskID != taskID) {
		return nil, userErr(CodeNotFound, "没有等待确认的操作（可能已经处理过）。")
	}
	s.proposal = nil
	if now.After(p.expires) {
		return nil, userErr(CodeExpired, "「%s」的确认已过期（%d 分钟内有效），什么都没有改。请重新发送命令。", p.what, int(ProposalTTL/time.Minute))
	}
	return p, nil
}
