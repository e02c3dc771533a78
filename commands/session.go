package commands

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Memory lifetimes. 列表与待确认操作的有效期。
const (
	PickTTL     = 10 * time.Minute // a numbered customer list answers #2 this long
	ProposalTTL = 10 * time.Minute // a /rollback or forced /undo waits for /confirm this long
)

// sessions is what the router remembers of each user between messages:
// the last numbered customer list (for #N) and a proposal waiting for
// /confirm. It is safe for concurrent use; memory stays bounded by the
// users active in the last two TTLs. 会话：编号列表与待确认操作。
type sessions struct {
	mu      sync.Mutex
	users   map[string]*session
	taskSeq atomic.Uint64 // card task ids
}

// session is one user's memory.
type session struct {
	seq   uint64    // messages of the user so far; a list remembers the one that showed it
	picks *pickList // nil: no list to pick from
	// gone, when picks is nil, is the command whose reply showed customers
	// without numbers and so cleared the last list, until goneExpires.
	gone        string
	goneExpires time.Time
	proposal    *proposal
}

// pickList is the last numbered list of customers shown to a user.
type pickList struct {
	ids     []string // customer ids; #1 is ids[0]
	source  string   // the command whose reply showed the list, e.g. "/find 138"
	seq     uint64   // the user's message that showed it
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

func newSessions() *sessions { return &sessions{users: map[string]*session{}} }

// locked returns the user's session, creating it; s.mu must be held.
// Expired entries of all users are dropped on the way.
func (s *sessions) locked(user string, now time.Time) *session {
	for u, ss := range s.users {
		if ss.picks != nil && now.After(ss.picks.expires) {
			ss.picks = nil
		}
		if ss.gone != "" && now.After(ss.goneExpires) {
			ss.gone = ""
		}
		if ss.proposal != nil && now.After(ss.proposal.expires.Add(ProposalTTL)) {
			ss.proposal = nil // kept one extra TTL so /confirm can say "expired"
		}
		if ss.picks == nil && ss.gone == "" && ss.proposal == nil && u != user {
			delete(s.users, u)
		}
	}
	ss := s.users[user]
	if ss == nil {
		ss = &session{}
		s.users[user] = ss
	}
	return ss
}

// begin counts a new message of the user and returns its number.
func (s *sessions) begin(user string, now time.Time) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.locked(user, now)
	ss.seq++
	return ss.seq
}

// remember makes ids the user's list for the next #N, shown by req's
// command; cmd (with the customer at argIdx) is rerun by a bare "#N".
func (s *sessions) remember(req *Request, ids []string, cmd *Command, argIdx int) {
	var c *Command
	if cmd != nil {
		cc := cmd.clone()
		c = &cc
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.locked(req.UserID, req.Now)
	ss.picks = &pickList{ids: ids, source: req.Cmd.Display(), seq: req.seq, expires: req.Now.Add(PickTTL), cmd: c, argIdx: argIdx}
	ss.gone = ""
	req.listed = true
}

// forget clears the user's list because the reply to req showed customers
// without numbers: a later #N must not pick from an older list.
func (s *sessions) forget(req *Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.locked(req.UserID, req.Now)
	if ss.picks == nil && ss.gone == "" {
		return
	}
	ss.picks = nil
	ss.gone, ss.goneExpires = req.Cmd.Display(), req.Now.Add(PickTTL)
}

// list returns the user's current list, or a *UserError saying why there
// is none (expired, or replaced by a reply without numbers).
func (s *sessions) list(user string, now time.Time) (*pickList, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.locked(user, now)
	if ss.picks == nil && ss.gone != "" {
		return nil, userErr(CodeExpired, "#编号已失效：你之后发的 %s 显示了别的客户，没有编号。为免选错客户，请重新 /find，或直接写客户名。", ss.gone)
	}
	if ss.picks == nil {
		return nil, userErr(CodeExpired, "没有可以用 # 选择的列表（列表 %d 分钟后失效）。请重新发送带客户名的命令。", int(PickTTL/time.Minute))
	}
	pl := *ss.picks
	return &pl, nil
}

// pick resolves "#N" for req to a customer id from the user's list, and
// marks req as having picked from it. note is set when the list was not
// shown by the user's previous message, so the pick could be doubted: it
// says which list #N came from.
func (s *sessions) pick(req *Request, tok Token) (id, note string, err error) {
	pl, err := s.list(req.UserID, req.Now)
	if err != nil {
		return "", "", err
	}
	n, err := strconv.Atoi(tok.Value)
	if err != nil || n < 1 || n > len(pl.ids) {
		return "", "", userErr(CodeUsage, "#%s 不在列表里（%s 的列表），请用 #1 到 #%d。", clip(tok.Value), pl.source, len(pl.ids))
	}
	req.picked = true
	if pl.seq+1 != req.seq {
		note = fmt.Sprintf("#%d 取自 %s 的列表", n, pl.source)
	}
	return pl.ids[n-1], note, nil
}

// replacing returns what the user's proposal still awaiting /confirm is
// about ("" if none), for a new proposal to say it replaces it.
func (s *sessions) replacing(user string, now time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.locked(user, now).proposal; p != nil && !now.After(p.expires) {
		return p.what
	}
	return ""
}

// replacedNote is the line a proposal's reply starts with when it replaces
// one still awaiting /confirm (what: that one's), or "".
func replacedNote(what string) string {
	if what == "" {
		return ""
	}
	return fmt.Sprintf("（之前等待确认的「%s」已作废，/confirm 只执行下面这个。）\n", what)
}

// propose stores a proposal for the user, replacing any earlier one, and
// returns its task id.
func (s *sessions) propose(user string, now time.Time, what string, confirm func(context.Context, *Request) ([]Reply, error)) string {
	id := fmt.Sprintf("tagbot-%d-%d", now.UnixNano(), s.taskSeq.Add(1))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.locked(user, now).proposal = &proposal{taskID: id, what: what, expires: now.Add(ProposalTTL), confirm: confirm}
	return id
}

// take removes and returns the user's proposal (matching taskID when not
// empty). Expired or missing proposals are a *UserError.
func (s *sessions) take(user, taskID string, now time.Time) (*proposal, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.locked(user, now)
	p := ss.proposal
	if p == nil || (taskID != "" && p.taskID != taskID) {
		return nil, userErr(CodeNotFound, "没有等待确认的操作（可能已经处理过）。")
	}
	ss.proposal = nil
	if now.After(p.expires) {
		return nil, userErr(CodeExpired, "「%s」的确认已过期（%d 分钟内有效），什么都没有改。请重新发送命令。", p.what, int(ProposalTTL/time.Minute))
	}
	return p, nil
}
