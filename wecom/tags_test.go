package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tagbot/tagbot/wecom/errcode"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

func TestCorpTagLifecycle(t *testing.T) {
	e := newEnv(t, wecomtest.Options{}, nil)
	ctx := context.Background()

	g, err := e.c.AddCorpTag(ctx, AddTagRequest{GroupName: "客户等级", Order: 5, Tags: []NewTag{{Name: "VIP", Order: 2}, {Name: "普通"}}})
	if err != nil {
		t.Fatal(err)
	}
	// Ids and times are the fake's to choose: present, but not compared.
	ignoreIDs := cmpopts.IgnoreFields(Tag{}, "ID", "CreateTime")
	want := TagGroup{ID: g.ID, Name: "客户等级", CreateTime: g.CreateTime, Order: 5, Tags: []Tag{{Name: "VIP", Order: 2}, {Name: "普通"}}}
	if diff := cmp.Diff(want, g, ignoreIDs); diff != "" {
		t.Fatalf("AddCorpTag (-want +got):\n%s", diff)
	}
	if g.ID == "" || g.Tags[0].ID == "" {
		t.Fatalf("AddCorpTag returned no ids: group %q, tag %q", g.ID, g.Tags[0].ID)
	}
	more, err := e.c.AddCorpTag(ctx, AddTagRequest{GroupID: g.ID, Tags: []NewTag{{Name: "流失"}}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Tag{{Name: "流失"}}, more.Tags, ignoreIDs); diff != "" || more.ID != g.ID {
		t.Fatalf("AddCorpTag to existing group %q (want %q), tags (-want +got):\n%s", more.ID, g.ID, diff)
	}

	groups, err := e.c.GetCorpTagList(ctx, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	type listed struct{ Groups, Order, Tags int }
	got := listed{Groups: len(groups)}
	if len(groups) > 0 {
		got.Order, got.Tags = groups[0].Order, len(groups[0].Tags)
	}
	if diff := cmp.Diff(listed{1, 5, 3}, got); diff != "" {
		t.Fatalf("GetCorpTagList (group order must be decoded from \"order\") (-want +got):\n%s", diff)
	}
	if groups[0].CreateTime == 0 || groups[0].Tags[0].CreateTime == 0 {
		t.Errorf("create_time not decoded: %+v", groups[0])
	}
	// The request must not send null filters.
	if body := e.s.CallsTo("externalcontact/get_corp_tag_list")[0].Body; bytes.Contains(body, []byte("null")) {
		t.Errorf("get_corp_tag_list body %s contains null", body)
	}

	vip := g.Tags[0].ID
	if err := e.c.EditCorpTag(ctx, vip, "SVIP", 9); err != nil {
		t.Fatal(err)
	}
	if err := e.c.EditCorpTag(ctx, g.ID, "等级", 0); err != nil {
		t.Fatal(err)
	}
	filtered, err := e.c.GetCorpTagList(ctx, []string{vip}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantEdited := []TagGroup{{ID: g.ID, Name: "等级", Order: 5, Tags: []Tag{{ID: vip, Name: "SVIP", Order: 9}}}}
	if diff := cmp.Diff(wantEdited, filtered, cmpopts.IgnoreFields(TagGroup{}, "CreateTime"), cmpopts.IgnoreFields(Tag{}, "CreateTime")); diff != "" {
		t.Fatalf("after edit (-want +got):\n%s", diff)
	}

	if err := e.c.DelCorpTag(ctx, []string{vip}, nil); err != nil {
		t.Fatal(err)
	}
	byGroup, err := e.c.GetCorpTagList(ctx, nil, []string{g.ID})
	if err != nil {
		t.Fatal(err)
	}
	idx := slices.IndexFunc(byGroup[0].Tags, func(tg Tag) bool { return tg.ID == vip })
	if idx < 0 || !byGroup[0].Tags[idx].Deleted {
		t.Fatalf("deleted tag not reported as deleted: %+v", byGroup)
	}
	if err := e.c.DelCorpTag(ctx, nil, []string{g.ID}); err != nil {
		t.Fatal(err)
	}
	if left, err := e.c.GetCorpTagList(ctx, nil, nil); err != nil || len(left) != 0 {
		t.Fatalf("after deleting the group: %+v, %v", left, err)
	}
	if err := e.c.DelCorpTag(ctx, []string{"missing"}, nil); Code(err) != errcode.InvalidTagID {
		t.Fatalf("deleting an unknown tag: %v", err)
	}
}

func TestCorpTagArgumentErrors(t *testing.T) {
	e := newEnv(t, wecomtest.Options{}, nil)
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
	}{
		{"add without group", func() error { _, err := e.c.AddCorpTag(ctx, AddTagRequest{Tags: []NewTag{{Name: "x"}}}); return err }},
		{"add without tags", func() error { _, err := e.c.AddCorpTag(ctx, AddTagRequest{GroupName: "g"}); return err }},
		{"add empty tag name", func() error {
			_, err := e.c.AddCorpTag(ctx, AddTagRequest{GroupName: "g", Tags: []NewTag{{}}})
			return err
		}},
		{"edit without id", func() error { return e.c.EditCorpTag(ctx, "", "x", 0) }},
		{"delete nothing", func() error { return e.c.DelCorpTag(ctx, nil, nil) }},
		{"mark without user", func() error { return e.c.MarkTag(ctx, "", "ext", []string{"t"}, nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); err == nil || IsTransient(err) {
				t.Fatalf("err = %v, want a permanent error", err)
			}
		})
	}
	if n := len(e.s.Calls()); n != 0 {
		t.Errorf("invalid arguments reached the server %d times", n)
	}
}

func TestMarkTag(t *testing.T) {
	e := newEnv(t, wecomtest.Options{}, nil)
	ctx := context.Background()
	g := e.s.AddTagGroup("等级", "A", "B", "C")
	a, b, c := g.Tags[0].ID, g.Tags[1].ID, g.Tags[2].ID
	e.s.AddCustomer(wecomtest.Customer{ExternalUserID: "ext", Follows: []wecomtest.Follow{{UserID: "sales", TagIDs: []string{a}}}})

	tests := []struct {
		name        string
		add, remove []string
		want        []string
		wantKeys    []string
	}{
		{"add only", []string{b}, nil, []string{a, b}, []string{"add_tag"}},
		{"remove only", nil, []string{a}, []string{b}, []string{"remove_tag"}},
		{"both", []string{c}, []string{b}, []string{c}, []string{"add_tag", "remove_tag"}},
		{"empty slices", []string{}, []string{c}, nil, []string{"remove_tag"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(e.s.CallsTo("externalcontact/mark_tag"))
			if err := e.c.MarkTag(ctx, "sales", "ext", tt.add, tt.remove); err != nil {
				t.Fatal(err)
			}
			calls := e.s.CallsTo("externalcontact/mark_tag")
			if len(calls) != before+1 {
				t.Fatalf("mark_tag calls = %d, want %d", len(calls), before+1)
			}
			body := calls[len(calls)-1].Body
			if bytes.Contains(body, []byte("null")) {
				t.Fatalf("mark_tag body contains null: %s", body)
			}
			var fields map[string]json.RawMessage
			if err := json.Unmarshal(body, &fields); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"add_tag", "remove_tag"} {
				_, present := fields[k]
				if present != slices.Contains(tt.wantKeys, k) {
					t.Errorf("field %s present=%v in %s", k, present, body)
				}
			}
			if got := e.s.CustomerTags("ext", "sales"); !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("tags = %v, want %v", got, tt.want)
			}
		})
	}

	before := len(e.s.Calls())
	if err := e.c.MarkTag(ctx, "sales", "ext", nil, []string{}); err != nil {
		t.Fatalf("no-op MarkTag: %v", err)
	}
	if len(e.s.Calls()) != before {
		t.Error("no-op MarkTag reached the server")
	}
}
