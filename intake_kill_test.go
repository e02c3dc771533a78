package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tagbot/tagbot/store"
)

// TestKillAfterIngestKeepsAccepted posts batches to /api/v1/messages of a
// `tagbot serve` child, kills it with SIGKILL right after the last 202 and
// checks that every accepted message is in the store, and that the ids
// are still known: the same batch again is all duplicates.
func TestKillAfterIngestKeepsAccepted(t *testing.T) {
	addr := freeAddr(t)
	cfg, db, _ := fakeConfig(t, addr)
	const token = "kill-test-token-0123456789"
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "api:\n  token: %s\n", token)
	f.Close()
	batch := func(b int) string {
		items := make([]string, 50)
		for i := range items {
			items[i] = fmt.Sprintf(`{"id":"k%d-%d","customer":"wmDemo0001","employee":"zhangsan","from":"customer","text":"第 %d 批第 %d 条","time":%d}`, b, i, b, i, time.Now().Unix())
		}
		return "[" + strings.Join(items, ",") + "]"
	}
	post := func(body string) (int, string) {
		req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/messages", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	child, stderr := startServe(t, cfg, addr)
	const batches = 8
	for b := range batches {
		if code, body := post(batch(b)); code != http.StatusAccepted {
			t.Fatalf("batch %d: %d %s\n%s", b, code, body, stderr)
		}
	}
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	st := openAfterKill(t, cfg, db) // a torn tail is the worker's, never an acknowledged batch
	for id := store.ID(1); id <= batches*50; id++ {
		if _, err := st.Activity(id); err != nil {
			t.Fatalf("accepted activity %d lost: %v", id, err)
		}
	}
	st.Close()
	startServe(t, cfg, addr)
	if code, body := post(batch(3)); code != http.StatusAccepted || !strings.Contains(body, `"accepted":0,"duplicates":50`) {
		t.Errorf("batch 3 again after the restart: %d %s; want all 50 duplicates", code, body)
	}
}
