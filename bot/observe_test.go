package bot

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestObserveLabels: every request is reported with a result (accepted,
// duplicate, verified, rejected) and a snake_case reason fit for a metric
// label, never an English sentence.
func TestObserveLabels(t *testing.T) {
	srv, _ := sampleServer(t)
	var got []string
	srv.opts.Observe = func(result, reason string) { got = append(got, result+"/"+reason) }
	post := "<xml><ToUserName><![CDATA[" + sampleCorpID + "]]></ToUserName><Encrypt><![CDATA[" + samplePostEncr + "]]></Encrypt>\n<AgentID><![CDATA[218]]></AgentID>\n</xml>"
	good := url.Values{"msg_signature": {"477715d11cdb4164915debcba66cb864d751f3e6"}, "timestamp": {"1409659813"}, "nonce": {"1372623149"}}
	badSig := url.Values{"msg_signature": {"0000"}, "timestamp": {"1409659813"}, "nonce": {"1372623149"}}
	verify := url.Values{"msg_signature": {"5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"},
		"timestamp": {"1409659589"}, "nonce": {"263014780"}, "echostr": {sampleEchoStr}}
	reqs := []*http.Request{
		httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader("<xml></xml>")),
		httptest.NewRequest(http.MethodPost, "/cb?"+badSig.Encode(), strings.NewReader(post)),
		httptest.NewRequest(http.MethodPut, "/cb?"+good.Encode(), strings.NewReader(post)),
		httptest.NewRequest(http.MethodGet, "/cb?"+verify.Encode(), nil),
		httptest.NewRequest(http.MethodPost, "/cb?"+good.Encode(), strings.NewReader(post)),
		httptest.NewRequest(http.MethodPost, "/cb?"+good.Encode(), strings.NewReader(post)),
		httptest.NewRequest(http.MethodPost, "/cb?"+good.Encode(), strings.NewReader("<xml><ToUserName>x")),
	}
	for _, r := range reqs {
		srv.ServeHTTP(httptest.NewRecorder(), r)
	}
	want := []string{"rejected/missing_params", "rejected/bad_signature", "rejected/method_not_allowed",
		"verified/none", "accepted/none", "duplicate/none", "rejected/bad_envelope"}
	if !slices.Equal(got, want) {
		t.Errorf("observed %q, want %q", got, want)
	}
	label := regexp.MustCompile(`^[a-z_]+$`)
	for _, reason := range callbackReasons {
		if !label.MatchString(reason) {
			t.Errorf("reason %q is not snake_case", reason)
		}
	}
}
