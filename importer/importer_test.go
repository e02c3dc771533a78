package importer

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// basicChanges is what every encoding of the basic file plans.
var basicChanges = []changeView{
	{2, "wm0000000000000001", "zhangsan", "高意向、化妆品客群", ""},
	{3, "wm0000000000000002", "lisi", "3C数码客群", ""},
	{4, "wm0000000000000003", "zhangsan", "", "已流失"},
}

func TestDryRunEncodings(t *testing.T) {
	for _, tc := range []struct {
		file, format, encoding string
	}{
		{"utf8.csv", "csv", "UTF-8"},
		{"bom.csv", "csv", "UTF-8 BOM"},
		{"gbk.csv", "csv", "GB18030"},
		{"english_gb18030.csv", "csv", "GB18030"},
		{"basic.xlsx", "xlsx", ""},
	} {
		t.Run(tc.file, func(t *testing.T) {
			p := dryRunFile(t, newTestStore(t), tc.file, Options{})
			if p.Format != tc.format || p.Encoding != tc.encoding {
				t.Errorf("format, encoding = %q, %q; want %q, %q", p.Format, p.Encoding, tc.format, tc.encoding)
			}
			if got := viewChanges(p); !reflect.DeepEqual(got, basicChanges) {
				t.Errorf("Changes differ:\n got %+v\nwant %+v", got, basicChanges)
			}
			if p.Rows != 3 || len(p.Bad)+len(p.UnknownCustomers)+len(p.UnknownTags)+len(p.Denied) != 0 {
				t.Errorf("Rows = %d, Bad %v, UnknownCustomers %v, UnknownTags %v, Denied %v; want 3 clean rows",
					p.Rows, p.Bad, p.UnknownCustomers, p.UnknownTags, p.Denied)
			}
		})
	}
}

func TestDryRunShifted(t *testing.T) {
	st := newTestStore(t)
	p := dryRunFile(t, st, "shifted.csv", Options{MaxBadShare: 0.5})
	wantBad := []issueView{
		{4, "手机号", "化妆品客群"},
		{4, "标签", "13900000003"},
		{6, "客户名称", "高意向"},
		{8, "", ""},
	}
	if got := viewIssues(p.Bad); !reflect.DeepEqual(got, wantBad) {
		t.Errorf("Bad differs:\n got %+v\nwant %+v", got, wantBad)
	}
	if got := p.BadShare(); got != 0.3 {
		t.Errorf("BadShare = %v, want 0.3", got)
	}
	if p.Blocked() || len(p.Changes) != 7 {
		t.Errorf("Blocked = %v, %d changes; want false, 7 (the good rows)", p.Blocked(), len(p.Changes))
	}
}

func TestDryRunGroupColumns(t *testing.T) {
	p := dryRunFile(t, newTestStore(t), "group_columns.csv", Options{MaxBadShare: 1})
	wantBad := []issueView{{3, "客群", "高意向"}, {3, "客户等级", "3C数码客群"}}
	if got := viewIssues(p.Bad); !reflect.DeepEqual(got, wantBad) {
		t.Errorf("Bad differs:\n got %+v\nwant %+v", got, wantBad)
	}
	want := []changeView{
		{2, "wm0000000000000001", "zhangsan", "化妆品客群、高意向", ""},
		{4, "wm0000000000000003", "zhangsan", "3C数码客群、低意向", ""},
	}
	if got := viewChanges(p); !reflect.DeepEqual(got, want) {
		t.Errorf("Changes differ:\n got %+v\nwant %+v", got, want)
	}
}

func TestDryRunTooManyBad(t *testing.T) {
	st := newTestStore(t)
	p := dryRunFile(t, st, "too_many_bad.csv", Options{MaxBadShare: 0.3})
	if !p.Blocked() || p.BadShare() != 0.4 {
		t.Fatalf("Blocked, BadShare = %v, %v; want true, 0.4", p.Blocked(), p.BadShare())
	}
	if !strings.Contains(p.Summary(), "不会执行任何修改") {
		t.Errorf("Summary does not say nothing is applied: %s", p.Summary())
	}
	_, err := Submit(context.Background(), p, SubmitOptions{Store: st, Policy: testPolicy{user: "admin", all: true}})
	if !errors.Is(err, ErrBlocked) {
		t.Fatalf("Submit err = %v, want ErrBlocked", err)
	}
	if js, _ := st.Jobs(false); len(js) != 0 {
		t.Errorf("a blocked plan made %d jobs", len(js))
	}
}

func TestDryRunUnknownTags(t *testing.T) {
	st := newTestStore(t)
	syn := [][]string{{"北上广", "北京上海广州"}, {"客户", "用户"}}
	p := dryRunFile(t, st, "unknown_tags.csv", Options{Synonyms: syn})
	type unknownView struct {
		Name, Nearest string
		Rows          int
	}
	var got []unknownView
	for _, u := range p.UnknownTags {
		v := unknownView{Name: u.Name, Rows: u.Rows}
		if len(u.Suggestions) > 0 {
			v.Nearest = u.Suggestions[0].Tag.Name
		}
		got = append(got, v)
	}
	want := []unknownView{{"北京上海广州用户", "北上广客户", 1}, {"ＶＩＰ客户", "", 1}, {"全新标签", "", 1}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("UnknownTags differ:\n got %+v\nwant %+v", got, want)
	}
	if got := viewIssues(p.UnknownCustomers); !reflect.DeepEqual(got, []issueView{{5, "", "wm9999999999999999"}}) {
		t.Errorf("UnknownCustomers = %+v, want row 5", got)
	}
	// Nothing unknown is created or guessed without a choice: only 高意向.
	if got := viewChanges(p); !reflect.DeepEqual(got, []changeView{{3, "wm0000000000000002", "zhangsan", "高意向", ""}}) {
		t.Errorf("Changes without choices = %+v", got)
	}
	choices := map[string]Choice{"/北京上海广州用户": {Use: "t5"}, "/全新标签": {Create: true, Group: "客群"}}
	p = dryRunFile(t, st, "unknown_tags.csv", Options{Synonyms: syn, Choices: choices})
	want2 := []changeView{
		{2, "wm0000000000000001", "zhangsan", "北上广客户", ""},
		{3, "wm0000000000000002", "zhangsan", "高意向", ""},
		{4, "wm0000000000000003", "zhangsan", "全新标签（新建）", ""},
	}
	if got := viewChanges(p); !reflect.DeepEqual(got, want2) {
		t.Errorf("Changes with choices differ:\n got %+v\nwant %+v", got, want2)
	}
	emp := dryRunFile(t, st, "unknown_tags.csv", Options{Synonyms: syn, Choices: choices, Policy: testPolicy{user: "zhangsan"}})
	for _, c := range emp.Changes {
		if strings.Contains(TagNames(c.Add), "新建") {
			t.Errorf("an employee's plan creates a tag: %+v", c)
		}
	}
}

// TestDryRunDeniesByRow: a refused tag or exclusive pair denies the rows
// asking for it, named by row, and the relationship's other tags apply.
func TestDryRunDeniesByRow(t *testing.T) {
	p := dryRunFile(t, newTestStore(t), "denied_rows.csv", Options{Policy: testPolicy{user: "zhangsan"}})
	type denied struct {
		Row      int
		Customer string
		Tag      string
	}
	var got []denied
	for _, d := range p.Denied {
		tag, _, _ := strings.Cut(strings.TrimPrefix(d.Msg, "「"), "」")
		got = append(got, denied{d.Row, d.Value, tag})
	}
	want := []denied{
		{7, "wm0000000000000001", "受保护"},
		{8, "wm0000000000000002", "高意向"},
		{9, "wm0000000000000002", "低意向"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Denied differs:\n got %+v\nwant %+v", got, want)
	}
	wantChanges := []changeView{
		{2, "wm0000000000000001", "zhangsan", "化妆品客群", ""},
		{3, "wm0000000000000002", "zhangsan", "3C数码客群", ""},
		{4, "wm0000000000000003", "zhangsan", "北上广客户", ""},
		{5, "wm0000000000000004", "zhangsan", "北上广客户", ""},
		{6, "wm0000000000000007", "zhangsan", "北上广客户", ""},
	}
	if got := viewChanges(p); !reflect.DeepEqual(got, wantChanges) {
		t.Errorf("Changes differ:\n got %+v\nwant %+v", got, wantChanges)
	}
}

// TestDryRunNameDisagrees: a name that is not the customer's found by
// mobile or id is a shifted row, reported by row and column.
func TestDryRunNameDisagrees(t *testing.T) {
	p := dryRunFile(t, newTestStore(t), "name_mismatch.csv", Options{Policy: testPolicy{user: "zhangsan"}, MaxBadShare: 1})
	type bad struct {
		Row         int
		Column, Msg string
	}
	var got []bad
	for _, is := range p.Bad {
		got = append(got, bad{is.Row, is.Column, is.Msg})
	}
	want := []bad{
		{2, "客户名称", "手机号属于 李四，名称写的是 王小明，疑似错位"},
		{4, "客户名称", "客户ID属于 张三，名称写的是 王小明，疑似错位"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Bad differs:\n got %+v\nwant %+v", got, want)
	}
	wantChanges := []changeView{
		{3, "wm0000000000000002", "zhangsan", "低意向", ""},
		{5, "wm0000000000000001", "zhangsan", "低意向", ""},
	}
	if got := viewChanges(p); !reflect.DeepEqual(got, wantChanges) {
		t.Errorf("Changes differ:\n got %+v\nwant %+v", got, wantChanges)
	}
}

// TestDryRunChoicesOnlyProposed: an unknown name in a group's column gets
// only that group's tags proposed, and a choice may only use a proposed
// tag (not any library tag, not one of another group).
func TestDryRunChoicesOnlyProposed(t *testing.T) {
	st := newTestStore(t)
	syn := [][]string{{"北上广", "北京上海广州"}, {"客户", "用户"}}
	p := dryRunFile(t, st, "unknown_in_group.csv", Options{Synonyms: syn})
	proposed := map[string][]string{}
	for _, u := range p.UnknownTags {
		proposed[u.Key] = []string{}
		for _, s := range u.Suggestions {
			proposed[u.Key] = append(proposed[u.Key], s.Tag.Name)
		}
	}
	wantProposed := map[string][]string{"/北京上海广州用户": {"北上广客户"}, "客户等级/北京上海广州用户": {}}
	if !reflect.DeepEqual(proposed, wantProposed) {
		t.Errorf("proposals = %v, want %v", proposed, wantProposed)
	}
	for _, tc := range []struct {
		name    string
		choices map[string]Choice
		want    []changeView
	}{
		{"a proposed tag", map[string]Choice{"/北京上海广州用户": {Use: "t5"}},
			[]changeView{{2, "wm0000000000000001", "zhangsan", "北上广客户", ""}}},
		{"a library tag not proposed", map[string]Choice{"/北京上海广州用户": {Use: "t1"}}, nil},
		{"a tag of another group than the column's", map[string]Choice{"客户等级/北京上海广州用户": {Use: "t5"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := dryRunFile(t, st, "unknown_in_group.csv", Options{Synonyms: syn, Choices: tc.choices})
			if got := viewChanges(p); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Changes = %+v, want %+v", got, tc.want)
			}
		})
	}
}
