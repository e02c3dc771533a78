package page

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// browser is an HTTP client with its own cookies, as one phone.
func browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar}
}

func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// upload posts a file to the link's upload form with the page's CSRF token.
func upload(t *testing.T, c *http.Client, link, page, name, content string) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", csrfOf(page))
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write([]byte(content))
	mw.Close()
	resp, err := c.Post(link+"/upload", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var csrfPattern = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(page string) string {
	if m := csrfPattern.FindStringSubmatch(page); m != nil {
		return m[1]
	}
	return ""
}

func TestLinkRefusals(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name   string
		run    func(t *testing.T) (int, string)
		status int
		want   string
	}{
		{"unknown token", func(t *testing.T) (int, string) {
			return get(t, browser(t), f.ts.URL+"/import/l/"+strings.Repeat("A", 43))
		}, http.StatusNotFound, "链接无效"},
		{"expired", func(t *testing.T) (int, string) {
			link := f.link(t, "zhangsan")
			f.clock.Advance(31 * time.Minute)
			defer f.clock.Advance(-31 * time.Minute)
			return get(t, browser(t), link)
		}, http.StatusGone, "链接已过期"},
		{"another employee's link", func(t *testing.T) (int, string) {
			b := browser(t)
			if code, _ := get(t, b, f.link(t, "zhangsan")); code != http.StatusOK {
				t.Fatalf("own link: %d", code)
			}
			return get(t, b, f.link(t, "lisi"))
		}, http.StatusForbidden, "这是其他员工的导入链接"},
		{"opened in another browser", func(t *testing.T) (int, string) {
			link := f.link(t, "zhangsan")
			get(t, browser(t), link)
			return get(t, browser(t), link)
		}, http.StatusForbidden, "另一台设备"},
		{"post without CSRF token", func(t *testing.T) (int, string) {
			b := browser(t)
			link := f.link(t, "zhangsan")
			get(t, b, link)
			resp, err := b.PostForm(link+"/confirm", url.Values{"plan": {"x"}})
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(body)
		}, http.StatusForbidden, "页面已过期"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := tc.run(t)
			if code != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("status %d, body has %q: %v; want %d and it", code, tc.want, strings.Contains(body, tc.want), tc.status)
			}
		})
	}
}

func TestPageEscapesFileText(t *testing.T) {
	f := newFixture(t)
	b := browser(t)
	link := f.link(t, "admin")
	_, page := get(t, b, link)
	evil := `<img src=x onerror=alert(1)>`
	code, page := upload(t, b, link, page, "evil.csv", "客户ID,标签\nwm0000000000000001,\""+evil+"\"\n")
	if code != http.StatusOK {
		t.Fatalf("upload: %d", code)
	}
	if strings.Contains(page, evil) || !strings.Contains(page, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("the file's text is not escaped on the page")
	}
	if got := f.said("admin"); !strings.Contains(got, "未知标签 1 个") {
		t.Errorf("chat summary = %q, want the dry run with 1 unknown tag", got)
	}
}

func TestImportCommand(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		text, wantText, wantFile string
	}{
		{"/import", "分钟内有效，只限你本人使用", ""},
		{"/import template", "导入模板", "tagbot-import-template.csv"},
		{"/导入 模板", "导入模板", "tagbot-import-template.csv"},
		{"/import foo", "用法", ""},
	} {
		t.Run(tc.text, func(t *testing.T) {
			replies := f.router.HandleText(t.Context(), "zhangsan", tc.text)
			var text, file string
			for _, r := range replies {
				text += r.Text
				if r.File != nil {
					file = r.File.Name
				}
			}
			if !strings.Contains(text, tc.wantText) || file != tc.wantFile {
				t.Errorf("reply %q with file %q; want text with %q and file %q", text, file, tc.wantText, tc.wantFile)
			}
		})
	}
}
