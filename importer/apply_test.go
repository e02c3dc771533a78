package importer

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/jobs"
	"github.com/tagbot/tagbot/store"
)

func TestSubmitOneBatch(t *testing.T) {
	st := newTestStore(t)
	pol := testPolicy{user: "admin", all: true}
	p := dryRunFile(t, st, "bom.csv", Options{Policy: pol})
	job, err := Submit(context.Background(), p, SubmitOptions{Store: st, Policy: pol, Title: "bom.csv"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(job.ID, "bg-import-") || job.Total != 3 {
		t.Fatalf("job %s with %d rows; want bg-import-N with 3", job.ID, job.Total)
	}
	var progress []int
	r := &jobs.Runner{Store: st, Chunk: 2, Progress: func(j store.Job) { progress = append(progress, j.Next) }}
	if err := r.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(progress, []int{2, 3}) {
		t.Errorf("progress %v, want [2 3]", progress)
	}
	hist, err := st.History(store.Query{Batch: job.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, cs := range hist {
		if cs.Source != store.SourceImport || cs.Actor != "admin" || !cs.Background() {
			t.Errorf("change-set %d: source %s, actor %s, background %v; want import, admin, true", cs.ID, cs.Source, cs.Actor, cs.Background())
		}
	}
	if len(hist) != 3 {
		t.Errorf("batch has %d change-sets, want 3", len(hist))
	}
	again := dryRunFile(t, st, "bom.csv", Options{Policy: pol})
	if len(again.Changes) != 0 || again.Unchanged != 3 {
		t.Errorf("after apply: %d changes, %d unchanged; want 0, 3", len(again.Changes), again.Unchanged)
	}
}

func TestDryRunEmployeePermissions(t *testing.T) {
	st := newTestStore(t)
	p := dryRunFile(t, st, "bom.csv", Options{Policy: testPolicy{user: "zhangsan"}})
	want := []changeView{
		{2, "wm0000000000000001", "zhangsan", "高意向、化妆品客群", ""},
		{4, "wm0000000000000003", "zhangsan", "", "已流失"},
	}
	if got := viewChanges(p); !reflect.DeepEqual(got, want) {
		t.Errorf("Changes differ:\n got %+v\nwant %+v", got, want)
	}
	if got := viewIssues(p.Denied); !reflect.DeepEqual(got, []issueView{{3, "跟进人", "lisi"}}) {
		t.Errorf("Denied = %+v, want row 3 (lisi's relationship)", got)
	}
	r := strings.NewReader("客户ID,标签\nwm0000000000000004,受保护\nwm0000000000000005,高意向\n")
	p, err := DryRun(OpenCSV(r), Options{Store: st, Policy: testPolicy{user: "zhangsan"}, MaxBadShare: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 1 || len(p.Denied) != 1 || p.Denied[0].Row != 2 || !strings.Contains(p.Denied[0].Msg, "受保护") {
		t.Errorf("protected tag: %d changes, denied %+v; want 1 change and row 2 denied", len(p.Changes), p.Denied)
	}
}

func TestHeaderErrors(t *testing.T) {
	for _, tc := range []struct{ name, file, want string }{
		{"no customer column", "标签\n高意向\n", "找客户的列"},
		{"no tag column", "客户ID,备注\nwm1,x\n", "缺少「标签」"},
		{"duplicate", "客户ID,external_userid,标签\n", "都是「客户ID」"},
		{"empty", "\n\n", "文件是空的"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DryRun(OpenCSV(strings.NewReader(tc.file)), Options{Store: newTestStore(t), Policy: testPolicy{all: true}})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// countingCreator counts CreateTag calls.
type countingCreator struct{ n int }

func (c *countingCreator) CreateTag(_ context.Context, group, name string) (store.Tag, error) {
	c.n++
	return store.Tag{ID: "new1", GroupName: group, Name: name}, nil
}

// TestSubmitDemotedCannotCreate: a plan made by a manager that creates a
// tag is refused at Submit once the user is an employee again.
func TestSubmitDemotedCannotCreate(t *testing.T) {
	st := newTestStore(t)
	choices := map[string]Choice{"/全新标签": {Create: true, Group: "客群"}}
	p := dryRunFile(t, st, "unknown_tags.csv", Options{Choices: choices, Policy: testPolicy{user: "zhangsan", all: true}})
	cr := &countingCreator{}
	_, err := Submit(context.Background(), p, SubmitOptions{Store: st, Policy: testPolicy{user: "zhangsan"}, Creator: cr})
	if !errors.Is(err, ErrCannotCreate) {
		t.Errorf("Submit err = %v, want ErrCannotCreate", err)
	}
	if cr.n != 0 {
		t.Errorf("%d tags created, want none", cr.n)
	}
	if js, _ := st.Jobs(false); len(js) != 0 {
		t.Errorf("a refused plan made %d jobs", len(js))
	}
}
