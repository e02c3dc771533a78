package wecomtest

import (
	"crypto/rand"
	"encoding/base64"
	"time"

	"github.com/tagbot/tagbot/wecom/errcode"
)

// accessToken is one issued access_token.
type accessToken struct {
	value   string
	expires time.Time
	expired bool // forced by ExpireTokens: answers 42001
	invalid bool // forced by InvalidateTokens: answers 40014
}

// usable reports whether t still authenticates at now.
func (t *accessToken) usable(now time.Time) bool {
	return !t.expired && !t.invalid && now.Before(t.expires)
}

// tokenResp is gettoken's answer.
type tokenResp struct {
	status
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
}

// getToken serves GET /cgi-bin/gettoken?corpid=&corpsecret=. As documented,
// a repeated call within the validity period returns the same token (with
// the remaining lifetime); a fresh random token is issued once it expired
// or was expired/invalidated, so two fakes never share a token.
func (s *Server) getToken(req *apiRequest) (any, *apiError) {
	corpID, secret := req.query.Get("corpid"), req.query.Get("corpsecret")
	switch {
	case corpID == "":
		return nil, apiErr(errcode.MissingCorpID, "")
	case corpID != s.opts.CorpID:
		return nil, apiErr(errcode.InvalidCorpID, "")
	case secret == "":
		return nil, apiErr(errcode.MissingSecret, "")
	case secret != s.opts.Secret:
		return nil, apiErr(errcode.InvalidSecret, "")
	}
	if t := s.tokens[s.current]; t != nil && t.usable(req.now) {
		return tokenResp{status: ok(), AccessToken: t.value, ExpiresIn: ceilSeconds(t.expires.Sub(req.now))}, nil
	}
	t := &accessToken{value: randomToken(), expires: req.now.Add(s.opts.TokenTTL)}
	s.tokens[t.value] = t
	s.current = t.value
	return tokenResp{status: ok(), AccessToken: t.value, ExpiresIn: ceilSeconds(s.opts.TokenTTL)}, nil
}

// checkToken validates an access_token query value at now.
func (s *Server) checkToken(value string, now time.Time) *apiError {
	if value == "" {
		return apiErr(errcode.MissingToken, "")
	}
	t := s.tokens[value]
	switch {
	case t == nil || t.invalid:
		return apiErr(errcode.InvalidToken, "")
	case t.expired || !now.Before(t.expires):
		return apiErr(errcode.TokenExpired, "")
	}
	return nil
}

// ExpireTokens makes every token issued so far answer 42001 (access_token
// expired); the next gettoken issues a new one.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		t.expired = true
	}
	s.current = ""
}

// InvalidateTokens makes every token issued so far answer 40014 (invalid
// access_token), as after a secret reset; the next gettoken issues a new one.
func (s *Server) InvalidateTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		t.invalid = true
	}
	s.current = ""
}

// overLimit applies Options.Limits to one call of path at now: a sliding
// one-minute window per path; calls over the limit are not counted.
func (s *Server) overLimit(path string, now time.Time) bool {
	limit := s.opts.Limits[path]
	if limit <= 0 {
		return false
	}
	cutoff := now.Add(-time.Minute)
	w := s.window[path]
	i := 0
	for i < len(w) && !w[i].After(cutoff) {
		i++
	}
	w = w[i:]
	if len(w) >= limit {
		s.window[path] = w
		return true
	}
	s.window[path] = append(w, now)
	return false
}

// randomToken returns an unguessable token string.
func randomToken() string {
	b := make([]byte, 48)
	if _, err := rand.Read(b); err != nil {
		panic("wecomtest: crypto/rand: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// ceilSeconds rounds d up to whole seconds.
func ceilSeconds(d time.Duration) int64 {
	return int64((d + time.Second - 1) / time.Second)
}
