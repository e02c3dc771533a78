package wecom

import (
	"net/url"
	"strings"
	"testing"
)

func TestRouterRewrite(t *testing.T) {
	r := &router{tokens: map[string]string{}, creds: map[credKey]string{}}
	r.addClient("corpA", "secretA", "http://127.0.0.1:1001")
	r.addClient("corpB", "secretB", "http://127.0.0.1:1002")
	r.addToken("tokA", "http://127.0.0.1:1001")
	r.addToken("tokB", "http://127.0.0.1:1002")

	tests := []struct {
		name, in, want string
	}{
		{"token A", DefaultAPIBase + "/cgi-bin/externalcontact/mark_tag?access_token=tokA",
			"http://127.0.0.1:1001/cgi-bin/externalcontact/mark_tag?access_token=tokA"},
		{"token B", DefaultAPIBase + "/cgi-bin/user/get?access_token=tokB&userid=u",
			"http://127.0.0.1:1002/cgi-bin/user/get?access_token=tokB&userid=u"},
		{"gettoken A", DefaultAPIBase + "/cgi-bin/gettoken?corpid=corpA&corpsecret=secretA",
			"http://127.0.0.1:1001/cgi-bin/gettoken?corpid=corpA&corpsecret=secretA"},
		{"gettoken B", DefaultAPIBase + "/cgi-bin/gettoken?corpid=corpB&corpsecret=secretB",
			"http://127.0.0.1:1002/cgi-bin/gettoken?corpid=corpB&corpsecret=secretB"},
		{"unknown token falls back to last", DefaultAPIBase + "/cgi-bin/x?access_token=zzz",
			"http://127.0.0.1:1002/cgi-bin/x?access_token=zzz"},
		{"unknown secret falls back to last", DefaultAPIBase + "/cgi-bin/gettoken?corpid=corpA&corpsecret=other",
			"http://127.0.0.1:1002/cgi-bin/gettoken?corpid=corpA&corpsecret=other"},
		{"foreign host untouched", "http://127.0.0.1:1001/cgi-bin/x?access_token=tokB",
			"http://127.0.0.1:1001/cgi-bin/x?access_token=tokB"},
		{"other weixin host untouched", "https://api.weixin.qq.com/cgi-bin/token?appid=a",
			"https://api.weixin.qq.com/cgi-bin/token?appid=a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.rewrite(tt.in); got != tt.want {
				t.Errorf("rewrite(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}

	r.removeToken("tokA")
	got := r.rewrite(DefaultAPIBase + "/cgi-bin/x?access_token=tokA")
	if !strings.HasPrefix(got, "http://127.0.0.1:1002/") {
		t.Errorf("removed token should fall back to last base, got %q", got)
	}

	empty := &router{tokens: map[string]string{}, creds: map[credKey]string{}}
	in := DefaultAPIBase + "/cgi-bin/x?access_token=t"
	if got := empty.rewrite(in); got != in {
		t.Errorf("router without clients must not rewrite, got %q", got)
	}
}

// FuzzRouterRewrite checks that rewrite never panics, leaves foreign URLs
// alone and only ever swaps the default base for a registered one.
func FuzzRouterRewrite(f *testing.F) {
	f.Add(DefaultAPIBase + "/cgi-bin/gettoken?corpid=c&corpsecret=s")
	f.Add(DefaultAPIBase + "/cgi-bin/x?access_token=tok")
	f.Add(DefaultAPIBase + "/%zz?access_token=tok")
	f.Add("http://example.com/cgi-bin/x")
	f.Add("")
	r := &router{tokens: map[string]string{}, creds: map[credKey]string{}}
	r.addClient("c", "s", "http://127.0.0.1:9")
	r.addToken("tok", "http://127.0.0.1:8")
	f.Fuzz(func(t *testing.T, in string) {
		got := r.rewrite(in)
		if !strings.HasPrefix(in, DefaultAPIBase+"/") {
			if got != in {
				t.Fatalf("foreign URL %q rewritten to %q", in, got)
			}
			return
		}
		rest := strings.TrimPrefix(in, DefaultAPIBase)
		if got != in && got != "http://127.0.0.1:9"+rest && got != "http://127.0.0.1:8"+rest {
			t.Fatalf("rewrite(%q) = %q", in, got)
		}
		if _, err := url.Parse(in); err == nil && got == in {
			t.Fatalf("parseable default URL %q not routed", in)
		}
	})
}
