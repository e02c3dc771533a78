package nl

import (
	"slices"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/internal/suggest"
)

// maxNameRunes bounds the names tried when a customer and a tag are
// written together without 的 ("李四观望型").
const maxNameRunes = 24

// tagSeps separate several tags: 高意向和VIP, 高意向、VIP.
var tagSeps = []string{"以及", "还有", "又是", "和", ",", "跟", "与", "及", "and", "&", "+", "/"}

// tagNoise is trimmed around a tag name: "VIP标签", "这个VIP".
var (
	tagPrefixes = []string{"标签", "个", "一个", "这个", "那个", "上", "成", "为", "的", "把"}
	tagSuffixes = []string{"这两个标签", "两个标签", "三个标签", "几个标签", "这个标签", "的标签", "标签", "这个", "的", "了", "吧"}
)

// tagList resolves s as one or more live tags. On failure it returns a
// question: the nearest tag name ("「高意」是指「高意向」吗？") or that
// there is no such tag; tags are never invented.
func (rq *request) tagList(s string) ([]string, string) {
	s = trimAll(s, tagPrefixes, tagSuffixes)
	if s == "" {
		return nil, ""
	}
	if t, ok := rq.names.Tag(s); ok {
		return []string{t}, ""
	}
	if out := rq.segmentTags(s); out != nil {
		return out, ""
	}
	parts := []string{s}
	for _, sep := range tagSeps {
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, sep)...)
		}
		parts = next
	}
	var out []string
	for _, p := range parts {
		p = trimAll(p, tagPrefixes, tagSuffixes)
		if p == "" {
			continue
		}
		t, ok := rq.names.Tag(p)
		if !ok {
			return nil, rq.unknownTag(p)
		}
		if !contains(out, t) {
			out = append(out, t)
		}
	}
	return out, ""
}

// readTagList is tagList for a question (how many, a trend): an unknown
// name is answered as /find answers it, with no talk of writing.
func (rq *request) readTagList(s string) ([]string, string) {
	rq.reading = true
	defer func() { rq.reading = false }()
	return rq.tagList(s)
}

// unknownTag is the question for a tag name that does not exist (nor is
// visible to the speaker: commands.Names leaves those out). In a question
// (rq.reading) it is the reply of /find to an unknown tag.
func (rq *request) unknownTag(name string) string {
	best := rq.nearestTag(name)
	name = rq.spelled(name)
	if best != "" {
		if rq.reading {
			return "「" + display.Name(name) + "」是指「" + display.Name(best) + "」吗？如果是请用正确的标签名再问一次。"
		}
		return "「" + display.Name(name) + "」是指「" + display.Name(best) + "」吗？我没有改任何东西，如果是请用正确的标签名再说一次。"
	}
	if rq.reading {
		return "没有标签「" + display.Name(name) + "」。发送 /groups 查看标签库。"
	}
	return "没有「" + display.Name(name) + "」这个标签（我不会新建标签），什么都没有改。发送 /groups 查看标签库。"
}

// nearestTag is the live tag name closest to name: at most one edit for
// short names, two for longer ones; "" if none is that close.
func (rq *request) nearestTag(name string) string {
	n := utf8.RuneCountInString(name)
	limit := 1
	if n > 4 {
		limit = 2
	}
	best, bestD := "", limit+1
	idx := lengthIndex(rq.names.TagNames())
	for l := n - limit; l <= n+limit; l++ {
		for _, t := range idx.byLen[l] {
			if d := suggest.OSADistance(t.lower, name); d < bestD || d == bestD && t.name < best {
				best, bestD = t.name, d
			}
		}
	}
	return best
}

// maxTagRunes bounds the tag names countParts looks for in a question.
const maxTagRunes = 32

// tagsByLen holds tag names by their length in runes, for nearestTag,
// and those lengths longest first (up to maxTagRunes), for tagAt.
type tagsByLen struct {
	first *string // &names[0]: the slice it was built from
	n     int
	byLen map[int][]lowered
	lens  []int
}

// lowered is a tag name and its lower-case form.
type lowered struct{ name, lower string }

// lastIndex is the index of the last tag list seen: a store's list is
// the same slice until its library changes, so it is built once per change.
var lastIndex atomic.Pointer[tagsByLen]

// lengthIndex returns names indexed by length.
func lengthIndex(names []string) *tagsByLen {
	if len(names) == 0 {
		return &tagsByLen{}
	}
	if x := lastIndex.Load(); x != nil && x.first == &names[0] && x.n == len(names) {
		return x
	}
	x := &tagsByLen{first: &names[0], n: len(names), byLen: map[int][]lowered{}}
	for _, t := range names {
		l := utf8.RuneCountInString(t)
		x.byLen[l] = append(x.byLen[l], lowered{t, strings.ToLower(t)})
	}
	for l := range x.byLen {
		if l > 0 && l <= maxTagRunes {
			x.lens = append(x.lens, l)
		}
	}
	slices.Sort(x.lens)
	slices.Reverse(x.lens)
	lastIndex.Store(x)
	return x
}

// customer trims the words around a customer name (给, 把, 的) and
// reports whether the rest is exactly a customer.
func (rq *request) customer(s string) (string, bool) {
	s = trimAll(s, []string{"给", "把", "将", "为", "替", "对", "帮", ","}, []string{"的", "身上", ",", "需要", "要"})
	if s != "" && rq.names.Customer(s) { // 客户1234 is a name
		return s, true
	}
	s = trimAll(s, []string{"客户"}, []string{"客户", "这个客户"})
	return s, s != "" && rq.names.Customer(s)
}

// splitCustomer splits "张三的VIP" or "张三VIP" into a customer and the
// rest: at a 的 first, else at the longest customer name that starts s.
func (rq *request) splitCustomer(s string) (cust, rest string, ok bool) {
	s = trimAll(s, []string{"给", "把", "将", "为", "替", "对", "客户"}, nil)
	for i := strings.Index(s, "的"); i >= 0; {
		if c, ok := rq.customer(s[:i]); ok {
			return c, s[i+len("的"):], true
		}
		j := strings.Index(s[i+len("的"):], "的")
		if j < 0 {
			break
		}
		i += len("的") + j
	}
	ends := make([]int, 0, 16)
	for i := range s {
		if i > 0 {
			ends = append(ends, i)
		}
		if len(ends) > maxNameRunes {
			break
		}
	}
	if len(ends) <= maxNameRunes {
		ends = append(ends, len(s))
	}
	for k := len(ends) - 1; k >= 0; k-- {
		if c := s[:ends[k]]; rq.names.Customer(c) {
			return c, s[ends[k]:], true
		}
	}
	return "", s, false
}

// plausibleName reports whether s could be a customer the command itself
// resolves (a fragment becomes a numbered list to pick from): short, and
// not obviously a sentence.
func plausibleName(s string) bool {
	n := utf8.RuneCountInString(s)
	return n > 0 && n <= 12 && !hasAny(s, "标签", "什么", "哪", "谁", "怎么", "一下")
}

// isUserID reports whether s looks like a WeCom userid (lisi, zhang.san).
func isUserID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-' || r == '@') {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// segmentTags reads s as known tags, each the longest that fits, with
// separators between them ("高意向和和平" is 高意向 and 和平); nil when
// some stretch is not a tag.
func (rq *request) segmentTags(s string) []string {
	var out []string
	for s != "" {
		for _, sep := range tagSeps {
			s = strings.TrimPrefix(s, sep)
		}
		s = trimAll(s, tagPrefixes, nil)
		if s == "" {
			break
		}
		found := false
		for end := len(s); end > 0; end-- {
			if end < len(s) && !utf8.RuneStart(s[end]) {
				continue
			}
			if t, ok := rq.names.Tag(trimAll(s[:end], nil, tagSuffixes)); ok {
				if !contains(out, t) {
					out = append(out, t)
				}
				s, found = s[end:], true
				break
			}
		}
		if !found {
			return nil
		}
	}
	return out
}
