package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080/cb", true},
		{"http://127.1.2.3/cb", true},
		{"http://localhost:9/cb", true},
		{"http://[::1]:8080/cb", true},
		{"http://10.0.0.1/cb", false},
		{"http://192.168.1.1/cb", false},
		{"https://example.com/cb", false},
		{"ftp://127.0.0.1/cb", false},
		{"not a url", false},
	}
	for _, tt := range tests {
		if err := checkLoopback(tt.url); (err == nil) != tt.ok {
			t.Errorf("checkLoopback(%q) = %v, want ok=%v", tt.url, err, tt.ok)
		}
	}
}

func TestRunInProcess(t *testing.T) {
	for _, tt := range []struct {
		name    string
		netHTTP bool
	}{{"raw client", false}, {"net/http client", true}} {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp) // the generator's store dir goes in there, and must go
			var out bytes.Buffer
			if err := run(config{rate: 100, duration: 300 * time.Millisecond, users: 5, timeout: 5 * time.Second, sync: "never", netHTTP: tt.netHTTP}, &out); err != nil {
				t.Fatal(err)
			}
			s := out.String()
			for _, want := range []string{"p99", "backlog", ", 30 in all, inbox empty", "µs of CPU per callback"} {
				if !strings.Contains(s, want) {
					t.Errorf("report lacks %q:\n%s", want, s)
				}
			}
			if left, err := os.ReadDir(tmp); err != nil || len(left) != 0 {
				t.Fatalf("left behind: %v %v", left, err)
			}
		})
	}
}

func TestRunExternalCountsErrors(t *testing.T) {
	// An external server that rejects everything: the run reports the errors and fails.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusForbidden)
	}))
	defer srv.Close()
	var out bytes.Buffer
	err := run(config{rate: 50, duration: 100 * time.Millisecond, users: 1, timeout: time.Second, url: srv.URL + "/cb",
		token: "T", aesKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", corpID: "ww1"}, &out)
	if err == nil || !strings.Contains(out.String(), `error "HTTP 403" × 5`) {
		t.Fatalf("err %v, report:\n%s", err, out.String())
	}
}
