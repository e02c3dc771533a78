package todo

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/config"
)

// TestDigestOnceADay drives the digest with an injected clock: nothing
// before 09:30, one message per follower after it, none again that day
// (also after a restart), one the next day, none once the tags are in.
func TestDigestOnceADay(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	day1 := time.Date(2026, 12, 2, 0, 0, 0, 0, config.ChinaZone)
	steps := []struct {
		name    string
		at      time.Time
		restart bool
		fill    bool // give every customer its required tags first
		want    int
	}{
		{"before 09:30", day1.Add(9*time.Hour + 29*time.Minute), false, false, 0},
		{"at 09:30", day1.Add(9*time.Hour + 30*time.Minute), false, false, 1},
		{"later that day", day1.Add(15 * time.Hour), false, false, 0},
		{"after a restart", day1.Add(16 * time.Hour), true, false, 0},
		{"next day", day1.Add(33*time.Hour + 31*time.Minute), false, false, 1},
		{"tags filled, day 3", day1.Add(57*time.Hour + 40*time.Minute), false, true, 0},
	}
	total := 0
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			f.clk.Set(s.at)
			if s.restart {
				f.st.Close()
				f.open()
			}
			if s.fill {
				for _, c := range []string{"c02", "c03", "c04", "c05", "c06", "c07", "c08", "c09", "c10", "c11", "c12"} {
					f.apply(c, "zhangsan", "t2", "t3")
				}
			}
			n, err := f.svc.Digest(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n != s.want {
				t.Errorf("Digest sent %d, want %d", n, s.want)
			}
			total += n
			f.mu.Lock()
			defer f.mu.Unlock()
			if len(f.sent) != total {
				t.Fatalf("Notify called %d times, want %d: %q", len(f.sent), total, f.sent)
			}
		})
	}
	want := "zhangsan: 今日提醒：你跟进的客户中有 11 位还缺必选标签（婚姻状况 11 位、客户来源 11 位）。发送 /todo 查看名单"
	if len(f.sent) == 0 || !strings.HasPrefix(f.sent[0], want) {
		t.Errorf("digest = %q, want prefix %q", f.sent, want)
	}
}

// TestDigestClock checks todo.digest_at is honoured and its default.
func TestDigestClock(t *testing.T) {
	f := newFixture(t)
	f.cfg.Todo.DigestAt = "18:00"
	f.clk.Set(time.Date(2026, 12, 2, 17, 59, 0, 0, config.ChinaZone))
	if n, err := f.svc.Digest(context.Background()); err != nil || n != 0 {
		t.Fatalf("at 17:59: sent %d, err %v; want 0", n, err)
	}
	f.clk.Set(time.Date(2026, 12, 2, 18, 0, 0, 0, config.ChinaZone))
	if n, err := f.svc.Digest(context.Background()); err != nil || n != 1 {
		t.Fatalf("at 18:00: sent %d, err %v; want 1", n, err)
	}
	if h, m, err := config.Default().Todo.DigestClock(); err != nil || h != 9 || m != 30 {
		t.Errorf("default digest_at = %d:%d (%v), want 9:30", h, m, err)
	}
}
