package importer

import (
	"bytes"
	"encoding/csv"
)

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
