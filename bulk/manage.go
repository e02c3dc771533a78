package bulk

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/jobs"
	"github.com/tagbot/tagbot/store"
)

// Words of the /bulk forms that manage runs instead of starting one.
var (
	wordStop = map[string]bool{"stop": true, "cancel": true, "停止": true, "取消": true}
	wordList = map[string]bool{"list": true, "status": true, "进度": true, "列表": true}
)

// manage answers "/bulk list" and "/bulk stop <批次>"; ok is false for
// any other /bulk.
func (b *Bulk) manage(req *commands.ExtRequest) (replies []commands.Reply, ok bool, err error) {
	if len(req.Args) == 0 || req.Args[0].Kind != commands.Word {
		return nil, false, nil
	}
	word := strings.ToLower(req.Args[0].Value)
	switch {
	case wordList[word] && len(req.Args) == 1:
		r, err := b.list()
		return r, true, err
	case wordStop[word] && len(req.Args) == 2:
		r, err := b.stop(req, req.Args[1].Value)
		return r, true, err
	case wordStop[word] || wordList[word]:
		return nil, true, commands.UserErrorf(commands.CodeUsage, "用法：/bulk list 查看进行中的批量修改；/bulk stop bg-bulk-N 停止一个。")
	}
	return nil, false, nil
}

// list shows the runs not yet finished.
func (b *Bulk) list() ([]commands.Reply, error) {
	js, err := b.opts.Store.Jobs(true)
	if err != nil {
		return nil, fmt.Errorf("bulk: list jobs: %w", err)
	}
	var lines []string
	for _, j := range js {
		if j.Kind == Kind && j.State.Runnable() {
			lines = append(lines, fmt.Sprintf("%s（%s 发起）%s：%d%%，%d / %d", j.ID, display.Name(j.Actor), display.Line(j.Title, 80), jobs.Percent(j), j.Next, j.Total))
		}
	}
	if len(lines) == 0 {
		return []commands.Reply{{Text: "没有进行中的批量修改。"}}, nil
	}
	return []commands.Reply{{Text: "进行中的批量修改：\n" + strings.Join(lines, "\n") + "\n停止请发送 /bulk stop 批次号"}}, nil
}

// stop cancels a run: what was applied stays (undo it with its batch id).
// Managers stop their own runs; admins anyone's.
func (b *Bulk) stop(req *commands.ExtRequest, id string) ([]commands.Reply, error) {
	j, err := b.opts.Store.Job(id)
	if errors.Is(err, store.ErrNotFound) || err == nil && j.Kind != Kind {
		return nil, commands.UserErrorf(commands.CodeNotFound, "没有批量修改 %s。发送 /bulk list 查看进行中的。", display.Echo(id))
	}
	if err != nil {
		return nil, fmt.Errorf("bulk: read job: %w", err)
	}
	if j.Actor != req.UserID && req.Role != commands.RoleAdmin {
		return nil, commands.UserErrorf(commands.CodeDenied, "%s 是 %s 发起的，只有他本人或管理员可以停止。", j.ID, display.Name(j.Actor))
	}
	if !j.State.Runnable() {
		return nil, commands.UserErrorf(commands.CodeNoChange, "%s 已经结束了。整批撤销请发送 /undo %s", j.ID, j.ID)
	}
	c, err := b.opts.Store.CancelJob(id)
	if err != nil {
		return nil, fmt.Errorf("bulk: cancel: %w", err)
	}
	if err := b.opts.Store.MarkJobReported(id); err != nil {
		return nil, fmt.Errorf("bulk: cancel: %w", err)
	}
	return []commands.Reply{{Text: SummaryText(c)}}, nil
}
