package wecomtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/tagbot/tagbot/wecom/errcode"
)

// TestLimitBlock: the call that breaches the per-minute limit blocks the
// path for BlockFor; calls during the block answer 45009 and are counted.
func TestLimitBlock(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := fake(t, Options{Limits: map[string]int{"externalcontact/mark_tag": 2}, Now: clock})
	s.SetBlockFor(10 * time.Second)
	seedFaults(t, s)
	q := url.Values{"access_token": {token(t, s)}}
	mark := func() int { return call(t, s, http.MethodPost, "externalcontact/mark_tag", q, markBody).code() }
	want := []int{errcode.OK, errcode.OK, errcode.RateLimited, errcode.RateLimited, errcode.RateLimited}
	for i, w := range want {
		if got := mark(); got != w {
			t.Fatalf("call %d: errcode %d, want %d", i, got, w)
		}
	}
	if c := s.Counters(); c.Blocked["externalcontact/mark_tag"] != 2 {
		t.Fatalf("blocked calls = %d, want 2 (the breach itself is not one)", c.Blocked["externalcontact/mark_tag"])
	}
	mu.Lock()
	now = now.Add(61 * time.Second)
	mu.Unlock()
	if got := mark(); got != errcode.OK {
		t.Fatalf("after the block and the minute: errcode %d", got)
	}
}

// TestConcurrencyCap: a call beyond the cap answers 45033 while the others
// are in flight.
func TestConcurrencyCap(t *testing.T) {
	s := fake(t, Options{})
	seedFaults(t, s)
	s.SetConcurrency("externalcontact/mark_tag", 2)
	s.SetLatency(200 * time.Millisecond)
	q := url.Values{"access_token": {token(t, s)}}
	codes := make([]int, 4)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = call(t, s, http.MethodPost, "externalcontact/mark_tag", q, markBody).code()
		}()
	}
	wg.Wait()
	n := map[int]int{}
	for _, c := range codes {
		n[c]++
	}
	if n[errcode.OK] != 2 || n[errcode.ConcurrencyLimited] != 2 {
		t.Fatalf("answers %v, want two ok and two 45033", n)
	}
	c := s.Counters()
	if c.MaxInFlight["externalcontact/mark_tag"] != 2 || c.Applied["wm1:u"] != 2 {
		t.Fatalf("counters %+v", c)
	}
}

// TestTransientFaults: about the given share of calls fail, a third each
// -1, 502 and dropped.
func TestTransientFaults(t *testing.T) {
	s := fake(t, Options{})
	seedFaults(t, s)
	s.SetConcurrency("externalcontact/mark_tag", -1)
	s.TransientFaults("externalcontact/mark_tag", 0.3)
	q := url.Values{"access_token": {token(t, s)}}
	body, _ := json.Marshal(markBody)
	for range 300 {
		resp, err := http.Post(s.URL()+"/cgi-bin/externalcontact/mark_tag?"+q.Encode(), "application/json", bytes.NewReader(body))
		if err == nil {
			resp.Body.Close()
		}
	}
	c := s.Counters()
	busy := c.ByErrCode["externalcontact/mark_tag"][errcode.SystemBusy]
	for name, n := range map[string]int{"-1": busy, "502": c.Status5xx, "dropped": c.Dropped} {
		if n < 15 || n > 50 {
			t.Errorf("%s: %d of 300, want about 30", name, n)
		}
	}
	if got := c.Applied["wm1:u"] + busy + c.Status5xx + c.Dropped; got != 300 {
		t.Errorf("applied+faults = %d, want 300", got)
	}
}
