package commands

import (
	"fmt"
	"strings"

	"github.com/tagbot/tagbot/store"
)

// triggeredText tells what the tag triggers did because of change-set id
// (store.SetTriggers), one line each: "\n触发器「成交去掉报价」：移除「已报价」".
// Empty when they did nothing, or the ledger cannot say. Only what v may
// see is told: hidden tags are left out, and a change-set touching only
// hidden tags is not mentioned at all.
func (r *Router) triggeredText(id store.ID, v Viewer) string {
	caused, err := r.st.Caused(id)
	if err != nil || len(caused) == 0 {
		return ""
	}
	var b strings.Builder
	for _, cs := range caused {
		cs, ok := v.ShowChange(cs)
		if !ok {
			continue
		}
		var did []string
		if len(cs.Add) > 0 {
			did = append(did, "添加"+refNames(cs.Add))
		}
		if len(cs.Remove) > 0 {
			did = append(did, "移除"+refNames(cs.Remove))
		}
		name, _, _ := strings.Cut(cs.Reason, "：")
		fmt.Fprintf(&b, "\n%s：%s（变更 #%d）", name, strings.Join(did, "，"), cs.ID)
	}
	if b.Len() == 0 {
		return ""
	}
	b.WriteString("\n/undo 会一并撤销。")
	return b.String()
}
