package wecomtest

import (
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tagbot/tagbot/wecom/errcode"
)

// tagList is the typed get_corp_tag_list / add_corp_tag answer.
type tagList struct {
	TagGroup []groupJSON `json:"tag_group"`
}

// addResp is the typed add_corp_tag answer.
type addResp struct {
	TagGroup groupJSON `json:"tag_group"`
}

// names lists "group/tag(deleted?)" for compact comparisons.
func (l tagList) names() []string {
	var out []string
	for _, g := range l.TagGroup {
		for _, tg := range g.Tag {
			n := g.GroupName + "/" + tg.Name
			if tg.Deleted {
				n += "(deleted)"
			}
			if g.Deleted {
				n = "[" + n + "]"
			}
			out = append(out, n)
		}
	}
	return out
}

func TestGetCorpTagListFilters(t *testing.T) {
	clk := newClock()
	s := fake(t, Options{Now: clk.Now})
	level := s.AddTagGroup("客户等级", "VIP", "普通")
	source := s.AddTagGroup("来源", "线上", "线下")
	s.DeleteTag(level.Tags[1].ID)

	tests := []struct {
		name string
		body any
		want []string
	}{
		{"all live", map[string]any{}, []string{"客户等级/VIP", "来源/线上", "来源/线下"}},
		{"empty body", nil, []string{"客户等级/VIP", "来源/线上", "来源/线下"}},
		{"sdk nulls", []byte(`{"tag_id":null,"group_id":null}`), []string{"客户等级/VIP", "来源/线上", "来源/线下"}},
		{"by tag", map[string]any{"tag_id": []string{source.Tags[1].ID, level.Tags[1].ID, "etUnknown"}},
			[]string{"客户等级/普通(deleted)", "来源/线下"}},
		{"by group incl deleted tags", map[string]any{"group_id": []string{level.ID}}, []string{"客户等级/VIP", "客户等级/普通(deleted)"}},
		{"group wins over tag", map[string]any{"group_id": []string{source.ID}, "tag_id": []string{level.Tags[0].ID}},
			[]string{"来源/线上", "来源/线下"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, s, "externalcontact/get_corp_tag_list", tt.body)
			wantCode(t, r, errcode.OK)
			if got := decode[tagList](t, r).names(); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("tags = %v, want %v", got, tt.want)
			}
		})
	}

	r := decode[tagList](t, post(t, s, "externalcontact/get_corp_tag_list", nil))
	g := r.TagGroup[0]
	type ids struct {
		GroupID         string
		GroupCreateTime int64
		TagID           string
		TagCreated      bool
	}
	want := ids{level.ID, clk.Now().Unix(), level.Tags[0].ID, true}
	if diff := cmp.Diff(want, ids{g.GroupID, g.CreateTime, g.Tag[0].ID, g.Tag[0].CreateTime != 0}); diff != "" {
		t.Fatalf("group fields (-want +got):\n%s", diff)
	}

	s.DeleteTag(source.ID)
	got := decode[tagList](t, post(t, s, "externalcontact/get_corp_tag_list", map[string]any{"group_id": []string{source.ID}})).names()
	if want := []string{"[来源/线上(deleted)]", "[来源/线下(deleted)]"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("deleted group = %v, want %v", got, want)
	}
}

func TestAddCorpTag(t *testing.T) {
	s := fake(t, Options{})
	r := post(t, s, "externalcontact/add_corp_tag", map[string]any{
		"group_name": "客户等级", "order": 3,
		"tag": []map[string]any{{"name": "VIP", "order": 2}, {"name": "普通"}, {"name": "VIP"}},
	})
	wantCode(t, r, errcode.OK)
	g := decode[addResp](t, r).TagGroup
	want := groupJSON{GroupName: "客户等级", Order: 3, Tag: []tagJSON{{Name: "VIP", Order: 2}, {Name: "普通"}}}
	if diff := cmp.Diff(want, g, cmpopts.IgnoreFields(groupJSON{}, "GroupID", "CreateTime"),
		cmpopts.IgnoreFields(tagJSON{}, "ID", "CreateTime")); diff != "" {
		t.Fatalf("created group (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(g.GroupID, "et") || !strings.HasPrefix(g.Tag[0].ID, "et") {
		t.Fatalf("ids %q, %q do not start with et", g.GroupID, g.Tag[0].ID)
	}

	// By group_id (group_name ignored), reusing an existing same-name tag.
	r = post(t, s, "externalcontact/add_corp_tag", map[string]any{
		"group_id": g.GroupID, "group_name": "ignored", "tag": []map[string]any{{"name": "SVIP"}, {"name": "VIP"}},
	})
	wantCode(t, r, errcode.OK)
	again := decode[addResp](t, r).TagGroup
	type added struct {
		GroupID string
		Names   []string
		VIPID   string // the second tag reuses the existing VIP
	}
	got := added{GroupID: again.GroupID}
	for _, tg := range again.Tag {
		got.Names = append(got.Names, tg.Name)
	}
	if len(again.Tag) == 2 {
		got.VIPID = again.Tag[1].ID
	}
	if diff := cmp.Diff(added{g.GroupID, []string{"SVIP", "VIP"}, g.Tag[0].ID}, got); diff != "" {
		t.Fatalf("add to existing group (-want +got):\n%s", diff)
	}
	// By existing group_name: lands in the same group.
	r = post(t, s, "externalcontact/add_corp_tag", map[string]any{"group_name": "客户等级", "tag": []map[string]any{{"name": "流失"}}})
	if decode[addResp](t, r).TagGroup.GroupID != g.GroupID {
		t.Fatalf("same group_name created a second group: %v", r)
	}
	if got := decode[tagList](t, post(t, s, "externalcontact/get_corp_tag_list", nil)).names(); len(got) != 4 {
		t.Fatalf("tags after adds = %v", got)
	}
}

func TestAddCorpTagErrors(t *testing.T) {
	s := fake(t, Options{})
	thirty := strings.Repeat("标", 30)
	tests := []struct {
		name string
		body map[string]any
		want int
	}{
		{"30 chars ok", map[string]any{"group_name": thirty, "tag": []map[string]any{{"name": thirty}}}, errcode.OK},
		{"tag 31 chars", map[string]any{"group_name": "g", "tag": []map[string]any{{"name": thirty + "签"}}}, CodeNameTooLong},
		{"group 31 chars", map[string]any{"group_name": strings.Repeat("a", 31), "tag": []map[string]any{{"name": "t"}}}, CodeNameTooLong},
		{"empty tag list", map[string]any{"group_name": "g", "tag": []map[string]any{}}, errcode.InvalidParam},
		{"empty tag name", map[string]any{"group_name": "g", "tag": []map[string]any{{"name": " "}}}, errcode.InvalidParam},
		{"no group", map[string]any{"tag": []map[string]any{{"name": "t"}}}, errcode.InvalidParam},
		{"unknown group id", map[string]any{"group_id": "etNope", "tag": []map[string]any{{"name": "t"}}}, errcode.InvalidTagID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, post(t, s, "externalcontact/add_corp_tag", tt.body), tt.want)
		})
	}
	if got := decode[tagList](t, post(t, s, "externalcontact/get_corp_tag_list", nil)).names(); len(got) != 1 {
		t.Fatalf("failed adds left tags behind: %v", got)
	}
}

func TestEditCorpTag(t *testing.T) {
	s := fake(t, Options{})
	g := s.AddTagGroup("等级", "A", "B")
	other := s.AddTagGroup("来源", "线上")
	tests := []struct {
		name string
		body map[string]any
		want int
	}{
		{"rename tag", map[string]any{"id": g.Tags[0].ID, "name": "A+", "order": 9}, errcode.OK},
		{"rename group", map[string]any{"id": g.ID, "name": "客户等级"}, errcode.OK},
		{"same name as sibling", map[string]any{"id": g.Tags[0].ID, "name": "B"}, errcode.InvalidTagName},
		{"same name as other group", map[string]any{"id": g.ID, "name": "来源"}, errcode.InvalidTagName},
		{"same name in another group ok", map[string]any{"id": other.Tags[0].ID, "name": "B"}, errcode.OK},
		{"too long", map[string]any{"id": g.Tags[1].ID, "name": strings.Repeat("x", 31)}, CodeNameTooLong},
		{"unknown id", map[string]any{"id": "etNope", "name": "x"}, errcode.InvalidTagID},
		{"missing id", map[string]any{"name": "x"}, errcode.InvalidTagID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, post(t, s, "externalcontact/edit_corp_tag", tt.body), tt.want)
		})
	}
	l := decode[tagList](t, post(t, s, "externalcontact/get_corp_tag_list", nil))
	if got, want := l.names(), []string{"客户等级/A+", "客户等级/B", "来源/B"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after edits = %v, want %v", got, want)
	}
	if l.TagGroup[0].Tag[0].Order != 9 {
		t.Fatalf("order not edited: %+v", l.TagGroup[0].Tag[0])
	}
}

func TestDelCorpTag(t *testing.T) {
	s := fake(t, Options{})
	g := s.AddTagGroup("等级", "A", "B")
	src := s.AddTagGroup("来源", "线上", "线下")
	s.AddCustomer(Customer{ExternalUserID: "wm1", Name: "客户1", Follows: []Follow{
		{UserID: "u1", TagIDs: []string{g.Tags[0].ID, g.Tags[1].ID, src.Tags[0].ID}},
	}})

	wantCode(t, post(t, s, "externalcontact/del_corp_tag", map[string]any{}), errcode.InvalidTagID)
	wantCode(t, post(t, s, "externalcontact/del_corp_tag", map[string]any{"tag_id": []string{g.Tags[0].ID, "etNope"}}), errcode.InvalidTagID)
	if len(s.CustomerTags("wm1", "u1")) != 3 {
		t.Fatal("a failed delete removed tags")
	}

	wantCode(t, post(t, s, "externalcontact/del_corp_tag", map[string]any{"tag_id": []string{g.Tags[0].ID}}), errcode.OK)
	if got := s.CustomerTags("wm1", "u1"); !reflect.DeepEqual(got, []string{g.Tags[1].ID, src.Tags[0].ID}) {
		t.Fatalf("customer tags after tag delete = %v", got)
	}
	// Deleting the last tag deletes the group.
	wantCode(t, post(t, s, "externalcontact/del_corp_tag", map[string]any{"tag_id": []string{g.Tags[1].ID}}), errcode.OK)
	wantCode(t, post(t, s, "externalcontact/del_corp_tag", map[string]any{"group_id": []string{src.ID}}), errcode.OK)
	if got := s.TagGroups(); len(got) != 0 {
		t.Fatalf("groups left = %+v", got)
	}
	if got := s.CustomerTags("wm1", "u1"); len(got) != 0 {
		t.Fatalf("customer still tagged %v", got)
	}
	wantCode(t, post(t, s, "externalcontact/del_corp_tag", map[string]any{"group_id": []string{g.ID}}), errcode.InvalidTagID)
}
