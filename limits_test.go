package main

import (
	"os"
	"strings"
	"syscall"
	"testing"
)

// TestLimitsAboveWeComWarned: a wecom.rate_limits value above WeCom's own
// 10,000 calls a minute is warned about, by key, in `tagbot check`'s
// output and in serve's log at start; a non-positive one is refused.
func TestLimitsAboveWeComWarned(t *testing.T) {
	addr := freeAddr(t)
	base, _, _ := fakeConfig(t, addr)
	withLimit := func(v string) string {
		b, err := os.ReadFile(base)
		if err != nil {
			t.Fatal(err)
		}
		return writeFile(t, "limits.yaml", strings.Replace(string(b), "wecom:\n", "wecom:\n  rate_limits:\n    externalcontact/mark_tag: "+v+"\n", 1))
	}
	const want = "wecom.rate_limits.externalcontact/mark_tag: 20000 calls per minute is above WeCom's own limit"
	cfg := withLimit("20000")
	if code, out, errs := runCLI("-config", cfg, "sync"); code != 0 {
		t.Fatalf("sync exit %d: %s %s", code, out, errs)
	}
	code, out, errs := runCLI("-config", cfg, "check")
	if code != 0 || !strings.Contains(out, "warning: "+want) || !strings.Contains(out, "(errcode 45009)") {
		t.Fatalf("check exit %d, stdout %q, stderr %q; want exit 0 and the warning", code, out, errs)
	}
	child, stderr := startServe(t, cfg, addr)
	child.Process.Signal(syscall.SIGTERM)
	child.Wait()
	if !strings.Contains(stderr.String(), "level=WARN") || !strings.Contains(stderr.String(), want) {
		t.Errorf("serve's log lacks the warning %q:\n%s", want, stderr.String())
	}
	code, _, errs = runCLI("-config", withLimit("-5"), "check")
	if code != 2 || !strings.Contains(errs, "wecom.rate_limits.externalcontact/mark_tag: must be a positive number of calls per minute (got -5)") {
		t.Errorf("rate limit -5: exit %d, stderr %q; want exit 2 naming the key", code, errs)
	}
}
