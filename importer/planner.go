package importer

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/tagmatch"
)

// planner holds a dry run's state while rows stream through it.
type planner struct {
	o         Options
	lib       *library
	employees map[string]bool
	pending   map[relRef]*pending
	order     []relRef
	unknown   map[string]*UnknownTag
	unkOrder  []string
	bad       []Issue
	denied    []Issue
	unknownC  []Issue
	matcher   *tagmatch.Matcher
}

type relRef struct{ customer, follower string }

// pending is what the rows so far ask of one relationship.
type pending struct {
	row    int
	name   string
	add    []store.Tag
	remove []store.Tag
	rows   map[string][]int // by tagKey: the rows asking for the tag's change
}

func newPlanner(o Options) (*planner, error) {
	if o.Store == nil || o.Policy == nil {
		return nil, fmt.Errorf("importer: Store and Policy are required")
	}
	tags, err := o.Store.Tags(false)
	if err != nil {
		return nil, err
	}
	if v, ok := o.Policy.(TagSeer); ok { // a tag hidden from the user is an unknown name
		tags = v.VisibleTags(tags)
	}
	emps, err := o.Store.Employees()
	if err != nil {
		return nil, err
	}
	pl := &planner{o: o, lib: newLibrary(tags), matcher: tagmatch.New(tags, o.Synonyms), employees: map[string]bool{}, pending: map[relRef]*pending{}, unknown: map[string]*UnknownTag{}}
	for _, e := range emps {
		pl.employees[e] = true
	}
	return pl, nil
}

// rowTag is one tag a row names: a library tag, or an unknown name.
type rowTag struct {
	tag     store.Tag
	unknown *UnknownTag
}

// row checks one data row and merges what it asks into pending.
func (pl *planner) row(h *Header, line int, cells []string, format string) error {
	if iss, ok := shape(h, line, cells, format); !ok {
		pl.bad = append(pl.bad, iss)
		return nil
	}
	get := func(f Field) string {
		if i := h.Col(f); i >= 0 && i < len(cells) {
			return strings.TrimSpace(cells[i])
		}
		return ""
	}
	bad := func(f Field, value, msg string) {
		pl.bad = append(pl.bad, Issue{Row: line, Column: h.Cells[h.Col(f)], Value: value, Msg: msg})
	}
	for i, c := range cells {
		if !utf8.ValidString(c) || strings.ContainsRune(c, utf8.RuneError) {
			pl.bad = append(pl.bad, Issue{Row: line, Column: colName(h, i), Msg: "有无法识别的字符：请把文件另存为 UTF-8 或 GBK 的 CSV，或 XLSX"})
			return nil
		}
		if utf8.RuneCountInString(c) > MaxCellRunes {
			pl.bad = append(pl.bad, Issue{Row: line, Column: colName(h, i), Msg: fmt.Sprintf("单元格超过 %d 字：请检查这一格是否填错", MaxCellRunes)})
			return nil
		}
	}
	before := len(pl.bad)
	op, ok := parseOp(get(FieldOp))
	if !ok {
		bad(FieldOp, get(FieldOp), "操作只能填 add/remove（添加/删除），疑似错位")
	}
	id, mobile, name, follower, group := get(FieldCustomerID), get(FieldMobile), get(FieldName), get(FieldFollower), get(FieldGroup)
	if mobile != "" && !looksLikePhone(mobile) {
		bad(FieldMobile, mobile, "手机号列不是手机号，疑似错位")
	}
	if id != "" && (looksLikePhone(id) || pl.lib.isTag(id)) {
		bad(FieldCustomerID, id, "客户ID列不像客户ID，疑似错位")
	}
	if name != "" && looksLikePhone(name) {
		bad(FieldName, name, "客户名称列里是手机号，疑似错位")
	}
	if follower != "" && !pl.employees[follower] {
		bad(FieldFollower, follower, "跟进人不存在（填员工的 userid）")
	}
	if group != "" && !pl.lib.groups[group] {
		msg := "没有这个标签组"
		if pl.lib.isTag(group) {
			msg = "标签组列里是标签名，疑似错位"
		}
		bad(FieldGroup, group, msg)
	}
	tags := pl.rowTags(h, line, cells, group)
	if len(pl.bad) > before {
		return nil
	}
	c, ok, err := pl.customer(line, id, mobile, name, follower)
	if err != nil || !ok {
		return err
	}
	if name != "" && pl.lib.isTag(name) && c.Name != name {
		bad(FieldName, name, "客户名称列里是标签名，疑似错位")
		return nil
	}
	if name != "" && (id != "" || mobile != "") {
		same, err := pl.namesCustomer(c, name)
		if err != nil {
			return err
		}
		if !same {
			by := "手机号"
			if id != "" {
				by = "客户ID"
			}
			bad(FieldName, name, fmt.Sprintf("%s属于 %s，名称写的是 %s，疑似错位", by, c.Name, name))
			return nil
		}
	}
	rels := pl.relationships(line, c, follower)
	for _, r := range rels {
		pl.merge(line, c, r, op, tags)
	}
	return nil
}

// shape checks the row's cell count against the header: more or fewer
// cells than headers is a shifted row. XLSX rows end at their last
// non-empty cell, so only extra non-empty cells count there; extra empty
// cells (a trailing comma) never do.
func shape(h *Header, line int, cells []string, format string) (Issue, bool) {
	n := len(h.Cells)
	if len(cells) > n && !blank(cells[n:]) {
		return Issue{Row: line, Msg: fmt.Sprintf("本行有 %d 格，表头只有 %d 列，疑似错位", lastFilled(cells), n)}, false
	}
	if format == "csv" && len(cells) < n {
		return Issue{Row: line, Msg: fmt.Sprintf("本行只有 %d 格，表头有 %d 列，疑似错位", len(cells), n)}, false
	}
	return Issue{}, true
}

func lastFilled(cells []string) int {
	for i := len(cells) - 1; i >= 0; i-- {
		if strings.TrimSpace(cells[i]) != "" {
			return i + 1
		}
	}
	return 0
}

func colName(h *Header, i int) string {
	if i < len(h.Cells) {
		return h.Cells[i]
	}
	return fmt.Sprintf("第 %d 列", i+1)
}

// rowTags resolves the row's tag cells: the 标签 column (in the 标签组
// column's group when given) and each column headed by a group name.
// A value that cannot be a tag, or a tag of another group than its
// column's, is a bad row.
func (pl *planner) rowTags(h *Header, line int, cells []string, group string) []rowTag {
	var out []rowTag
	for i, f := range h.Field {
		if (f != FieldTags && f != FieldGroupTags) || i >= len(cells) {
			continue
		}
		g := group
		if f == FieldGroupTags {
			g = h.Group[i]
		}
		for _, name := range splitTags(cells[i]) {
			if msg := misplacedInTagColumn(name); msg != "" {
				pl.bad = append(pl.bad, Issue{Row: line, Column: h.Cells[i], Value: name, Msg: msg})
				continue
			}
			in, elsewhere := pl.lib.find(name, g)
			switch {
			case len(in) == 1:
				out = append(out, rowTag{tag: in[0]})
			case len(in) > 1:
				pl.bad = append(pl.bad, Issue{Row: line, Column: h.Cells[i], Value: name, Msg: "多个标签组都有这个标签，请填「标签组」列"})
			case len(elsewhere) > 0:
				pl.bad = append(pl.bad, Issue{Row: line, Column: h.Cells[i], Value: name,
					Msg: fmt.Sprintf("「%s」属于标签组「%s」，不属于「%s」，疑似错位", name, elsewhere[0].GroupName, g)})
			default:
				u := pl.unknownTag(line, name, g)
				u.Rows++
				out = append(out, rowTag{unknown: u})
			}
		}
	}
	return out
}

// maxSuggestions is how many tags are proposed for an unknown name.
const maxSuggestions = 3

// unknownTag records a name the library lacks, with its proposals: in a
// group's column (or with a 标签组) only tags of that group.
func (pl *planner) unknownTag(line int, name, group string) *UnknownTag {
	key := group + "/" + name
	if u, ok := pl.unknown[key]; ok {
		return u
	}
	u := &UnknownTag{Key: key, Name: name, Group: group, FirstRow: line, Choice: pl.o.Choices[key]}
	for _, m := range pl.matcher.Nearest(name, 0) {
		if len(u.Suggestions) == maxSuggestions {
			break
		}
		if group == "" || m.Tag.GroupName == group {
			u.Suggestions = append(u.Suggestions, Suggestion(m))
		}
	}
	pl.unknown[key] = u
	pl.unkOrder = append(pl.unkOrder, key)
	return u
}

// namesCustomer reports whether name is c's name or a follower's remark
// for c: a row found by id or mobile whose name disagrees is shifted.
func (pl *planner) namesCustomer(c store.Customer, name string) (bool, error) {
	if name == c.Name {
		return true, nil
	}
	for _, f := range c.Followers {
		rel, err := pl.o.Store.Relationship(c.ID, f)
		if err != nil {
			return false, err
		}
		if rel.Remark == name {
			return true, nil
		}
	}
	return false, nil
}
