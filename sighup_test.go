package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSIGHUPReloadsRules: serve reloads config.yaml's rules on SIGHUP, keeps
// the running ones when the new set is bad, and keeps serving either way.
func TestSIGHUPReloadsRules(t *testing.T) {
	addr := freeAddr(t)
	cfg, _, _ := fakeConfig(t, addr)
	base, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(t.TempDir(), "serve.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "TAGBOT_CLI_CHILD="+strings.Join([]string{"-config", cfg, "serve"}, "\x1f"))
	cmd.Stderr = logf // a file: no copying goroutine to race with reads
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	waitLog := func(want string, n int) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			b, _ := os.ReadFile(logPath)
			if strings.Count(string(b), want) >= n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("log never showed %q %d times:\n%s", want, n, b)
			}
		}
	}
	waitLog("tagbot started", 1)
	steps := []struct{ rules, wantLog string }{
		{"rules:\n  - name: 想买\n    keywords: [怎么买]\n    tags: [高意向]\n", "rules=1"},
		{"rules:\n  - name: 坏\n    keywords: [x]\n    tags: [不存在]\n", `rules reload refused; the running rules stay`},
	}
	for _, s := range steps {
		if err := os.WriteFile(cfg, append(append([]byte{}, base...), s.rules...), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		waitLog(s.wantLog, 1)
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			t.Fatalf("serve stopped after SIGHUP: %v", err)
		}
		resp.Body.Close()
	}
	b, _ := os.ReadFile(logPath)
	if !strings.Contains(string(b), `unknown tag \"不存在\"`) {
		t.Errorf("the refused reload does not name the bad tag:\n%s", b)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve exit after SIGTERM: %v", err)
	}
}
