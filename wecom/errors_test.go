package wecom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/util"
)

func TestConvertErrShapes(t *testing.T) {
	tests := []struct {
		name      string
		in        error
		wantCode  int
		wantHTTP  int
		transient bool
	}{
		{"common error busy", util.NewCommonError("x", -1, "system busy"), -1, 0, true},
		{"common error freq", util.NewCommonError("x", 45009, "api freq out of limit"), 45009, 0, true},
		{"common error concurrency", util.NewCommonError("x", 45033, "api concurrent out of limit"), 45033, 0, true},
		{"common error token expired", util.NewCommonError("x", 42001, "expired"), 42001, 0, true},
		{"invalid tag", util.NewCommonError("x", 40068, "invalid tagid"), 40068, 0, false},
		{"no relation", util.NewCommonError("x", 84061, "not external contact"), 84061, 0, false},
		{"sdk post status", errors.New("http post error : uri=https://h/cgi-bin/x?access_token=SECRET , statusCode=502"), 0, 502, true},
		{"sdk get status", errors.New("http get error : uri=https://h/cgi-bin/x?access_token=SECRET , statusCode=503"), 0, 503, true},
		{"sdk 404", errors.New("http get error : uri=https://h/x?access_token=SECRET , statusCode=404"), 0, 404, false},
		{"gettoken errcode", errors.New("get access_token error : errcode=40001 , errormsg=invalid credential"), 40001, 0, false},
		{"gettoken busy", errors.New("get access_token error : errcode=-1 , errormsg=system busy"), -1, 0, true},
		{"eof", io.EOF, 0, 0, true},
		{"unexpected eof", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), 0, 0, true},
		{"deadline", context.DeadlineExceeded, 0, 0, true},
		{"canceled", context.Canceled, 0, 0, false},
		{"other", errors.New("boom"), 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := convertErr("externalcontact/mark_tag", tt.in)
			if c := Code(got); c != tt.wantCode {
				t.Errorf("Code = %d, want %d (err %v)", c, tt.wantCode, got)
			}
			var he *HTTPError
			if errors.As(got, &he) != (tt.wantHTTP != 0) || (he != nil && he.Status != tt.wantHTTP) {
				t.Errorf("HTTPError = %v, want status %d", he, tt.wantHTTP)
			}
			if IsTransient(got) != tt.transient {
				t.Errorf("IsTransient(%v) = %v, want %v", got, !tt.transient, tt.transient)
			}
			if strings.Contains(got.Error(), "SECRET") {
				t.Errorf("error leaks the token: %v", got)
			}
		})
	}
}

func TestAPIErrorFormat(t *testing.T) {
	err := error(&APIError{API: "externalcontact/mark_tag", Code: 40068, Msg: "invalid tagid"})
	wrapped := fmt.Errorf("outbox: %w", err)
	if Code(wrapped) != 40068 {
		t.Fatalf("Code through wrapping = %d", Code(wrapped))
	}
	want := "wecom externalcontact/mark_tag: errcode=40068 errmsg=invalid tagid"
	if err.Error() != want {
		t.Fatalf("Error() = %q, want %q", err.Error(), want)
	}
	if Code(nil) != 0 || IsTransient(nil) {
		t.Fatal("nil error must be code 0 and not transient")
	}
	if !IsTransient(fmt.Errorf("x: %w", ErrRateLimited)) {
		t.Fatal("local rate limit must be transient")
	}
}

// TestTransportErrorsAreTransient produces real transport failures through
// the SDK's HTTP helpers and checks their classification and redaction.
func TestTransportErrorsAreTransient(t *testing.T) {
	installGlobals()
	tests := []struct {
		name    string
		handler http.HandlerFunc
		timeout time.Duration
	}{
		{"status 500", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) }, time.Second},
		{"dropped connection", func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		}, time.Second},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body) // lets the server notice the client leaving
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		}, 50 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			ctx, cancel := context.WithTimeout(context.Background(), tt.timeout)
			defer cancel()
			_, err := util.PostJSONContext(ctx, srv.URL+"/cgi-bin/x?access_token=SECRETTOKEN", map[string]int{"a": 1})
			if err == nil {
				t.Fatal("expected an error")
			}
			got := convertErr("x", err)
			if !IsTransient(got) {
				t.Errorf("IsTransient(%v) = false", got)
			}
			if strings.Contains(got.Error(), "SECRETTOKEN") {
				t.Errorf("error leaks the token: %v", got)
			}
		})
	}
	t.Run("connection refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		addr := srv.URL
		srv.Close()
		_, err := util.HTTPGetContext(context.Background(), addr+"/cgi-bin/gettoken?corpid=c&corpsecret=SECRETKEY")
		got := convertErr("gettoken", err)
		if !IsTransient(got) || strings.Contains(got.Error(), "SECRETKEY") {
			t.Errorf("got %v transient=%v", got, IsTransient(got))
		}
	})
}

// FuzzConvertErrRedacts feeds SDK-shaped transport errors whose URL carries
// a credential (an API call's access_token, or gettoken's corpsecret) and
// checks that the converted error exposes neither the query parameter nor,
// for values of 6 or more bytes, the value itself.
func FuzzConvertErrRedacts(f *testing.F) {
	f.Add("externalcontact/mark_tag", "tok123", 502, true)
	f.Add("gettoken", "s3cr3t", 200, false)
	f.Add("a b/%zz", "x&y=z", 404, true)
	f.Add("externalcontact/get", "corpsecret=abcdef&x", 503, false)
	f.Add("user/get\n", "秘密的令牌值", 500, false)
	f.Fuzz(func(t *testing.T, path, secret string, status int, asURLError bool) {
		if secret == "" || strings.Contains(path, "?") || strings.Contains(path, "#") {
			return
		}
		cases := []struct{ api, prefix, param string }{
			{path, "https://qyapi.weixin.qq.com/cgi-bin/" + path + "?access_token=", "access_token"},
			{"gettoken", "https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww" + path + "&corpsecret=", "corpsecret"},
		}
		for _, c := range cases {
			convert := func(value string) string {
				raw := c.prefix + url.QueryEscape(value)
				var in error
				if asURLError {
					in = &url.Error{Op: "Get", URL: raw, Err: io.EOF}
				} else {
					in = fmt.Errorf("http get error : uri=%v , statusCode=%v", raw, status)
				}
				return convertErr(c.api, in).Error()
			}
			got := convert(secret)
			if strings.Contains(strings.ReplaceAll(got, c.param+"=REDACTED", ""), c.param+"=") {
				t.Fatalf("converted error leaks the %s parameter: %v", c.param, got)
			}
			if len(secret) < 6 {
				continue
			}
			// What the error says with an empty value is public: the value
			// may only appear where it is part of that text (the path, say).
			public := convert("")
			for _, v := range []string{secret, url.QueryEscape(secret)} {
				if strings.Contains(got, v) && !strings.Contains(public, v) {
					t.Fatalf("converted error leaks the %s value %q: %v", c.param, v, got)
				}
			}
		}
	})
}

// FuzzDecode checks that decode never panics and that a non-zero errcode
// always surfaces as an APIError with that code.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"errcode":0,"errmsg":"ok","tag_group":[{"group_id":"g","order":3,"tag":[{"id":"t","order":1}]}]}`))
	f.Add([]byte(`{"errcode":40068,"errmsg":"invalid tagid"}`))
	f.Add([]byte(`{"errcode":"x"}`))
	f.Add([]byte(`<html>502</html>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var resp tagListResponse
		err := decode(pathGetCorpTagList, body, &resp)
		var probe struct {
			ErrCode int64 `json:"errcode"`
		}
		if json.Unmarshal(body, &probe) == nil && probe.ErrCode != 0 && int64(int(probe.ErrCode)) == probe.ErrCode {
			if Code(err) != int(probe.ErrCode) {
				t.Fatalf("errcode %d decoded as %v", probe.ErrCode, err)
			}
		}
	})
}
