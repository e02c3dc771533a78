package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tagbot/tagbot/app"
	"github.com/tagbot/tagbot/internal/logtest"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// TestMain lets the test binary run the real CLI as a child process.
func TestMain(m *testing.M) {
	if args := os.Getenv("TAGBOT_CLI_CHILD"); args != "" {
		os.Exit(run(strings.Split(args, "\x1f"), os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCLIHelp: help asked for (help, -h, --help, also after a command)
// prints the usage on stdout and exits 0; it is not an error.
func TestCLIHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"help", "serve"}, {"-h"}, {"--help"}, {"-help"}, {"serve", "-h"}, {"check", "--help"}, {"-config", "x.yaml", "demo", "-h"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, errs := runCLI(args...)
			if code != 0 || !strings.HasPrefix(out, "用法 usage: tagbot") || errs != "" {
				t.Fatalf("exit %d (want 0), stdout %q (want the usage), stderr %q (want none)", code, out, errs)
			}
		})
	}
}

func TestCLIUsageAndConfigErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"version", []string{"version"}, 0, "tagbot"},
		{"no command", nil, 2, "usage"},
		{"unknown command", []string{"serv"}, 2, "unknown command"},
		{"unknown command with arguments", []string{"foo", "bar"}, 2, `unknown command "foo"`},
		{"unknown command before a flag", []string{"foo", "-x"}, 2, `unknown command "foo"`},
		{"missing config", []string{"-config", "/nonexistent/tagbot.yaml", "sync"}, 2, "tagbot.yaml"},
		{"unknown key", []string{"-config", writeFile(t, "a.yaml", "wecom:\n  agentid: 1\n"), "check"}, 2, "did you mean agent_id"},
		{"short aes key", []string{"sync", "-config", writeFile(t, "b.yaml", "wecom:\n  corp_id: ww1\n  secret: s\n  token: t\n  encoding_aes_key: abc\n")}, 2, "wecom.encoding_aes_key"},
		{"missing credentials", []string{"-config", writeFile(t, "c.yaml", "store:\n  path: x.db\n"), "serve"}, 2, "wecom.corp_id: required"},
		{"pack without verb", []string{"pack"}, 2, "pack apply FILE"},
		{"pack unknown verb", []string{"pack", "remove", "x.yaml"}, 2, "pack apply FILE"},
		{"pack apply without file", []string{"pack", "apply"}, 2, "want one pack file"},
		{"pack apply two files", []string{"pack", "apply", "a.yaml", "b.yaml"}, 2, "want one pack file"},
		{"pack apply missing credentials", []string{"pack", "apply", "-config", writeFile(t, "d.yaml", "store:\n  path: x.db\n"), "packs/ecommerce.yaml"}, 2, "wecom.corp_id: required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(tc.args...)
			if code != tc.code || !strings.Contains(out+errs, tc.want) {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tc.code, out, errs)
			}
		})
	}
}

func TestCLICorruptStore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "tagbot.db")
	if err := os.WriteFile(db, []byte("definitely not a store\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, "config.yaml", fmt.Sprintf("store:\n  path: %s\n", db))
	code, _, errs := runCLI("-config", cfg, "check")
	if code != 2 || !strings.Contains(errs, "corrupt") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if b, _ := os.ReadFile(db); string(b) != "definitely not a store\n" {
		t.Fatal("corrupt store was modified")
	}
}

// fakeConfig starts a fake WeCom with the demo company and writes a config
// pointing at it.
func fakeConfig(t *testing.T, listen string) (string, string, *wecomtest.Server) {
	t.Helper()
	fake := wecomtest.New(wecomtest.Options{})
	t.Cleanup(fake.Close)
	app.SeedDemo(fake)
	o := fake.Options()
	dir := t.TempDir()
	db := filepath.Join(dir, "data", "tagbot.db")
	cfg := fmt.Sprintf(`wecom:
  corp_id: %s
  agent_id: %d
  secret: %s
  token: %s
  encoding_aes_key: %s
  api_base: %s
server:
  listen: %s
store:
  path: %s
`, o.CorpID, o.AgentID, o.Secret, o.Token, o.EncodingAESKey, fake.URL(), listen, db)
	return writeFile(t, "config.yaml", cfg), db, fake
}

func TestCLISyncAndCheck(t *testing.T) {
	cfg, db, _ := fakeConfig(t, "127.0.0.1:0")
	code, out, errs := runCLI("-config", cfg, "sync")
	if code != 0 || !strings.Contains(out, "8 customers") {
		t.Fatalf("sync exit %d: %s %s", code, out, errs)
	}
	code, out, errs = runCLI("check", "-config", cfg)
	if code != 0 || !strings.Contains(out, "consistent") {
		t.Fatalf("check exit %d: %s %s", code, out, errs)
	}
	// A second tagbot on the same store is refused, not let in to corrupt it.
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	code, _, errs = runCLI("-config", cfg, "sync")
	st.Close()
	if code != 2 || !strings.Contains(errs, "in use by another tagbot") {
		t.Fatalf("sync beside an open store: exit %d: %s", code, errs)
	}
	// Nothing is written but store.path and its lock file.
	entries, err := os.ReadDir(filepath.Dir(db))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{"tagbot.db", "tagbot.db.lock"}, names); diff != "" {
		t.Fatalf("store dir (-want +got):\n%s", diff)
	}
}

// TestServeGracefulSIGTERM runs `tagbot serve` as a child process, checks
// that it answers, sends SIGTERM and expects a clean exit with a store that
// opens and verifies.
func TestServeGracefulSIGTERM(t *testing.T) {
	addr := freeAddr(t)
	cfg, db, _ := fakeConfig(t, addr)
	cmd, stderr := startServe(t, cfg, addr)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve exit: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Fatalf("no graceful shutdown in log:\n%s", stderr.String())
	}
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Verify(); err != nil {
		t.Fatal(err)
	}
	if at, _ := st.SyncedAt(); at.IsZero() {
		t.Fatal("serve did not run the first sync")
	}
}

func TestDemoScripted(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // the demo's store and log live there, and must go
	var out bytes.Buffer
	in := strings.NewReader("/tag 李华 +高意向\n/tags 李华\nquit\n")
	code := run([]string{"-config", "config.yaml", "demo"}, in, &out, &out)
	if code != 0 {
		t.Fatalf("demo exit %d: %s", code, out.String())
	}
	for _, want := range []string{"已为 李华 添加「高意向」", "意向程度：高意向"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("demo output lacks %q:\n%s", want, out.String())
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Fatalf("the demo left %v behind", left)
	}
}

// TestDemoCtrlC: a demo waiting for input ends on SIGINT, cleanly, and
// removes its temp files.
func TestDemoCtrlC(t *testing.T) {
	tmp := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "TAGBOT_CLI_CHILD="+strings.Join([]string{"-config", "config.yaml", "demo"}, "\x1f"))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	var out logtest.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "zhangsan> ") {
		if time.Now().After(deadline) {
			t.Fatalf("demo never prompted: %s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("demo exit after Ctrl-C: %v\n%s", err, out.String())
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Fatalf("the demo left %v behind", left)
	}
}
