package page

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tagbot/tagbot/store"
)

// chromium finds Debian's chromium (apt-get install chromium; .ci/run
// installs it). Without it the test skips, unless TAGBOT_REQUIRE_CHROMIUM
// is set (as in CI), where it fails.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("TAGBOT_REQUIRE_CHROMIUM") != "" {
		t.Fatal("chromium is missing and TAGBOT_REQUIRE_CHROMIUM is set: apt-get install chromium")
	}
	t.Skip("chromium is not installed (apt-get install chromium; .ci/run installs it): upload page not tested in a browser")
	return ""
}

// newBrowser starts headless Chromium at a phone's screen size.
func newBrowser(t *testing.T) context.Context {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium(t)), chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(390, 844))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel3)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// textOf waits for the element with id and returns its text.
func textOf(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID(id))); err != nil {
		t.Fatalf("#%s: %v", id, err)
	}
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
	if err != nil {
		t.Fatalf("#%s: %v", id, err)
	}
	return s
}

func TestUploadPageInChromium(t *testing.T) {
	f := newFixture(t)
	ctx := newBrowser(t)
	file, err := filepath.Abs(filepath.Join("..", "testdata", "gbk.csv"))
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(f.link(t, "admin")),
		chromedp.WaitVisible(chromedp.ID("upload")),
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{file}),
		chromedp.Submit(chromedp.ID("upload")),
	)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	changes, summary := textOf(t, ctx, "n-changes"), textOf(t, ctx, "summary")
	if changes != "3" || !strings.Contains(summary, "GB18030") {
		t.Fatalf("dry run shows %q changes, summary %q; want 3 and the GBK file read as GB18030", changes, summary)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("confirm-button"))); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if job := textOf(t, ctx, "job"); !strings.Contains(job, "bg-import-") {
		t.Fatalf("after confirm the page shows %q, want the job", job)
	}
	if err := f.runner.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	job := textOf(t, ctx, "job")
	js, _ := f.st.Jobs(false)
	if len(js) != 1 || js[0].Applied != 3 || !strings.Contains(job, "导入完成") {
		t.Fatalf("jobs %+v, page %q; want one job with 3 applied, shown done", js, job)
	}
	if hist, _ := f.st.History(store.Query{Batch: js[0].ID}); len(hist) != 3 || hist[0].Source != store.SourceImport {
		t.Errorf("batch %s has %d change-sets; want 3 with source import", js[0].ID, len(hist))
	}
	if said := f.said("admin"); !strings.Contains(said, "导入完成") || !strings.Contains(said, "/undo "+js[0].ID) {
		t.Errorf("chat = %q; want the end summary with /undo %s", said, js[0].ID)
	}

	t.Run("another employee's link", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(f.link(t, "lisi"))); err != nil {
			t.Fatal(err)
		}
		if refused := textOf(t, ctx, "refused"); !strings.Contains(refused, "属于 lisi") {
			t.Errorf("refusal %q does not say whose link it is", refused)
		}
	})
	t.Run("expired link", func(t *testing.T) {
		link := f.link(t, "admin")
		f.clock.Advance(31 * time.Minute)
		if err := chromedp.Do(ctx, chromedp.Navigate(link)); err != nil {
			t.Fatal(err)
		}
		if refused := textOf(t, ctx, "refused"); !strings.Contains(refused, "30 分钟") {
			t.Errorf("refusal %q does not say the link expired", refused)
		}
	})
}
