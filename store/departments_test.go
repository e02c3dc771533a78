package store

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestDepartments checks member departments round-trip, sorted and once
// each, and survive a reopen-free overwrite.
func TestDepartments(t *testing.T) {
	s, clk := openTest(t)
	if got, err := s.Departments("zhangsan"); err != nil || got != nil {
		t.Fatalf("before any: %v, %v; want nil", got, err)
	}
	must(t, s.SetDepartments("zhangsan", []int{7, 3, 7}, clk.Now()))
	if got, _ := s.Departments("zhangsan"); !reflect.DeepEqual(got, []int{3, 7}) {
		t.Errorf("Departments = %v, want [3 7]", got)
	}
	must(t, s.SetDepartments("zhangsan", []int{1}, clk.Now()))
	if got, _ := s.Departments("zhangsan"); !reflect.DeepEqual(got, []int{1}) {
		t.Errorf("after overwrite = %v, want [1]", got)
	}
	if err := s.SetDepartments("", []int{1}, clk.Now()); err == nil {
		t.Error("empty userid accepted")
	}
	must(t, s.Verify())
}

// TestFollowed lists a follower's relationships in customer order.
func TestFollowed(t *testing.T) {
	s, _ := openTest(t)
	for _, tc := range []struct {
		follower string
		want     []string
	}{{"zhangsan", []string{"c1", "c2"}}, {"lisi", []string{"c1"}}, {"nobody", nil}} {
		t.Run(tc.follower, func(t *testing.T) {
			var got []string
			must(t, s.Followed(tc.follower, func(r Relationship) bool { got = append(got, r.Customer); return true }))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Followed = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestCheckNewTag checks WeCom's name and count limits before add_corp_tag.
func TestCheckNewTag(t *testing.T) {
	s, _ := openTest(t)
	big := Library{Groups: []Group{{ID: "gb", Name: "大组"}}}
	for i := 0; i < MaxGroupTags; i++ {
		big.Tags = append(big.Tags, Tag{ID: fmt.Sprintf("b%d", i), GroupID: "gb", GroupName: "大组", Name: fmt.Sprintf("标签%d", i)})
	}
	if _, err := s.PutLibrary(big, "sync"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, group, tag string
		want             string // message substring; "" for allowed
	}{
		{"fine", "意向程度", "中意向", ""},
		{"exists", "大组", "标签1", ""},
		{"30 characters", "意向程度", strings.Repeat("长", MaxTagNameRunes), ""},
		{"tag too long", "意向程度", strings.Repeat("长", MaxTagNameRunes+1), "标签名「" + strings.Repeat("长", 31) + "」有 31 个字，企业微信最多允许 30 个字"},
		{"group too long", strings.Repeat("组", 31), "a", "标签组名"},
		{"group full", "大组", "新标签", "标签组「大组」已有 100 个标签，达到上限 100 个"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.CheckNewTag(tc.group, tc.tag)
			var le *TagLimitError
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("CheckNewTag = %v, want nil", err)
			case tc.want != "" && (!errors.As(err, &le) || !strings.Contains(le.Message, tc.want)):
				t.Errorf("CheckNewTag = %v, want a TagLimitError with %q", err, tc.want)
			}
		})
	}
}

// TestCountLimit checks the corp-wide and per-group counts.
func TestCountLimit(t *testing.T) {
	tests := []struct {
		name          string
		corp, inGroup int
		want          string
	}{
		{"room", MaxCorpTags - 1, MaxGroupTags - 1, ""},
		{"corp full", MaxCorpTags, 0, "企业标签已有 3000 个，达到企业微信的上限 3000 个"},
		{"group full", 10, MaxGroupTags, "标签组「组」已有 100 个标签"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := countLimit("组", tc.corp, tc.inGroup)
			var le *TagLimitError
			if (tc.want == "") != (err == nil) || (err != nil && (!errors.As(err, &le) || !strings.Contains(le.Message, tc.want))) {
				t.Errorf("countLimit = %v, want %q", err, tc.want)
			}
		})
	}
}
