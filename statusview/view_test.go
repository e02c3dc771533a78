package statusview

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/mirror"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
)

var t0 = time.Date(2026, 11, 11, 9, 0, 0, 0, time.UTC)

// queue makes a store with an employee's /tag pending, a manager's bulk
// batch of 3 (one done, one refused 84061, one pending) and an employee's
// import batch of 1 pending.
func queue(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "tagbot.db"), store.Options{Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	_, err = st.PutLibrary(store.Library{Groups: []store.Group{{ID: "g", Name: "活动"}},
		Tags: []store.Tag{{ID: "t", GroupID: "g", GroupName: "活动", Name: "双十一"}}}, "sync")
	must(t, err)
	for _, c := range []string{"c1", "c2", "c3", "c4", "c5"} {
		must(t, st.UpsertCustomer(store.Customer{ID: c, Name: c}, []store.FollowInfo{{Follower: "zhangsan"}}))
	}
	add := []store.TagRef{{ID: "t"}}
	_, err = st.Apply(store.ChangeSet{Actor: "zhangsan", Source: store.SourceCommand, Customer: "c1", Follower: "zhangsan", Add: add})
	must(t, err)
	bulk, err := st.ApplyBatch([]store.ChangeSet{
		{Actor: "boss", Source: store.SourceBulk, Batch: "bg-bulk-1", Customer: "c2", Follower: "zhangsan", Add: add},
		{Actor: "boss", Source: store.SourceBulk, Batch: "bg-bulk-1", Customer: "c3", Follower: "zhangsan", Add: add},
		{Actor: "boss", Source: store.SourceBulk, Batch: "bg-bulk-1", Customer: "c4", Follower: "zhangsan", Add: add},
	})
	must(t, err)
	must(t, st.OutboxDone(bulk[0].Outbox))
	_, err = st.OutboxFailed(bulk[1].Outbox, 84061, "no relation", nil)
	must(t, err)
	_, err = st.Apply(store.ChangeSet{Actor: "lisi", Source: store.SourceImport, Batch: "bg-import-1", Customer: "c5", Follower: "zhangsan", Add: add})
	must(t, err)
	return st
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestBuild(t *testing.T) {
	st := queue(t)
	now := t0.Add(time.Minute)
	tests := []struct {
		name string
		live *mirror.Live
		want View
	}{
		{"serve not running: the configured rate", nil, View{At: now, Pending: 3, Interactive: 1, Background: 2, Done: 1,
			Failed: map[int]int{84061: 1}, Limit: 60, ETASeconds: 3,
			Batches: []Batch{
				{ID: "bg-bulk-1", Actor: "boss", Background: true, Pending: 1, Done: 1, Failed: map[int]int{84061: 1}, First: t0, Last: t0, ETASeconds: 2},
				{ID: "bg-import-1", Actor: "lisi", Background: true, Pending: 1, First: t0, ETASeconds: 3},
			}}},
		{"live: the current rate and the pause", &mirror.Live{At: now, InFlight: 2, PerMinute: 30, HeldUntil: now.Add(10 * time.Second),
			MarkTag: &wecom.PathState{Current: 2}},
			View{At: now, Pending: 3, Interactive: 1, Background: 2, InFlight: 2, Done: 1, Failed: map[int]int{84061: 1},
				PerMinute: 30, Live: true, LiveAt: now, Limit: 60, Concurrency: 2, PausedUntil: now.Add(10 * time.Second), ETASeconds: 16,
				Batches: []Batch{
					{ID: "bg-bulk-1", Actor: "boss", Background: true, Pending: 1, Done: 1, Failed: map[int]int{84061: 1}, First: t0, Last: t0, ETASeconds: 14},
					{ID: "bg-import-1", Actor: "lisi", Background: true, Pending: 1, First: t0, ETASeconds: 16},
				}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Build(st, tt.live, 60, now)
			must(t, err)
			for i := range got.Batches { // compare times as instants
				got.Batches[i].First, got.Batches[i].Last = got.Batches[i].First.UTC(), got.Batches[i].Last.UTC()
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Build =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestStatusCommand(t *testing.T) {
	st := queue(t)
	cfg := config.Default()
	cfg.Roles.Managers = []string{"boss"}
	src := &Source{Store: st, Limit: 60, Now: func() time.Time { return t0 }}
	r, err := commands.NewRouter(commands.Options{Store: st, Config: cfg, Now: func() time.Time { return t0 }, Extensions: []commands.Extension{src}})
	must(t, err)
	say := func(user, text string) string {
		var out []string
		for _, rep := range r.HandleText(context.Background(), user, text) {
			out = append(out, rep.Text)
		}
		return strings.Join(out, "\n")
	}
	tests := []struct {
		user, text string
		want, not  []string
	}{
		{"boss", "/status", []string{"待发送 3（交互 1，后台 2）", "已完成 1，失败 1（84061×1）", "批次 bg-bulk-1", "批次 bg-import-1", "serve 未运行"}, nil},
		{"lisi", "/进度", []string{"待发送 3", "批次 bg-import-1", "你的变更还有 0 条"}, []string{"bg-bulk-1"}},
		{"zhangsan", "/status", []string{"你的变更还有 1 条"}, []string{"bg-bulk-1", "bg-import-1"}},
		{"boss", "/status now", []string{"不带参数"}, []string{"待发送"}},
	}
	for _, tt := range tests {
		t.Run(tt.user+" "+tt.text, func(t *testing.T) {
			got := say(tt.user, tt.text)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("reply %q lacks %q", got, w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(got, n) {
					t.Errorf("reply %q shows %q", got, n)
				}
			}
		})
	}
}

// TestTextJustStarted: a worker running for seconds shows what it finished
// in them, not those seconds scaled up to a minute.
func TestTextJustStarted(t *testing.T) {
	st := queue(t)
	now := t0.Add(time.Minute)
	tests := []struct {
		name    string
		live    mirror.Live
		want    string
		notWant string
	}{
		{"2 seconds in", mirror.Live{At: now, PerMinute: 210, Window: 2 * time.Second, Finished: 7},
			"刚启动，2 秒内完成 7 次（上限 60 次/分", "210 次/分"},
		{"a minute in", mirror.Live{At: now, PerMinute: 30, Window: time.Minute, Finished: 30},
			"当前速率 30 次/分（上限 60 次/分", "刚启动"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Build(st, &tt.live, 60, now)
			must(t, err)
			got := Text(v)
			if !strings.Contains(got, tt.want) || strings.Contains(got, tt.notWant) {
				t.Errorf("Text =\n%s\nwant it to contain %q and not %q", got, tt.want, tt.notWant)
			}
		})
	}
}
