package wecomtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tagbot/tagbot/internal/clocktest"
	"github.com/tagbot/tagbot/wecom/errcode"
)

// newClock returns a settable clock for Options.Now.
func newClock() *clocktest.Clock { return clocktest.New(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)) }

// fake starts a server closed at the end of the test.
func fake(t *testing.T, opts Options) *Server {
	t.Helper()
	s := New(opts)
	t.Cleanup(s.Close)
	return s
}

// result is a decoded JSON answer.
type result map[string]any

// code returns the answer's errcode.
func (r result) code() int {
	v, _ := r["errcode"].(float64)
	return int(v)
}

// raw performs one HTTP call to the fake and returns status and body.
func raw(t *testing.T, s *Server, method, path string, query url.Values, body any) (int, []byte) {
	t.Helper()
	u := s.URL() + "/cgi-bin/" + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, ok := body.([]byte)
		if !ok {
			var err error
			if b, err = json.Marshal(body); err != nil {
				t.Fatalf("marshal body: %v", err)
			}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

// call performs an API call and decodes the JSON answer.
func call(t *testing.T, s *Server, method, path string, query url.Values, body any) result {
	t.Helper()
	st, b := raw(t, s, method, path, query, body)
	if st != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d %s", method, path, st, b)
	}
	var r result
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s %s: bad json %q: %v", method, path, b, err)
	}
	return r
}

// token fetches an access_token with the fake's credentials.
func token(t *testing.T, s *Server) string {
	t.Helper()
	o := s.Options()
	r := call(t, s, http.MethodGet, "gettoken", url.Values{"corpid": {o.CorpID}, "corpsecret": {o.Secret}}, nil)
	tok, _ := r["access_token"].(string)
	if r.code() != 0 || tok == "" {
		t.Fatalf("gettoken = %v", r)
	}
	return tok
}

// post calls a POST API with a fresh token.
func post(t *testing.T, s *Server, path string, body any) result {
	t.Helper()
	return call(t, s, http.MethodPost, path, url.Values{"access_token": {token(t, s)}}, body)
}

// get calls a GET API with a fresh token and extra query values.
func get(t *testing.T, s *Server, path string, q url.Values) result {
	t.Helper()
	if q == nil {
		q = url.Values{}
	}
	q.Set("access_token", token(t, s))
	return call(t, s, http.MethodGet, path, q, nil)
}

// wantCode fails unless r has errcode want.
func wantCode(t *testing.T, r result, want int) {
	t.Helper()
	if r.code() != want {
		t.Fatalf("errcode = %d (%v), want %d", r.code(), r["errmsg"], want)
	}
}

// decode re-decodes a result into a typed value.
func decode[T any](t *testing.T, r result) T {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

func TestOptionsDefaults(t *testing.T) {
	s := fake(t, Options{Limits: map[string]int{"/cgi-bin/externalcontact/mark_tag": 5}})
	o := s.Options()
	want := Options{CorpID: "wwtestcorp", Secret: "test-secret", AgentID: 1000002, Token: o.Token,
		EncodingAESKey: o.EncodingAESKey, TokenTTL: 2 * time.Hour, Limits: o.Limits, Now: o.Now}
	if diff := cmp.Diff(want, o, cmpopts.IgnoreFields(Options{}, "Now")); diff != "" {
		t.Fatalf("defaults (-want +got):\n%s", diff)
	}
	if len(o.EncodingAESKey) != 43 || o.Token == "" || o.Now == nil {
		t.Fatalf("defaults: aes key of %d characters (want 43), token %q (want one), Now set %v (want true)",
			len(o.EncodingAESKey), o.Token, o.Now != nil)
	}
	if o.Limits["externalcontact/mark_tag"] != 5 {
		t.Fatalf("limits not normalised: %v", o.Limits)
	}
	o.Limits["x"] = 1
	if _, leaked := s.Options().Limits["x"]; leaked {
		t.Fatal("Options returned the internal Limits map")
	}
}

func TestNewPanicsOnBadKey(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("New with a 10-character EncodingAESKey did not panic")
		}
	}()
	New(Options{EncodingAESKey: "0123456789"})
}

func TestUnknownPathAndMethod(t *testing.T) {
	s := fake(t, Options{})
	if st, _ := raw(t, s, http.MethodGet, "no/such/api", nil, nil); st != http.StatusNotFound {
		t.Fatalf("unknown api status = %d", st)
	}
	r := call(t, s, http.MethodGet, "externalcontact/mark_tag", url.Values{"access_token": {token(t, s)}}, nil)
	wantCode(t, r, errcode.InvalidParam)
	r = post(t, s, "externalcontact/get_corp_tag_list", []byte("{not json"))
	wantCode(t, r, errcode.InvalidParam)
}

func TestCallsRecorded(t *testing.T) {
	clk := newClock()
	s := fake(t, Options{Now: clk.Now})
	tok := token(t, s)
	call(t, s, http.MethodPost, "externalcontact/mark_tag", url.Values{"access_token": {tok}}, map[string]any{"userid": "nobody"})
	calls := s.Calls()
	if len(calls) != 2 {
		t.Fatalf("calls = %+v", calls)
	}
	want := Call{Path: "gettoken", Query: calls[0].Query, Body: calls[0].Body, ErrCode: errcode.OK, Status: 200, At: clk.Now()}
	if diff := cmp.Diff(want, calls[0]); diff != "" {
		t.Fatalf("gettoken call (-want +got):\n%s", diff)
	}
	mt := s.CallsTo("externalcontact/mark_tag")
	if len(mt) != 1 {
		t.Fatalf("%d mark_tag calls recorded, want 1", len(mt))
	}
	type callView struct {
		ErrCode     int
		Token       string
		NamesNobody bool
	}
	got := callView{mt[0].ErrCode, mt[0].Query.Get("access_token"), bytes.Contains(mt[0].Body, []byte(`"nobody"`))}
	if diff := cmp.Diff(callView{errcode.UnknownUserID, tok, true}, got); diff != "" {
		t.Fatalf("mark_tag call (-want +got):\n%s", diff)
	}
	if len(s.CallsTo("/cgi-bin/externalcontact/mark_tag")) != 1 {
		t.Fatal("CallsTo does not accept the /cgi-bin/ prefix")
	}
}
