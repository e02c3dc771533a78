package wecomtest

import (
	"strings"
	"time"
)

// Fault describes a failure to inject on an API path. What a firing fault
// does, after waiting Latency:
//   - Drop: the connection is hijacked and closed without an answer;
//   - ErrCode != 0: a JSON {"errcode","errmsg"} answer with HTTPStatus
//     (default 200);
//   - HTTPStatus != 0 alone: that status with a plain-text body (e.g. 502);
//   - otherwise the call proceeds normally, only delayed.
type Fault struct {
	// ErrCode is the errcode to answer, e.g. 45009 or -1 (系统繁忙).
	ErrCode int
	// ErrMsg is the errmsg to answer (default: a generic message).
	ErrMsg string
	// HTTPStatus is the HTTP status to answer.
	HTTPStatus int
	// Latency delays the answer (cut short if the client gives up).
	Latency time.Duration
	// Drop closes the connection without answering. Note that Go's
	// http.Transport may silently retry an idempotent request (GET) dropped
	// on a reused keep-alive connection; POSTs are never retried.
	Drop bool
	// Times bounds how many calls the fault fires on; 0 means no bound
	// (until ClearFaults).
	Times int
	// Ratio is the share of calls the fault fires on, drawn from the
	// server's deterministically seeded generator; 0 means every call.
	Ratio float64
}

// faultState is a registered fault and how often it fired.
type faultState struct {
	f     Fault
	fired int
}

// AllPaths registers a fault on every API path.
const AllPaths = "*"

// Fault injects f on one API path (without /cgi-bin/, e.g.
// "externalcontact/mark_tag", or AllPaths). Faults on a path are tried in
// the order registered (path-specific ones before AllPaths); the first that
// fires decides the call, so sequences such as "two 502s, then one 45009"
// are expressed by registering several faults with Times set.
func (s *Server) Fault(path string, f Fault) {
	path = strings.TrimPrefix(path, "/cgi-bin/")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[path] = append(s.faults[path], &faultState{f: f})
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string][]*faultState{}
}

// pickFault returns the fault that fires on this call of path, or nil.
// It runs with s.mu held.
func (s *Server) pickFault(path string) *Fault {
	for _, key := range []string{path, AllPaths} {
		list := s.faults[key]
		if len(list) == 0 {
			continue
		}
		kept := list[:0]
		var picked *Fault
		for _, st := range list {
			if st.f.Times > 0 && st.fired >= st.f.Times {
				continue // exhausted: forget it
			}
			kept = append(kept, st)
			if picked != nil {
				continue
			}
			if st.f.Ratio > 0 && st.f.Ratio < 1 && s.rng.Float64() >= st.f.Ratio {
				continue
			}
			st.fired++
			f := st.f
			picked = &f
		}
		s.faults[key] = kept
		if picked != nil {
			return picked
		}
	}
	return nil
}
