package intake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

const testToken = "s3cret-token"

// newTestAPI returns a server with the API over a seeded store.
func newTestAPI(t *testing.T, token string, maxBody int64) (*httptest.Server, *Queue) {
	t.Helper()
	s, clk, _ := openStore(t)
	q := NewQueue(s, QueueOptions{Now: clk.Now})
	mux := http.NewServeMux()
	NewAPI(q, APIOptions{Token: token, MaxBodyBytes: maxBody}).Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, q
}

// apiResult is the part of an answer the tests compare.
type apiResult struct {
	Status int
	Body   map[string]any
}

func post(t *testing.T, srv *httptest.Server, method, path, token, body string) apiResult {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	must(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return apiResult{Status: resp.StatusCode, Body: out}
}

const okMsg = `{"customer":"c1","employee":"zhangsan","from":"customer","text":"多少钱","time":"2026-11-01T16:00:00+08:00"}`

func TestAPIStatusCodes(t *testing.T) {
	srv, _ := newTestAPI(t, testToken, 4096)
	off, _ := newTestAPI(t, "", 0)
	idx := func(i float64) map[string]any { return map[string]any{"index": i} }
	tests := []struct {
		name       string
		srv        *httptest.Server
		method     string
		path       string
		token      string
		body       string
		wantStatus int
		wantCode   string
		wantFields map[string]any // fields of the answer that must be there
	}{
		{"accepted one object", srv, "POST", MessagesPath, testToken, okMsg, 202, "", map[string]any{"accepted": 1.0, "duplicates": 0.0}},
		{"accepted array, unix time", srv, "POST", MessagesPath, testToken, `[` + strings.Replace(okMsg, `"2026-11-01T16:00:00+08:00"`, `1793520000`, 1) + `]`, 202, "", map[string]any{"accepted": 1.0}},
		{"accepted event", srv, "POST", EventsPath, testToken, `{"customer":"c1","type":"coupon_claim","time":1793520000,"attrs":{"delay_seconds":3}}`, 202, "", map[string]any{"accepted": 1.0}},
		{"API off", off, "POST", MessagesPath, testToken, okMsg, 404, "", nil},
		{"no token", srv, "POST", MessagesPath, "", okMsg, 401, "", nil},
		{"wrong token", srv, "POST", MessagesPath, "wrong", okMsg, 401, "", nil},
		{"GET", srv, "GET", MessagesPath, testToken, "", 405, "", nil},
		{"bad JSON", srv, "POST", MessagesPath, testToken, `{"customer":`, 400, CodeBadJSON, nil},
		{"not an object in the array", srv, "POST", MessagesPath, testToken, `[` + okMsg + `, 3]`, 400, CodeBadJSON, idx(1)},
		{"wrong type", srv, "POST", MessagesPath, testToken, `{"customer":5}`, 400, CodeBadJSON, idx(0)},
		{"missing text", srv, "POST", MessagesPath, testToken, `[` + okMsg + `,{"customer":"c1","employee":"zhangsan","from":"customer","time":1793520000}]`, 400, CodeMissingField, idx(1)},
		{"missing employee", srv, "POST", MessagesPath, testToken, `{"customer":"c1","from":"customer","text":"x","time":1793520000}`, 400, CodeMissingField, idx(0)},
		{"bad from", srv, "POST", MessagesPath, testToken, strings.Replace(okMsg, `"from":"customer"`, `"from":"robot"`, 1), 400, CodeBadFrom, idx(0)},
		{"bad time", srv, "POST", MessagesPath, testToken, strings.Replace(okMsg, `2026-11-01T16:00:00+08:00`, `yesterday`, 1), 400, CodeBadTime, idx(0)},
		{"attrs not an object", srv, "POST", EventsPath, testToken, `{"customer":"c1","type":"x","time":1793520000,"attrs":[1]}`, 400, CodeBadField, idx(0)},
		{"unknown customer", srv, "POST", MessagesPath, testToken, strings.Replace(okMsg, `"c1"`, `"wmNOBODY"`, 1), 422, CodeUnknownCustomer, map[string]any{"customer": "wmNOBODY", "index": 0.0}},
		{"no relationship", srv, "POST", MessagesPath, testToken, strings.Replace(okMsg, `"c1"`, `"c3"`, 1), 422, CodeNoRelationship, map[string]any{"customer": "c3", "employee": "zhangsan"}},
		{"body too large", srv, "POST", MessagesPath, testToken, `[` + strings.Repeat(okMsg+",", 40) + okMsg + `]`, 413, CodeTooLarge, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := post(t, tc.srv, tc.method, tc.path, tc.token, tc.body)
			if got.Status != tc.wantStatus {
				t.Fatalf("status = %d, want %d (body %v)", got.Status, tc.wantStatus, got.Body)
			}
			if code, _ := got.Body["code"].(string); code != tc.wantCode {
				t.Errorf("code = %q, want %q", code, tc.wantCode)
			}
			if tc.wantStatus >= 400 && got.Body["error"] == "" {
				t.Errorf("no error reason in %v", got.Body)
			}
			for k, v := range tc.wantFields {
				if !reflect.DeepEqual(got.Body[k], v) {
					t.Errorf("field %s = %v, want %v (body %v)", k, got.Body[k], v, got.Body)
				}
			}
		})
	}
}

// items returns an array of n messages with ids prefix0… .
func items(n int, prefix string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`{"id":"%s%d","customer":"c1","employee":"zhangsan","from":"customer","text":"第 %d 条","time":1793520000}`, prefix, i, i)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func TestAPIItemLimitAndIdempotency(t *testing.T) {
	srv, q := newTestAPI(t, testToken, 0)
	steps := []struct {
		name       string
		body       string
		wantStatus int
		wantAcc    float64
		wantDups   float64
		wantQueued int
	}{
		{"1,000 items", items(1000, "a"), 202, 1000, 0, 1000},
		{"1,001 items refused whole", items(1001, "b"), 413, 0, 0, 1000},
		{"the same 1,000 again", items(1000, "a"), 202, 0, 1000, 1000},
		{"a repeated id within one array", `[` + strings.Repeat(`{"id":"x","customer":"c1","employee":"zhangsan","from":"customer","text":"t","time":1793520000},`, 2) + `{"id":7,"customer":"c1","employee":"zhangsan","from":"customer","text":"t","time":1793520000}]`, 202, 2, 1, 1002},
		{"one bad item stores nothing", `[{"id":"y","customer":"c1","employee":"zhangsan","from":"customer","text":"t","time":1793520000},{"customer":"c1"}]`, 400, 0, 0, 1002},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			got := post(t, srv, "POST", MessagesPath, testToken, st.body)
			if got.Status != st.wantStatus {
				t.Fatalf("status = %d, want %d (%v)", got.Status, st.wantStatus, got.Body["error"])
			}
			if st.wantStatus == 202 && (got.Body["accepted"] != st.wantAcc || got.Body["duplicates"] != st.wantDups) {
				t.Errorf("accepted, duplicates = %v, %v; want %v, %v", got.Body["accepted"], got.Body["duplicates"], st.wantAcc, st.wantDups)
			}
			pending, err := q.store.ActivitiesAfter(0, 0)
			must(t, err)
			if len(pending) != st.wantQueued {
				t.Errorf("queued = %d, want %d", len(pending), st.wantQueued)
			}
		})
	}
}

func TestAPIStoreFailureIsInternalError(t *testing.T) {
	srv, q := newTestAPI(t, testToken, 0)
	q.store.Close()
	got := post(t, srv, "POST", MessagesPath, testToken, okMsg)
	msg, _ := got.Body["error"].(string)
	if got.Status != http.StatusInternalServerError || !strings.HasPrefix(msg, "内部错误（编号 ") {
		t.Errorf("status, error = %d, %q; want 500 and an internal-error number", got.Status, msg)
	}
}

// TestAPIAuthorizationScheme: the scheme name is case-insensitive (RFC
// 9110), anything else is 401; a token in the query string is not read.
func TestAPIAuthorizationScheme(t *testing.T) {
	srv, _ := newTestAPI(t, testToken, 4096)
	for _, tc := range []struct {
		name, header, query string
		want                int
	}{
		{"Bearer", "Bearer " + testToken, "", 202},
		{"lower case", "bearer " + testToken, "", 202},
		{"upper case", "BEARER " + testToken, "", 202},
		{"other scheme", "Basic " + testToken, "", 401},
		{"no space", "Bearer" + testToken, "", 401},
		{"token only", testToken, "", 401},
		{"token in query", "", "?access_token=" + testToken, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest("POST", srv.URL+MessagesPath+tc.query, strings.NewReader(okMsg))
			must(t, err)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp, err := http.DefaultClient.Do(req)
			must(t, err)
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("status = %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
}
