package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/importer/importertest"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// importConfig is a config on a fake WeCom with the importertest store.
func importConfig(t *testing.T) *config.Config {
	t.Helper()
	fake := wecomtest.New(wecomtest.Options{})
	t.Cleanup(fake.Close)
	cfg := config.Default()
	UseFake(cfg, fake)
	cfg.Store.Path = filepath.Join(t.TempDir(), "tagbot.db")
	st, err := store.Open(cfg.Store.Path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := importertest.Seed(st); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestImportCLI(t *testing.T) {
	cfg := importConfig(t)
	file := filepath.Join("..", "importer", "testdata", "bom.csv")
	var out bytes.Buffer
	if err := importWith(context.Background(), cfg, ImportOptions{File: file}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.Contains(got, "将修改 3 个客户关系") || !strings.Contains(got, "没有修改任何客户") {
		t.Errorf("dry run printed %q; want 3 changes and that nothing changed", got)
	}
	out.Reset()
	if err := importWith(context.Background(), cfg, ImportOptions{File: file, Apply: true, As: "zhangsan", Quiet: true}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.Contains(got, "2 个客户关系已修改") || !strings.Contains(got, "无权限（1）") {
		t.Errorf("apply as zhangsan printed %q; want 2 changed and lisi's row denied", got)
	}
	st, err := store.Open(cfg.Store.Path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	js, err := st.Jobs(false)
	if err != nil || len(js) != 1 {
		t.Fatalf("jobs %v, %v; want one", js, err)
	}
	hist, _ := st.History(store.Query{Batch: js[0].ID})
	if len(hist) != 2 || hist[0].Actor != "zhangsan" || hist[0].Source != store.SourceImport {
		t.Errorf("batch %s: %d change-sets (first %+v); want 2 by zhangsan from import", js[0].ID, len(hist), hist)
	}
}

// TestImportUndoBatch: an import applied from the command line is taken
// back in chat with /undo bg-import-N (hygiene's mass undo), as one batch.
func TestImportUndoBatch(t *testing.T) {
	cfg := importConfig(t)
	cfg.Roles.Admins = []string{"admin"}
	var out bytes.Buffer
	file := filepath.Join("..", "importer", "testdata", "bom.csv")
	if err := importWith(context.Background(), cfg, ImportOptions{File: file, Apply: true, Quiet: true}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	batch := regexp.MustCompile(`bg-import-\d+`).FindString(out.String())
	m, err := New(cfg, Options{NoCallback: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Store.Close()
	tagsOf := func() []string {
		var got []string
		for _, ref := range []struct{ c, f string }{{"wm0000000000000001", "zhangsan"}, {"wm0000000000000002", "lisi"}, {"wm0000000000000003", "zhangsan"}} {
			rel, err := m.Store.Relationship(ref.c, ref.f)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, strings.Join(rel.TagIDs(), "+"))
		}
		return got
	}
	if got, want := tagsOf(), []string{"t1+t3", "t4", ""}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after import (%s): tags %v, want %v", batch, got, want)
	}
	ctx := context.Background()
	preview := m.Router.HandleText(ctx, "admin", "/undo "+batch)
	confirm := m.Router.HandleText(ctx, "admin", "/confirm")
	if err := m.Jobs.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := tagsOf(), []string{"", "", "t6"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after /undo %s: tags %v, want %v (preview %+v, confirm %+v)", batch, got, want, preview, confirm)
	}
}
