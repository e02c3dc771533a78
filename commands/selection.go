package commands

import (
	"strings"
)

// Selection names customers by their tags, as /export (and /find's tag
// form) reads it: every tag of Include, none of Exclude, and Text in the
// name or remark when set — over the tags of all the relationships of a
// customer the reader sees, taken together, as /stats counts
// (customerDir.selectIDs). 按标签选客户。
type Selection struct {
	Include, Exclude []string // tag names or ids as typed
	Text             string
}

// Words joining the terms of a selection (ignored) and negating the next.
var (
	selAnd = map[string]bool{"and": true, "且": true, "并且": true, "和": true, "&&": true}
	selNot = map[string]bool{"not": true, "非": true, "不含": true, "没有": true, "!": true}
	selOr  = map[string]bool{"or": true, "或": true, "或者": true, "||": true}
)

// ParseSelection reads a selection from command arguments:
// tag:A [and] tag:B [and] not tag:C [文字]. "not" (非, 不含) applies to the
// tag right after it; "and" (且, 和) may be written or left out; "or" is
// not supported. At least one tag must be included.
func ParseSelection(args []Token) (Selection, error) {
	var sel Selection
	var words []string
	negate := false
	for _, t := range args {
		word := strings.ToLower(t.Value)
		switch {
		case t.Kind == Filter && t.Key == "tag" && strings.TrimSpace(t.Value) == "":
			return Selection{}, userErr(CodeUsage, "tag: 后面要写标签名，例如 tag:高意向。")
		case t.Kind == Filter && t.Key == "tag":
			if negate {
				sel.Exclude = append(sel.Exclude, t.Value)
			} else {
				sel.Include = append(sel.Include, t.Value)
			}
			negate = false
			continue
		case negate:
			return Selection{}, userErr(CodeUsage, "not 后面要写 tag:标签，例如 not tag:已成交。")
		case t.Kind == Word && selAnd[word]:
		case t.Kind == Word && selNot[word]:
			negate = true
		case t.Kind == Word && selOr[word]:
			return Selection{}, userErr(CodeUsage, "暂不支持 or：请分两次，先写 tag:A，再写 tag:B。")
		case t.Kind == Word:
			words = append(words, t.Value)
		default:
			return Selection{}, userErr(CodeUsage, "看不懂「%s」。请写 tag:标签，可用 and、not 组合，例如 tag:高意向 and not tag:已成交。", clip(t.format(false)))
		}
	}
	if negate {
		return Selection{}, userErr(CodeUsage, "not 后面要写 tag:标签，例如 not tag:已成交。")
	}
	if len(sel.Include) == 0 {
		return Selection{}, userErr(CodeUsage, "请至少写一个要包含的标签，例如 tag:高意向 and not tag:已成交。")
	}
	sel.Text = strings.Join(words, " ")
	return sel, nil
}
