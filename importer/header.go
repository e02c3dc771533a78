package importer

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// Field is what a column holds.
type Field int

// Fields a header can name. FieldGroupTags is a column headed by a tag
// group's name: its cells are tags of that group.
const (
	FieldNone Field = iota
	FieldCustomerID
	FieldName
	FieldMobile
	FieldRemark
	FieldTags
	FieldGroup
	FieldOp
	FieldFollower
	FieldGroupTags
)

// fieldNames are the header names of each field, Chinese and English,
// compared after foldHeader.
var fieldNames = map[Field][]string{
	FieldCustomerID: {"客户id", "外部联系人id", "外部联系人userid", "external_userid", "externaluserid", "customer_id", "customerid"},
	FieldName:       {"客户名称", "客户名", "客户姓名", "客户", "姓名", "名称", "name", "customer_name", "customer"},
	FieldMobile:     {"手机号", "手机号码", "手机", "电话", "联系电话", "mobile", "phone"},
	FieldRemark:     {"备注", "备注名", "remark"},
	FieldTags:       {"标签", "标签名", "标签名称", "tag", "tags", "tag_name"},
	FieldGroup:      {"标签组", "标签分组", "标签组名", "group", "tag_group", "taggroup"},
	FieldOp:         {"操作", "动作", "op", "action", "operation"},
	FieldFollower:   {"跟进人", "跟进人id", "跟进人userid", "跟进员工", "负责人", "userid", "follower", "owner"},
}

// fieldByName is fieldNames inverted.
var fieldByName = func() map[string]Field {
	m := map[string]Field{}
	for f, names := range fieldNames {
		for _, n := range names {
			m[n] = f
		}
	}
	return m
}()

// Label is the field's Chinese column name, as the template and reports
// write it.
func (f Field) Label() string {
	switch f {
	case FieldCustomerID:
		return "客户ID"
	case FieldGroupTags:
		return "标签组列"
	case FieldNone:
		return "（忽略）"
	}
	return fieldNames[f][0]
}

// Header is the meaning of a file's columns.
type Header struct {
	Cells []string // the header cells as written
	Field []Field  // per column; FieldNone for columns ignored
	Group []string // per column: the tag group of a FieldGroupTags column
	col   map[Field]int
}

// Col is the column index of a field, -1 when the file has none (for
// FieldGroupTags, use Field and Group).
func (h *Header) Col(f Field) int {
	if i, ok := h.col[f]; ok {
		return i
	}
	return -1
}

// Ignored lists the headers of columns that are not read.
func (h *Header) Ignored() []string {
	var out []string
	for i, f := range h.Field {
		if f == FieldNone && strings.TrimSpace(h.Cells[i]) != "" {
			out = append(out, h.Cells[i])
		}
	}
	return out
}

// HeaderError is a header the importer cannot use; Msg is Chinese and says
// what to fix.
type HeaderError struct{ Msg string }

func (e *HeaderError) Error() string { return e.Msg }

// ParseHeader maps header cells to fields by name, Chinese or English
// (width, case, spaces and punctuation folded); a cell naming one of
// groups (the live tag groups) is a column of that group's tags. A file
// needs a way to find customers (客户ID, 手机号 or 客户名称) and at least
// one tag column.
func ParseHeader(cells []string, groups []string) (*Header, error) {
	h := &Header{Cells: cells, Field: make([]Field, len(cells)), Group: make([]string, len(cells)), col: map[Field]int{}}
	byGroup := map[string]string{}
	for _, g := range groups {
		byGroup[foldHeader(g)] = g
	}
	for i, c := range cells {
		key := foldHeader(c)
		if key == "" {
			continue
		}
		f, ok := fieldByName[key]
		if !ok {
			if g, isGroup := byGroup[key]; isGroup {
				h.Field[i], h.Group[i] = FieldGroupTags, g
			}
			continue
		}
		if j, dup := h.col[f]; dup {
			return nil, &HeaderError{fmt.Sprintf("表头第 %d 列和第 %d 列都是「%s」，请只保留一列", j+1, i+1, f.Label())}
		}
		h.Field[i], h.col[f] = f, i
	}
	if h.Col(FieldCustomerID) < 0 && h.Col(FieldMobile) < 0 && h.Col(FieldName) < 0 {
		return nil, &HeaderError{"表头缺少找客户的列：需要「客户ID」「手机号」或「客户名称」之一。可用 /import template 下载模板"}
	}
	if h.Col(FieldTags) < 0 && !h.hasGroupColumns() {
		return nil, &HeaderError{"表头缺少「标签」列（或以标签组名为表头的列）。可用 /import template 下载模板"}
	}
	return h, nil
}

func (h *Header) hasGroupColumns() bool {
	for _, f := range h.Field {
		if f == FieldGroupTags {
			return true
		}
	}
	return false
}

// foldHeader folds a header cell for matching: full-width to half-width,
// lower case, without spaces, punctuation other than '_', or a trailing
// explanation in brackets ("手机号（选填）").
func foldHeader(s string) string {
	s = width.Fold.String(s)
	if i := strings.IndexAny(s, "(["); i > 0 {
		s = s[:i]
	}
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case r == '\ufeff' || unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
