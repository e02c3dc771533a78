package wecomtest

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/tagbot/tagbot/wecom/errcode"
)

// markBody is a valid mark_tag body for seedFaults.
var markBody = map[string]any{"userid": "u", "external_userid": "wm1", "add_tag": []string{"etT000002"}}

// seedFaults makes member u, tag etT000002 and customer wm1 of u.
func seedFaults(t *testing.T, s *Server) {
	t.Helper()
	s.AddUser("u", "U")
	g := s.AddTagGroup("g", "a")
	if g.Tags[0].ID != "etT000002" {
		t.Fatalf("unexpected tag id %s", g.Tags[0].ID)
	}
	s.AddCustomer(Customer{ExternalUserID: "wm1", Follows: []Follow{{UserID: "u"}}})
}

func TestFaultSequence(t *testing.T) {
	s := fake(t, Options{})
	seedFaults(t, s)
	tok := token(t, s)
	q := url.Values{"access_token": {tok}}
	s.Fault("externalcontact/mark_tag", Fault{HTTPStatus: http.StatusBadGateway, Times: 2})
	s.Fault("/cgi-bin/externalcontact/mark_tag", Fault{ErrCode: errcode.RateLimited, ErrMsg: "slow down", Times: 1})
	s.Fault("externalcontact/mark_tag", Fault{ErrCode: errcode.SystemBusy, HTTPStatus: http.StatusServiceUnavailable, Times: 1})

	for i := range 2 {
		if st, _ := raw(t, s, http.MethodPost, "externalcontact/mark_tag", q, markBody); st != http.StatusBadGateway {
			t.Fatalf("call %d status = %d, want 502", i, st)
		}
	}
	r := call(t, s, http.MethodPost, "externalcontact/mark_tag", q, markBody)
	if r.code() != errcode.RateLimited || r["errmsg"] != "slow down" {
		t.Fatalf("third call = %v", r)
	}
	st, body := raw(t, s, http.MethodPost, "externalcontact/mark_tag", q, markBody)
	if st != http.StatusServiceUnavailable || string(body) == "" {
		t.Fatalf("fourth call = %d %s", st, body)
	}
	wantCode(t, call(t, s, http.MethodPost, "externalcontact/mark_tag", q, markBody), errcode.OK)
	// Other paths were never affected.
	wantCode(t, call(t, s, http.MethodPost, "externalcontact/get_corp_tag_list", q, nil), errcode.OK)

	calls := s.CallsTo("externalcontact/mark_tag")
	want := []struct{ status, code int }{{502, 0}, {502, 0}, {200, errcode.RateLimited}, {503, -1}, {200, 0}}
	if len(calls) != len(want) {
		t.Fatalf("%d calls recorded", len(calls))
	}
	for i, w := range want {
		if calls[i].Status != w.status || calls[i].ErrCode != w.code {
			t.Fatalf("call %d = status %d errcode %d, want %+v", i, calls[i].Status, calls[i].ErrCode, w)
		}
	}
	if got := s.CustomerTags("wm1", "u"); len(got) != 1 {
		t.Fatalf("faulted calls changed state or the good one did not: %v", got)
	}
}

func TestFaultUnlimitedAndClear(t *testing.T) {
	s := fake(t, Options{})
	s.Fault(AllPaths, Fault{ErrCode: errcode.SystemBusy})
	for range 3 {
		r := call(t, s, http.MethodGet, "gettoken", url.Values{"corpid": {"wwtestcorp"}, "corpsecret": {"test-secret"}}, nil)
		wantCode(t, r, -1)
	}
	s.ClearFaults()
	token(t, s)
}

func TestFaultLatency(t *testing.T) {
	s := fake(t, Options{})
	s.Fault("gettoken", Fault{Latency: 80 * time.Millisecond, Times: 1})
	start := time.Now()
	token(t, s)
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Fatalf("delayed call took %v", d)
	}

	// A client that gives up first: the call is recorded with status 0.
	s.Fault("gettoken", Fault{Latency: 5 * time.Second, Times: 1})
	client := &http.Client{Timeout: 50 * time.Millisecond}
	if _, err := client.Get(s.URL() + "/cgi-bin/gettoken?corpid=wwtestcorp&corpsecret=test-secret"); err == nil {
		t.Fatal("client did not time out")
	}
	deadline := time.Now().Add(2 * time.Second)
	for len(s.CallsTo("gettoken")) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("abandoned call never recorded")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if c := s.CallsTo("gettoken")[1]; c.Status != 0 {
		t.Fatalf("abandoned call = %+v", c)
	}
}

func TestFaultDrop(t *testing.T) {
	s := fake(t, Options{})
	s.Fault("gettoken", Fault{Drop: true, Times: 1})
	resp, err := http.Get(s.URL() + "/cgi-bin/gettoken?corpid=wwtestcorp&corpsecret=test-secret")
	if err == nil {
		resp.Body.Close()
		t.Fatalf("dropped call answered %d", resp.StatusCode)
	}
	if c := s.CallsTo("gettoken"); len(c) != 1 || c[0].Status != 0 {
		t.Fatalf("dropped call record = %+v", c)
	}
	token(t, s)
}

func TestFaultRatioIsDeterministic(t *testing.T) {
	run := func() []int {
		s := fake(t, Options{})
		s.Fault("gettoken", Fault{ErrCode: errcode.RateLimited, Ratio: 0.3})
		var codes []int
		for range 100 {
			r := call(t, s, http.MethodGet, "gettoken", url.Values{"corpid": {"wwtestcorp"}, "corpsecret": {"test-secret"}}, nil)
			codes = append(codes, r.code())
		}
		return codes
	}
	a, b := run(), run()
	failed := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("call %d differs between runs: %d vs %d", i, a[i], b[i])
		}
		if a[i] == errcode.RateLimited {
			failed++
		}
	}
	if failed < 15 || failed > 45 {
		t.Fatalf("%d of 100 calls failed with ratio 0.3", failed)
	}
}

func TestRateLimitWithClock(t *testing.T) {
	clk := newClock()
	s := fake(t, Options{Now: clk.Now, Limits: map[string]int{"externalcontact/mark_tag": 3}})
	s.SetBlockFor(-1) // the sliding window alone (TestLimitBlock covers the block)
	seedFaults(t, s)
	q := url.Values{"access_token": {token(t, s)}}
	mark := func() int { return call(t, s, http.MethodPost, "externalcontact/mark_tag", q, markBody).code() }

	for i := range 3 {
		if c := mark(); c != errcode.OK {
			t.Fatalf("call %d errcode = %d", i, c)
		}
		clk.Advance(10 * time.Second)
	}
	if c := mark(); c != errcode.RateLimited {
		t.Fatalf("4th call in a minute errcode = %d, want 45009", c)
	}
	wantCode(t, call(t, s, http.MethodPost, "externalcontact/get_corp_tag_list", q, nil), errcode.OK)
	clk.Advance(31 * time.Second) // first call is now 61s old
	if c := mark(); c != errcode.OK {
		t.Fatalf("after the window slid errcode = %d", c)
	}
	if c := mark(); c != errcode.RateLimited {
		t.Fatalf("window full again, errcode = %d", c)
	}
	clk.Advance(time.Minute)
	for range 3 {
		if c := mark(); c != errcode.OK {
			t.Fatalf("new minute errcode = %d", c)
		}
	}
}
