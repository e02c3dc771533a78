package statusview

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/mirror"
	"github.com/tagbot/tagbot/store"
)

// Source builds views inside serve: the store's counts and the worker's
// live figures.
type Source struct {
	Store *store.Store
	// Live reports the worker's live figures; nil when no worker runs.
	Live func() mirror.Live
	// Limit is the configured mark_tag rate per minute.
	Limit int
	Now   func() time.Time
}

// View builds the current view.
func (s *Source) View() (View, error) {
	var live *mirror.Live
	if s.Live != nil {
		l := s.Live()
		live = &l
	}
	return Build(s.Store, live, s.Limit, s.Now())
}

// Handler serves the view as JSON (GET /admin/status, for `tagbot status`).
func (s *Source) Handler(log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		v, err := s.View()
		if err != nil {
			log.Error("status: read the outbox counts", "err", err)
			http.Error(w, "status failed (see the serve log)", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	})
}

// Commands implements commands.Extension: /status (别名 /队列, /进度).
// Managers and admins see the whole queue and every batch; an employee
// sees the queue's totals (how long their changes will wait), their own
// changes still to be sent and the batches they started.
func (s *Source) Commands() []commands.ExtCommand {
	return []commands.ExtCommand{{
		Name: "status", Aliases: []string{"队列", "进度"}, Usage: "/status",
		Summary: "企业微信同步队列：待发、完成、失败、速率和预计时间",
		Help:    "/status 显示标签变更同步到企业微信的进度：待发送、发送中、已完成、按错误码的失败、当前速率、预计完成时间，以及每个批次的进度。主管看全部，员工看总数和自己的变更。",
		MinRole: commands.RoleEmployee,
		Run:     s.run,
	}}
}

var _ commands.Extension = (*Source)(nil)

// run answers /status.
func (s *Source) run(_ context.Context, req *commands.ExtRequest) ([]commands.Reply, error) {
	if len(req.Args) > 0 {
		return nil, commands.UserErrorf(commands.CodeUsage, "/status 不带参数，直接发送 /status 即可。")
	}
	v, err := s.View()
	if err != nil {
		return nil, err
	}
	if req.Role.AtLeast(commands.RoleManager) {
		return []commands.Reply{{Text: Text(v)}}, nil
	}
	mine, err := s.mine(req.UserID)
	if err != nil {
		return nil, err
	}
	text := Text(v.Only(req.UserID)) + fmt.Sprintf("\n你的变更还有 %d 条待同步到企业微信。", mine)
	return []commands.Reply{{Text: text}}, nil
}

// mine counts the user's own pending interactive entries.
func (s *Source) mine(userID string) (int, error) {
	list, err := s.Store.OutboxLane(false, 0, 0)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range list {
		if e.Actor == userID {
			n++
		}
	}
	return n, nil
}
