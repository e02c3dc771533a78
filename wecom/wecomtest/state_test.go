package wecomtest

import (
	"net/url"
	"reflect"
	"testing"
)

func TestSeedingHelpers(t *testing.T) {
	s := fake(t, Options{})
	a := s.AddTagGroup("等级", "A", "B")
	again := s.AddTagGroup("等级", "B", "C")
	if again.ID != a.ID || again.Tags[0] != a.Tags[1] || again.Tags[1].Name != "C" {
		t.Fatalf("re-adding a group = %+v (first %+v)", again, a)
	}
	s.DeleteTag(a.Tags[0].ID)
	want := []GroupInfo{{ID: a.ID, Name: "等级", Tags: []TagInfo{a.Tags[1], again.Tags[1]}}}
	if got := s.TagGroups(); !reflect.DeepEqual(got, want) {
		t.Fatalf("TagGroups = %+v, want %+v", got, want)
	}

	s.AddUser("u1", "旧名")
	s.AddUser("u1", "新名")
	if r := get(t, s, "user/get", url.Values{"userid": {"u1"}}); r["name"] != "新名" {
		t.Fatalf("renamed user = %v", r)
	}
	if r := get(t, s, "externalcontact/get_follow_user_list", nil); len(r["follow_user"].([]any)) != 1 {
		t.Fatalf("AddUser twice made two members: %v", r)
	}

	s.AddCustomer(Customer{ExternalUserID: "wm1", Name: "一", Follows: []Follow{{UserID: "u1", TagIDs: []string{a.Tags[1].ID}}}})
	s.AddCustomer(Customer{ExternalUserID: "wm2", Name: "二", Follows: []Follow{{UserID: "auto"}}})
	s.AddCustomer(Customer{ExternalUserID: "wm1", Name: "一改", Follows: []Follow{{UserID: "u1"}}})
	if got := s.CustomerTags("wm1", "u1"); len(got) != 0 {
		t.Fatalf("replaced customer kept tags %v", got)
	}
	d := decode[contactDetail](t, get(t, s, "externalcontact/get", url.Values{"external_userid": {"wm1"}}))
	if d.ExternalContact.Name != "一改" || d.ExternalContact.Type != 1 || d.FollowUser[0].CreateTime == 0 {
		t.Fatalf("replaced customer = %+v", d)
	}
	if r := get(t, s, "user/get", url.Values{"userid": {"auto"}}); r["name"] != "auto" {
		t.Fatalf("follow user not auto-added: %v", r)
	}
	p := decode[batchPage](t, post(t, s, "externalcontact/batch/get_by_user", map[string]any{"userid_list": []string{"u1", "auto"}}))
	if len(p.ExternalContactList) != 2 || p.ExternalContactList[0].ExternalContact.ExternalUserID != "wm1" {
		t.Fatalf("customers after replace = %+v", p.ExternalContactList)
	}
}
