package importer

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

// Summary is the dry run in a few Chinese lines, for chat and the CLI.
func (p *Plan) Summary() string {
	add, remove := p.Tags()
	var b strings.Builder
	fmt.Fprintf(&b, "共 %d 行：将修改 %d 个客户关系（加 %d 个标签、去掉 %d 个），%d 个无需修改。\n", p.Rows, len(p.Changes), add, remove, p.Unchanged)
	fmt.Fprintf(&b, "未找到的客户 %d 行，未知标签 %d 个，无权限 %d 行，错位或有误 %d 行（%.1f%%）。",
		len(p.UnknownCustomers), len(p.UnknownTags), len(p.Denied), p.badRows(), 100*p.BadShare())
	if p.Blocked() {
		fmt.Fprintf(&b, "\n有误的行超过 %.0f%%，不会执行任何修改：请先改正文件再上传。", 100*p.MaxBadShare)
	}
	return b.String()
}

// TagNames joins tag names for display (created ones marked 新建).
func TagNames(tags []store.Tag) string {
	names := make([]string, len(tags))
	for i, t := range tags {
		names[i] = display.Name(t.Name)
		if t.ID == "" {
			names[i] += "（新建）"
		}
	}
	return strings.Join(names, "、")
}

// reportHeader is the report's first row.
var reportHeader = []string{"行号", "结果", "列", "值", "客户", "跟进人", "添加", "移除", "说明"}

// WriteReport writes the dry run as CSV (UTF-8 with BOM, so Excel opens
// it): one line per change, unknown customer, denied and bad row, then one
// per unknown tag with its proposals. Cells that a spreadsheet would run
// as a formula are prefixed with a quote.
func (p *Plan) WriteReport(w io.Writer) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	write := func(rec ...string) {
		for i := range rec {
			rec[i] = safeCell(rec[i])
		}
		cw.Write(rec)
	}
	write(reportHeader...)
	for _, c := range p.Changes {
		write(strconv.Itoa(c.Row), "将修改", "", "", c.Name+" "+c.Customer, c.Follower, TagNames(c.Add), TagNames(c.Remove), "")
	}
	issues := func(kind string, list []Issue) {
		for _, is := range list {
			write(strconv.Itoa(is.Row), kind, is.Column, is.Value, "", "", "", "", is.Msg)
		}
	}
	issues("错位或有误", p.Bad)
	issues("未找到客户", p.UnknownCustomers)
	issues("无权限", p.Denied)
	for _, u := range p.UnknownTags {
		var sug []string
		for _, s := range u.Suggestions {
			sug = append(sug, s.Tag.Name)
		}
		write(strconv.Itoa(u.FirstRow), "未知标签", u.Group, u.Name, "", "", "", "", "最接近的已有标签："+strings.Join(sug, "、"))
	}
	cw.Flush()
	return cw.Error()
}

// safeCell defuses CSV formula injection.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// TemplateHeader is the template's header row; any of the English names
// (external_userid, mobile, tags, group, op, userid…) works as well.
var TemplateHeader = []string{"客户ID", "客户名称", "手机号", "标签", "标签组", "操作", "跟进人", "备注"}

// TemplateCSV is the import template as CSV in UTF-8 with BOM (Excel on
// Windows opens it without garbling the Chinese): the header, two example
// rows and a row of notes.
func TemplateCSV() []byte {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	w.Write(TemplateHeader)
	w.Write([]string{"wmXXXXXXXXXXXXXXXX", "张三", "13800138000", "高意向，北上广客户", "", "add", "zhangsan", "示例：填客户ID、手机号或客户名称之一即可"})
	w.Write([]string{"", "李四", "", "已流失", "客户状态", "remove", "lisi", "示例：操作填 add/remove（添加/删除），空为添加"})
	w.Flush()
	return b.Bytes()
}
