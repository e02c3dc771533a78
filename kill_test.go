package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// startServe runs `tagbot serve` as a child process and waits until it answers.
func startServe(t *testing.T, cfg, addr string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "TAGBOT_CLI_CHILD="+strings.Join([]string{"-config", cfg, "serve"}, "\x1f"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// A test that fails before it stops the child must not leave it running.
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			return cmd, &stderr
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("serve never answered: %s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestKillServeMidStream sends a stream of commands to a `tagbot serve`
// child, kills it with SIGKILL part-way (callbacks acknowledged but not yet
// processed, outbox calls queued), starts a new one on the same store and
// delivers the rest, retrying like WeCom does. Every acknowledged command
// must be applied exactly once, and WeCom must end where the ledger says.
func TestKillServeMidStream(t *testing.T) {
	addr := freeAddr(t)
	cfg, db, fake := fakeConfig(t, addr)
	url := "http://" + addr + "/wecom/callback"
	const total, killAt = 60, 25
	ctx := context.Background()
	// Commands toggle one tag, so a command applied twice would be a no-op
	// the ledger does not record, and a lost one would be missing.
	line := func(i int) string {
		if i%2 == 0 {
			return "/tag 王小明 +展会"
		}
		return "/untag 王小明 展会"
	}
	deliver := func(i int) error {
		xml := fake.CallbackText("zhangsan", line(i), fmt.Sprintf("kill-test-%d", i))
		resp, err := fake.Deliver(ctx, url, xml)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
	// WeCom answers mark_tag slowly, so the outbox is behind at the kill
	// (25 calls at 150 ms, three at once, take over a second; the 25
	// callbacks are acknowledged in far less, even on a loaded machine).
	fake.Fault("externalcontact/mark_tag", wecomtest.Fault{Latency: 150 * time.Millisecond})
	child, _ := startServe(t, cfg, addr)
	for i := 0; i < killAt; i++ {
		if err := deliver(i); err != nil {
			t.Fatalf("deliver %d: %v", i, err)
		}
	}
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	st := openAfterKill(t, cfg, db)
	if err := st.Verify(); err != nil {
		t.Fatalf("after SIGKILL: %v", err)
	}
	// Something acknowledged must still have been unfinished at the kill:
	// a callback not yet processed or a WeCom call not yet made.
	outbox, err := st.PendingOutbox(0)
	if err != nil {
		t.Fatal(err)
	}
	inbox, err := st.InboxPending(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(outbox)+len(inbox) == 0 {
		t.Fatal("nothing was in flight at the kill; the test proves nothing")
	}
	st.Close()

	child, stderr := startServe(t, cfg, addr)
	// WeCom retries what it may not have seen acknowledged: resend the last
	// few before the kill, then the rest.
	for i := killAt - 3; i < total; i++ {
		if err := deliver(i); err != nil {
			t.Fatalf("deliver %d after restart: %v", i, err)
		}
	}
	// Wait until every command is in the ledger and the outbox is drained,
	// then stop the child gracefully.
	// An entry in flight at the kill is sent again (mark_tag is
	// idempotent), so `total` calls can be reached with one still queued:
	// wait until the calls also stop for a while (each takes 150 ms, so a
	// queued one would show within that time).
	deadline := time.Now().Add(30 * time.Second)
	last, since := -1, time.Now()
	for {
		calls := 0
		for _, c := range fake.CallsTo("externalcontact/mark_tag") {
			if c.Status == 200 && c.ErrCode == 0 {
				calls++
			}
		}
		if calls != last {
			last, since = calls, time.Now()
		}
		if calls >= total && len(fake.Messages()) > 0 && time.Since(since) > 500*time.Millisecond {
			break
		}
		if time.Now().After(deadline) {
			child.Process.Kill()
			t.Fatalf("only %d mark_tag calls for %d commands\n%s", calls, total, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	child.Process.Signal(syscall.SIGTERM)
	if err := child.Wait(); err != nil {
		t.Fatalf("serve exit: %v\n%s", err, stderr.String())
	}

	st, err = store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Verify(); err != nil {
		t.Fatal(err)
	}
	h, err := st.History(store.Query{Actor: "zhangsan", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	applied := 0
	for _, cs := range h {
		if cs.Source == store.SourceCommand {
			applied++
		}
	}
	if applied != total {
		t.Fatalf("%d commands applied for %d acknowledged", applied, total)
	}
	if p, err := st.PendingOutbox(0); err != nil || len(p) != 0 {
		t.Fatalf("%d outbox calls still pending", len(p))
	}
	rel, err := st.Relationship("wmDemo0001", "zhangsan")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(fake.CustomerTags("wmDemo0001", "zhangsan"), ","), strings.Join(rel.TagIDs(), ","); got != want {
		t.Fatalf("WeCom has %s, ledger says %s", got, want)
	}
}

// openAfterKill opens the store a SIGKILLed serve left. When the kill landed
// inside a write() spanning pages (Linux stops it between pages for a fatal
// signal) the store is torn: serve refuses to start, as it must, and an
// operator runs repair, as this does. That transaction was never
// acknowledged, so nothing acknowledged is lost.
func openAfterKill(t *testing.T, cfg, db string) *store.Store {
	t.Helper()
	st, err := store.Open(db, store.Options{})
	if errors.Is(err, store.ErrTorn) {
		if code, out, errs := runCLI("-config", cfg, "repair"); code != 0 {
			t.Fatalf("repair after the kill: exit %d %s %s", code, out, errs)
		}
		st, err = store.Open(db, store.Options{})
	}
	if err != nil {
		t.Fatal(err)
	}
	return st
}
