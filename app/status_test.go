package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/statusview"
)

// TestStatusWhileServing: `tagbot status` reads a store a running serve
// holds, through its admin socket (the config names no admin_listen),
// with serve's live figures.
func TestStatusWhileServing(t *testing.T) {
	d := startAdminDemo(t)
	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	yaml := fmt.Sprintf("store:\n  path: %q\n", d.Main.Config.Store.Path)
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Status(context.Background(), cfgPath, StatusOptions{JSON: true}, &out); err != nil {
		t.Fatalf("status while serving: %v", err)
	}
	var v statusview.View
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		t.Fatalf("status --json: %v\n%s", err, out.String())
	}
	if !v.Live || v.Limit <= 0 || v.ETASeconds < 0 && v.Pending > 0 {
		t.Errorf("view %+v: want serve's live figures and the configured limit", v)
	}
	out.Reset()
	if err := Status(context.Background(), cfgPath, StatusOptions{}, &out); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.Contains(got, "待发送") || !strings.Contains(got, "实时数据取于") {
		t.Errorf("status text %q", got)
	}
}
