package store

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// WeCom's limits on the corp tag library, checked before tagbot asks
// WeCom to create a tag (externalcontact/add_corp_tag), so a refusal is
// explained instead of failing on WeCom's errcode. 企业微信企业标签的限制。
//
// Sources (searched 2026-12): the add_corp_tag documentation
// (developer.work.weixin.qq.com, 客户联系 › 客户标签管理 › 管理企业标签,
// doc 92117) says 每个企业最多可配置3000个企业标签 and gives tag and group
// names at most 30 characters (the developers' community answer to the
// same question: 标签字符长度最大为30个字符, 每个企业最多设置3000个标签).
// WeCom's help-center articles now give 10,000 corp tags and 100 tags per
// group for groups made in the admin console, "no limit yet" for groups
// made through the API. We keep the documented 3000 per corp (the lower,
// safe figure) and, since no API figure per group is documented, the
// console's 100 per group as a conservative choice.
const (
	// MaxTagNameRunes bounds tag and tag-group names (characters).
	MaxTagNameRunes = 30
	// MaxCorpTags bounds the live corp tags of the library.
	MaxCorpTags = 3000
	// MaxGroupTags bounds the live tags of one group (conservative, see above).
	MaxGroupTags = 100
)

// TagLimitError is a tag WeCom would refuse to create: Message is the
// Chinese explanation, safe to show users.
type TagLimitError struct {
	Message string
}

func (e *TagLimitError) Error() string { return "store: wecom tag limit: " + e.Message }

// CheckNewTag reports (*TagLimitError) why WeCom would refuse a new tag
// tagName in groupName given the library as stored: a name too long, the
// group or the corp full. nil when it may be created (or already exists).
// Every path that creates tags on WeCom (/restore, pack apply, imports)
// calls it first (mirror.Syncer.CreateTag).
func (s *Store) CheckNewTag(groupName, tagName string) error {
	groupName, tagName = strings.TrimSpace(groupName), strings.TrimSpace(tagName)
	for _, n := range []struct{ what, name string }{{"标签组名", groupName}, {"标签名", tagName}} {
		if c := utf8.RuneCountInString(n.name); c > MaxTagNameRunes {
			return &TagLimitError{Message: fmt.Sprintf("%s「%s」有 %d 个字，企业微信最多允许 %d 个字。请改短一些。",
				n.what, n.name, c, MaxTagNameRunes)}
		}
	}
	tags, err := s.Tags(false)
	if err != nil {
		return fmt.Errorf("store: check new tag: %w", err)
	}
	inGroup := 0
	for _, t := range tags {
		if t.GroupName == groupName {
			if t.Name == tagName {
				return nil // exists: nothing is created
			}
			inGroup++
		}
	}
	return countLimit(groupName, len(tags), inGroup)
}

// countLimit refuses one more tag when the corp has corp live tags and
// the group inGroup of them.
func countLimit(groupName string, corp, inGroup int) error {
	switch {
	case corp >= MaxCorpTags:
		return &TagLimitError{Message: fmt.Sprintf("企业标签已有 %d 个，达到企业微信的上限 %d 个。请先在标签库删除不用的标签。",
			corp, MaxCorpTags)}
	case inGroup >= MaxGroupTags:
		return &TagLimitError{Message: fmt.Sprintf("标签组「%s」已有 %d 个标签，达到上限 %d 个。请先删除组里不用的标签，或放到别的组。",
			groupName, inGroup, MaxGroupTags)}
	}
	return nil
}
