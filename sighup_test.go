package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
	cmd, base, waitLog, logPath := startServeChild(t, cfg)
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
	if b, _ := os.ReadFile(logPath); !strings.Contains(string(b), `unknown tag \"不存在\"`) {
		t.Errorf("the refused reload does not name the bad tag:\n%s", b)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve exit after SIGTERM: %v", err)
	}
}

// TestSIGHUPReloadsTriggers: SIGHUP swaps config.yaml's triggers in; a
// new set whose triggers loop is refused, naming the loop, and the running
// trigger keeps firing on tags added through the callback.
func TestSIGHUPReloadsTriggers(t *testing.T) {
	addr := freeAddr(t)
	cfg, _, fake := fakeConfig(t, addr)
	cmd, base, waitLog, logPath := startServeChild(t, cfg)
	good := "triggers:\n  - name: 报价带展会\n    on_add: [已报价]\n    add: [展会]\n"
	steps := []struct{ triggers, wantLog, who, customer string }{
		{good, "triggers=1", "李华", "wmDemo0002"},
		{good + "  - name: 展会带报价\n    on_add: [展会]\n    add: [已报价]\n", "reload refused", "13800000003", "wmDemo0003"},
	}
	var expo string // 展会's tag id on WeCom
	for _, g := range fake.TagGroups() {
		for _, tag := range g.Tags {
			if tag.Name == "展会" {
				expo = tag.ID
			}
		}
	}
	for i, s := range steps {
		if err := os.WriteFile(cfg, append(append([]byte{}, base...), s.triggers...), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		waitLog(s.wantLog, 1)
		resp, err := fake.Deliver(t.Context(), "http://"+addr+"/wecom/callback",
			fake.CallbackText("zhangsan", "/tag "+s.who+" +已报价", fmt.Sprintf("hup-%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for deadline := time.Now().Add(20 * time.Second); !slices.Contains(fake.CustomerTags(s.customer, "zhangsan"), expo); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("after step %d, +已报价 on %s never fired 报价带展会 (no 展会 on WeCom)", i, s.customer)
			}
		}
	}
	if b, _ := os.ReadFile(logPath); !strings.Contains(string(b), `\"报价带展会\" → \"展会带报价\" → \"报价带展会\"`) {
		t.Errorf("the refused reload does not name the loop:\n%s", b)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve exit after SIGTERM: %v", err)
	}
}

// startServeChild runs `tagbot -config cfg serve` in a child process
// logging to a file, waits for it to start, and returns it with cfg's
// text as written and a wait for n log lines holding a string.
func startServeChild(t *testing.T, cfg string) (*exec.Cmd, []byte, func(want string, n int), string) {
	t.Helper()
	base, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(t.TempDir(), "serve.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logf.Close() })
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
	return cmd, base, waitLog, logPath
}
