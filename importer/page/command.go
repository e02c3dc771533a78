package page

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/importer"
	"github.com/tagbot/tagbot/jobs"
	"github.com/tagbot/tagbot/store"
)

// Commands is /import: a one-time upload link, or with "template" the
// template file.
func (s *Server) Commands() []commands.ExtCommand {
	return []commands.ExtCommand{{
		Name: "import", Aliases: []string{"导入"}, Usage: "/import [template]",
		Summary: "从表格（CSV/XLSX）批量导入客户标签：先预览，确认后执行",
		Help: "/import 回复一个 30 分钟内有效、只限本人使用的上传链接：上传 CSV 或 XLSX，先看预览（将修改、未找到的客户、未知标签、错位的行），" +
			"确认后作为一批执行，可用 /undo 撤销。/import template 发送模板。员工只能导入自己跟进的客户。",
		MinRole: commands.RoleEmployee, Writes: true,
		Run: s.run,
	}}
}

func (s *Server) run(_ context.Context, req *commands.ExtRequest) ([]commands.Reply, error) {
	if len(req.Args) > 0 {
		switch strings.ToLower(req.Args[0].Value) {
		case "template", "模板":
			return []commands.Reply{{Text: "导入模板（CSV，UTF-8）：填客户ID、手机号或客户名称之一，标签可用逗号分隔多个。填好后发送 /import 获取上传链接。",
				File: &commands.Attachment{Name: "tagbot-import-template.csv", Data: importer.TemplateCSV(),
					Fallback: "模板未能发送：请在上传页面点「下载模板」。"}}}, nil
		}
		return nil, commands.UserErrorf(commands.CodeUsage, "用法：/import 获取上传链接，/import template 获取模板。")
	}
	url, expires, err := s.NewLink(req.UserID, req.Role)
	if err != nil {
		return nil, err
	}
	mins := int(expires.Sub(req.Now).Minutes() + 0.5)
	return []commands.Reply{{Text: fmt.Sprintf("上传表格：%s\n%d 分钟内有效，只限你本人使用。上传后先预览，确认后才执行。模板：/import template", url, mins)}}, nil
}

// JobProgress reports an import job to its actor in chat
// (jobs.Runner.Handle(importer.JobKind, …)): its progress while it runs,
// when due (jobs.Throttle: every 10% or every minute), then its summary,
// after which it marks the job reported.
func (s *Server) JobProgress(j store.Job) {
	if j.State.Runnable() {
		if s.throttle.Due(j, s.o.Now()) {
			s.o.Deliver(context.Background(), j.Actor, []commands.Reply{{Text: fmt.Sprintf(
				"导入 %s 进度 %d%%：已处理 %d / %d（修改 %d，已一致跳过 %d，失败 %d）。完成后发送结果。",
				j.ID, jobs.Percent(j), j.Next, j.Total, j.Applied, j.Skipped, j.FailedN)}})
		}
		return
	}
	if j.State == store.JobCreating || j.Reported {
		return
	}
	s.throttle.Forget(j.ID)
	var b strings.Builder
	fmt.Fprintf(&b, "导入%s（%s）：修改 %d 个客户关系，已一致跳过 %d 个，失败 %d 个。", map[bool]string{true: "完成", false: "已停止"}[j.State == store.JobDone],
		j.ID, j.Applied, j.Skipped, j.FailedN)
	reasons := make([]string, 0, len(j.Failed))
	for why, n := range j.Failed {
		reasons = append(reasons, fmt.Sprintf("%s %d", why, n))
	}
	sort.Strings(reasons)
	if len(reasons) > 0 {
		fmt.Fprintf(&b, "\n失败原因：%s。", strings.Join(reasons, "；"))
	}
	fmt.Fprintf(&b, "\n撤销整批：/undo %s", j.ID)
	s.o.Deliver(context.Background(), j.Actor, []commands.Reply{{Text: b.String()}})
	if err := s.o.Store.MarkJobReported(j.ID); err != nil {
		s.log.Warn("import job not marked reported", "job", j.ID, "err", err)
	}
}
