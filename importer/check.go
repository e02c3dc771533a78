package importer

import (
	"regexp"
	"strings"
	"unicode"
)

// Op is what a row does with its tags.
type Op int

// Ops: add (the default for an empty cell) or remove.
const (
	OpAdd Op = iota
	OpRemove
)

// parseOp reads the 操作 cell.
func parseOp(s string) (Op, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "add", "+", "添加", "增加", "加", "打标签", "新增":
		return OpAdd, true
	case "remove", "del", "delete", "-", "删除", "移除", "去掉", "去除", "取消":
		return OpRemove, true
	}
	return OpAdd, false
}

// looksLikePhone reports a mobile or telephone number: 7 to 15 digits,
// with optional +, spaces, dashes and brackets.
func looksLikePhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' || r == '-' || r == ' ' || r == '(' || r == ')':
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 15
}

// phoneDigits keeps the digits of a phone number, without a leading 86.
func phoneDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if len(d) == 13 && strings.HasPrefix(d, "86") {
		d = d[2:]
	}
	return d
}

// externalIDPattern is how WeCom external_userids look (wm…/wo… and long).
var externalIDPattern = regexp.MustCompile(`^w[mo][A-Za-z0-9_-]{14,}$`)

// looksLikeID reports an external_userid.
func looksLikeID(s string) bool { return externalIDPattern.MatchString(s) }

// datePattern is a date written year first (2026-11-01, 2026/11/1 10:30,
// 2026年11月1日): checked before looksLikePhone, which its digits and
// dashes would also pass.
var datePattern = regexp.MustCompile(`^(19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}日?([ T].*)?$`)

// looksLikeDate reports a date or time, as a shifted date column leaves.
func looksLikeDate(s string) bool {
	if len(s) < 8 {
		return false
	}
	digits, seps := 0, 0
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			digits++
		case strings.ContainsRune("-/.: 年月日T", r):
			seps++
		default:
			return false
		}
	}
	return digits >= 6 && seps >= 2
}

// misplacedInTagColumn says why value cannot be a tag name ("" when it
// can): the values of other columns shifted into the tag column.
func misplacedInTagColumn(value string) string {
	switch {
	case datePattern.MatchString(value):
		return "标签列里是日期，疑似整行错位"
	case looksLikePhone(value):
		return "标签列里是手机号，疑似整行错位"
	case looksLikeID(value):
		return "标签列里是客户ID，疑似整行错位"
	case looksLikeDate(value):
		return "标签列里是日期，疑似整行错位"
	}
	return ""
}
