package wecomtest

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/tagbot/tagbot/wecom/errcode"
)

// WeCom's limits as the fake plays them:
//   - Options.Limits (calls per minute per API path): the call that breaches
//     it answers 45009 and blocks the path for BlockFor (default 60 s, as
//     WeCom blocks a per-minute breach); every call during the block
//     answers 45009 too and is counted (Counters.Blocked), so a test can
//     tell a client that waits a block out from one that hammers it;
//   - a cap on calls at once per path (default DefaultConcurrency: 5 for
//     mark_tag): a call beyond it answers 45033;
//   - a processing time per call (SetLatency), during which the call counts
//     as in flight.
//
// Injected faults (Fault, TransientFaults) fire before all of these: such a
// call never reached the API and counts against nothing.

// DefaultConcurrency is the fake's cap on calls at once per API path: WeCom
// answers mark_tag 45033 beyond about 5. 假服务器的默认并发上限。
var DefaultConcurrency = map[string]int{"externalcontact/mark_tag": 5}

// DefaultBlockFor is how long a per-minute breach blocks a path.
const DefaultBlockFor = time.Minute

// limitState is the fake's limit bookkeeping, guarded by Server.mu.
type limitState struct {
	blockFor     time.Duration
	blockedUntil map[string]time.Time
	blocked      map[string]int
	conc         map[string]int // overrides of DefaultConcurrency; < 0 = none
	inflight     map[string]int
	maxInflight  map[string]int
	latency      time.Duration
}

// init fills the maps on first use; s.mu is held.
func (l *limitState) init() {
	if l.blockedUntil == nil {
		l.blockedUntil, l.blocked = map[string]time.Time{}, map[string]int{}
		l.conc, l.inflight, l.maxInflight = map[string]int{}, map[string]int{}, map[string]int{}
	}
}

// SetBlockFor sets how long a per-minute breach blocks the path (default
// DefaultBlockFor; 0 restores it); tests shorten it. d < 0 turns the block
// off: only the sliding minute refuses calls.
func (s *Server) SetBlockFor(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lim.blockFor = d
}

// SetConcurrency caps calls at once on path (without /cgi-bin/); n < 0
// removes the cap, 0 restores DefaultConcurrency.
func (s *Server) SetConcurrency(path string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lim.init()
	if n == 0 {
		delete(s.lim.conc, path)
		return
	}
	s.lim.conc[path] = n
}

// SetLatency makes every API call take d (WeCom's processing time), during
// which it counts as in flight.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lim.latency = d
}

// TransientFaults injects transient faults on ratio of the calls to path
// (e.g. 0.1), a third each: errcode -1, HTTP 502, and a dropped
// connection. They never fire on gettoken.
func (s *Server) TransientFaults(path string, ratio float64) {
	third := ratio / 3
	s.Fault(path, Fault{ErrCode: errcode.SystemBusy, Ratio: third})
	s.Fault(path, Fault{HTTPStatus: http.StatusBadGateway, Ratio: third / (1 - third)})
	s.Fault(path, Fault{Drop: true, Ratio: third / (1 - 2*third)})
}

// admit applies the concurrency cap of path and then the latency; leave
// must be called when the call is answered (also when refused).
func (s *Server) admit(r *http.Request, path string) (leave func(), refused *apiError) {
	s.mu.Lock()
	s.lim.init()
	limit, ok := s.lim.conc[path]
	if !ok {
		limit = DefaultConcurrency[path]
	}
	if limit > 0 && s.lim.inflight[path] >= limit {
		s.mu.Unlock()
		return func() {}, apiErr(errcode.ConcurrencyLimited, "more than %d concurrent calls to %s", limit, path)
	}
	s.lim.inflight[path]++
	s.lim.maxInflight[path] = max(s.lim.maxInflight[path], s.lim.inflight[path])
	latency := s.lim.latency
	s.mu.Unlock()
	sleepCtx(r, latency)
	return func() {
		s.mu.Lock()
		s.lim.inflight[path]--
		s.mu.Unlock()
	}, nil
}

// limit applies Options.Limits and the block after a breach to one call;
// s.mu is held.
func (s *Server) limit(path string, now time.Time) *apiError {
	s.lim.init()
	if until := s.lim.blockedUntil[path]; now.Before(until) {
		s.lim.blocked[path]++
		return apiErr(errcode.RateLimited, "%s blocked until %s", path, until.Format(time.RFC3339))
	}
	if s.overLimit(path, now) {
		d := s.lim.blockFor
		if d == 0 {
			d = DefaultBlockFor
		}
		if d > 0 {
			s.lim.blockedUntil[path] = now.Add(d)
		}
		return apiErr(errcode.RateLimited, "more than %d calls per minute to %s, blocked for %s", s.opts.Limits[path], path, d)
	}
	return nil
}

// Counters sum up what the fake answered, for tests that must prove that
// nothing was lost and nothing applied twice. 调用计数。
type Counters struct {
	// Applied counts the successful mark_tag calls per relationship,
	// keyed "external_userid:userid".
	Applied map[string]int
	// ByErrCode counts answers per errcode (0 included), per path.
	ByErrCode map[string]map[int]int
	// Dropped and Status5xx count calls answered with no answer or a 5xx.
	Dropped, Status5xx int
	// Blocked counts calls per path answered 45009 during a block.
	Blocked map[string]int
	// MaxInFlight is the most calls at once seen per path.
	MaxInFlight map[string]int
}

// Counters returns the counts so far.
func (s *Server) Counters() Counters {
	calls := s.Calls()
	s.mu.Lock()
	s.lim.init()
	c := Counters{
		Applied: map[string]int{}, ByErrCode: map[string]map[int]int{},
		Blocked: clone(s.lim.blocked), MaxInFlight: clone(s.lim.maxInflight),
	}
	s.mu.Unlock()
	for _, call := range calls {
		switch {
		case call.Status == 0:
			c.Dropped++
			continue
		case call.Status >= 500:
			c.Status5xx++
			continue
		}
		if c.ByErrCode[call.Path] == nil {
			c.ByErrCode[call.Path] = map[int]int{}
		}
		c.ByErrCode[call.Path][call.ErrCode]++
		if call.Path != "externalcontact/mark_tag" || call.ErrCode != errcode.OK || call.Status != http.StatusOK {
			continue
		}
		var in struct {
			UserID         string `json:"userid"`
			ExternalUserID string `json:"external_userid"`
		}
		if json.Unmarshal(call.Body, &in) == nil {
			c.Applied[strings.Join([]string{in.ExternalUserID, in.UserID}, ":")]++
		}
	}
	return c
}

func clone(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
