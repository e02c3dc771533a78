package wecomtest

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/tagbot/tagbot/wecom/errcode"
)

func TestGetTokenCredentials(t *testing.T) {
	s := fake(t, Options{CorpID: "wwcorp", Secret: "s3cret"})
	tests := []struct {
		name  string
		query url.Values
		want  int
	}{
		{"ok", url.Values{"corpid": {"wwcorp"}, "corpsecret": {"s3cret"}}, errcode.OK},
		{"missing corpid", url.Values{"corpsecret": {"s3cret"}}, errcode.MissingCorpID},
		{"wrong corpid", url.Values{"corpid": {"other"}, "corpsecret": {"s3cret"}}, errcode.InvalidCorpID},
		{"missing secret", url.Values{"corpid": {"wwcorp"}}, errcode.MissingSecret},
		{"wrong secret", url.Values{"corpid": {"wwcorp"}, "corpsecret": {"nope"}}, errcode.InvalidSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, s, http.MethodGet, "gettoken", tt.query, nil)
			wantCode(t, r, tt.want)
			if tt.want == errcode.OK {
				if r["expires_in"] != float64(7200) || len(r["access_token"].(string)) < 32 {
					t.Fatalf("gettoken = %v", r)
				}
			} else if _, has := r["access_token"]; has {
				t.Fatalf("error answer carries a token: %v", r)
			}
		})
	}
}

func TestTokensAreRandomPerServer(t *testing.T) {
	a, b := fake(t, Options{}), fake(t, Options{})
	ta, tb := token(t, a), token(t, b)
	if ta == tb {
		t.Fatal("two fakes issued the same token")
	}
	if again := token(t, a); again != ta {
		t.Fatalf("token changed within its validity: %q then %q", ta, again)
	}
	// A token from one fake is unknown to the other.
	r := call(t, b, http.MethodGet, "user/get", url.Values{"access_token": {ta}, "userid": {"x"}}, nil)
	wantCode(t, r, errcode.InvalidToken)
}

func TestTokenChecks(t *testing.T) {
	s := fake(t, Options{})
	s.AddUser("zhangsan", "张三")
	tok := token(t, s)
	tests := []struct {
		name string
		q    url.Values
		want int
	}{
		{"valid", url.Values{"access_token": {tok}}, errcode.OK},
		{"missing", url.Values{}, errcode.MissingToken},
		{"unknown", url.Values{"access_token": {"made-up"}}, errcode.InvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.Set("userid", "zhangsan")
			wantCode(t, call(t, s, http.MethodGet, "user/get", tt.q, nil), tt.want)
		})
	}
}

func TestTokenExpiryWithClock(t *testing.T) {
	clk := newClock()
	s := fake(t, Options{Now: clk.Now, TokenTTL: 10 * time.Minute})
	s.AddUser("u1", "U1")
	first := token(t, s)
	q := url.Values{"access_token": {first}, "userid": {"u1"}}

	clk.Advance(4 * time.Minute)
	r := call(t, s, http.MethodGet, "gettoken", url.Values{"corpid": {"wwtestcorp"}, "corpsecret": {"test-secret"}}, nil)
	if r["access_token"] != first || r["expires_in"] != float64(360) {
		t.Fatalf("gettoken within validity = %v, want same token with 360s left", r)
	}
	wantCode(t, call(t, s, http.MethodGet, "user/get", q, nil), errcode.OK)

	clk.Advance(6 * time.Minute)
	wantCode(t, call(t, s, http.MethodGet, "user/get", q, nil), errcode.TokenExpired)
	second := token(t, s)
	if second == first {
		t.Fatal("expired token was reissued")
	}
	wantCode(t, call(t, s, http.MethodGet, "user/get", url.Values{"access_token": {second}, "userid": {"u1"}}, nil), errcode.OK)
}

func TestExpireAndInvalidateTokens(t *testing.T) {
	s := fake(t, Options{})
	s.AddUser("u1", "U1")
	use := func(tok string) int {
		return call(t, s, http.MethodGet, "user/get", url.Values{"access_token": {tok}, "userid": {"u1"}}, nil).code()
	}
	t1 := token(t, s)
	s.ExpireTokens()
	if got := use(t1); got != errcode.TokenExpired {
		t.Fatalf("after ExpireTokens errcode = %d", got)
	}
	t2 := token(t, s)
	if t2 == t1 || use(t2) != errcode.OK {
		t.Fatal("no fresh working token after ExpireTokens")
	}
	s.InvalidateTokens()
	if use(t2) != errcode.InvalidToken || use(t1) != errcode.InvalidToken {
		t.Fatal("InvalidateTokens did not invalidate every token")
	}
	if t3 := token(t, s); use(t3) != errcode.OK {
		t.Fatal("no fresh working token after InvalidateTokens")
	}
}
