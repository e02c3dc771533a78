package page

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/importer"
	"github.com/tagbot/tagbot/store"
)

// template serves the import template (CSV, UTF-8 with BOM).
func (s *Server) template(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="tagbot-import-template.csv"`)
	w.Write(importer.TemplateCSV())
}

// show is the link's page: upload form, current dry run, or the job.
func (s *Server) show(w http.ResponseWriter, r *http.Request) {
	a, ref := s.admit(w, r, true)
	if ref != nil {
		s.refuse(w, *ref)
		return
	}
	if a.link.Used {
		s.renderJob(w, r, a)
		return
	}
	ss, err := s.session(a)
	if err != nil {
		s.internal(w, err)
		return
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s.renderPlan(w, r, a, ss, http.StatusOK, "")
}

// upload reads the file and shows its dry run.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	a, ss, ok := s.post(w, r, s.o.Config.Import.MaxBytes+64<<10)
	if !ok {
		return
	}
	defer ss.mu.Unlock()
	f, hdr, err := r.FormFile("file")
	if err != nil {
		s.renderPlan(w, r, a, ss, http.StatusBadRequest, "请选择要上传的 CSV 或 XLSX 文件。")
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, s.o.Config.Import.MaxBytes+1))
	if err != nil || int64(len(data)) > s.o.Config.Import.MaxBytes {
		s.renderPlan(w, r, a, ss, http.StatusRequestEntityTooLarge, fmt.Sprintf("文件太大：最多 %d MB。", s.o.Config.Import.MaxBytes>>20))
		return
	}
	ss.name, ss.file, ss.choices, ss.plan = hdr.Filename, data, nil, nil
	if !s.replan(w, r, a, ss) {
		return
	}
	s.o.Deliver(r.Context(), a.link.User, []commands.Reply{{Text: fmt.Sprintf("表格「%s」预览：\n%s\n请在页面上核对后点「确认导入」。",
		ss.displayName(), ss.plan.Summary())}})
	s.renderPlan(w, r, a, ss, http.StatusOK, "")
}

// preview plans the file again with the choices made for unknown tags.
func (s *Server) preview(w http.ResponseWriter, r *http.Request) {
	a, ss, ok := s.post(w, r, 1<<20)
	if !ok {
		return
	}
	defer ss.mu.Unlock()
	if ss.plan == nil {
		s.renderPlan(w, r, a, ss, http.StatusBadRequest, "请先上传文件。")
		return
	}
	ss.choices = choicesOf(r, ss.plan, s.canCreate(a))
	if s.replan(w, r, a, ss) {
		s.renderPlan(w, r, a, ss, http.StatusOK, "")
	}
}

// confirm submits the dry run shown (plan id) as a durable job.
func (s *Server) confirm(w http.ResponseWriter, r *http.Request) {
	a, ss, ok := s.post(w, r, 1<<20)
	if !ok {
		return
	}
	defer ss.mu.Unlock()
	if ss.plan == nil || r.PostFormValue("plan") != ss.planID {
		s.renderPlan(w, r, a, ss, http.StatusConflict, "预览已更新，请核对下面的最新预览后再确认。")
		return
	}
	req := s.router.ExtRequestFor(a.link.User, a.role, s.o.Now())
	job, err := importer.Submit(r.Context(), ss.plan, importer.SubmitOptions{Store: s.o.Store, Policy: Policy{Req: req},
		Title: ss.displayName(), Creator: s.o.Creator, Lock: req.LockWrites})
	switch {
	case errors.Is(err, importer.ErrBlocked):
		s.renderPlan(w, r, a, ss, http.StatusConflict, "有误的行太多，不能导入：请改正文件后重新上传。")
		return
	case errors.Is(err, importer.ErrCannotCreate):
		s.renderPlan(w, r, a, ss, http.StatusForbidden, "你现在不能新建标签：请把新标签改为跳过或改用已有标签，再确认。")
		return
	case errors.Is(err, store.ErrNoChange):
		s.renderPlan(w, r, a, ss, http.StatusConflict, "没有需要修改的客户了：表格里的标签和现在一致。")
		return
	case err != nil:
		s.internal(w, err)
		return
	}
	if err := s.o.Store.UseImportLink(a.hash, job.ID); err != nil {
		s.internal(w, err)
		return
	}
	req.Kick()
	if s.o.Jobs != nil {
		s.o.Jobs.Wake()
	}
	s.drop(a.hash)
	s.log.Info("import confirmed", "user", a.link.User, "job", job.ID, "rows", job.Total)
	s.o.Deliver(r.Context(), a.link.User, []commands.Reply{{Text: fmt.Sprintf(
		"已开始导入（批次 %s，%d 个客户关系），在后台按企业微信的频率执行，完成后通知你。撤销整批：/undo %s", job.ID, job.Total, job.ID)}})
	http.Redirect(w, r, "/import/l/"+r.PathValue("token"), http.StatusSeeOther)
}

// report downloads the current dry run as CSV.
func (s *Server) report(w http.ResponseWriter, r *http.Request) {
	a, ref := s.admit(w, r, false)
	if ref != nil {
		s.refuse(w, *ref)
		return
	}
	ss, err := s.session(a)
	if err != nil {
		s.internal(w, err)
		return
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.plan == nil {
		s.refuse(w, refuseStale)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="tagbot-import-report.csv"`)
	if err := ss.plan.WriteReport(w); err != nil {
		s.log.Warn("import report not written", "err", err)
	}
}

// uploadTimeout is how long reading an upload may take.
const uploadTimeout = 3 * time.Minute

// post admits a POST from the browser that claimed the link, with the
// session's CSRF token; the session comes back locked.
func (s *Server) post(w http.ResponseWriter, r *http.Request, maxBytes int64) (*access, *session, bool) {
	a, ref := s.admit(w, r, false)
	if ref != nil {
		s.refuse(w, *ref)
		return nil, nil, false
	}
	if a.link.Used {
		http.Redirect(w, r, "/import/l/"+r.PathValue("token"), http.StatusSeeOther)
		return nil, nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBytes)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		// A phone may take longer than the server's ReadTimeout (meant for
		// callbacks) to send a 20 MB file. A socket deadline: the real clock.
		if err := http.NewResponseController(w).SetReadDeadline(time.Now().Add(uploadTimeout)); err != nil {
			s.log.Debug("upload read deadline not extended", "err", err)
		}
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			s.refuse(w, refusal{http.StatusRequestEntityTooLarge, "文件太大", fmt.Sprintf("文件太大：最多 %d MB。", s.o.Config.Import.MaxBytes>>20)})
			return nil, nil, false
		}
	}
	ss, err := s.session(a)
	if err != nil {
		s.internal(w, err)
		return nil, nil, false
	}
	ss.mu.Lock()
	if r.PostFormValue("csrf") != ss.csrf {
		ss.mu.Unlock()
		s.refuse(w, refuseStale)
		return nil, nil, false
	}
	return a, ss, true
}

// replan runs the dry run; a file it cannot read is shown on the page.
func (s *Server) replan(w http.ResponseWriter, r *http.Request, a *access, ss *session) bool {
	err := s.dryRun(a, ss)
	var he *importer.HeaderError
	var tb *importer.TooBigError
	switch {
	case err == nil:
		return true
	case errors.As(err, &he):
		s.renderPlan(w, r, a, ss, http.StatusBadRequest, he.Msg)
	case errors.As(err, &tb):
		s.renderPlan(w, r, a, ss, http.StatusRequestEntityTooLarge, tb.Error()+"。请删掉多余的内容，或另存为 CSV 再上传。")
	case errors.Is(err, importer.ErrFormat):
		s.renderPlan(w, r, a, ss, http.StatusBadRequest, "读不了这个文件：请上传 CSV（UTF-8 或 GBK）或 XLSX。")
	case errors.Is(err, importer.ErrTooManyRows):
		s.renderPlan(w, r, a, ss, http.StatusBadRequest, fmt.Sprintf("行数太多：一次最多 %d 行，请分成几个文件。", s.o.Config.Import.MaxRows))
	default:
		s.renderPlan(w, r, a, ss, http.StatusBadRequest, "读不了这个文件："+err.Error())
	}
	ss.plan = nil
	return false
}

// choicesOf reads the unknown-tag choices: u<i> is "use:<tag id>" (one
// of the tags proposed for it, else ignored), "create" or empty (skip)
// for the plan's i-th unknown tag.
func choicesOf(r *http.Request, p *importer.Plan, canCreate bool) map[string]importer.Choice {
	out := map[string]importer.Choice{}
	for i, u := range p.UnknownTags {
		v := r.PostFormValue("u" + strconv.Itoa(i))
		switch {
		case strings.HasPrefix(v, "use:") && u.Proposed(strings.TrimPrefix(v, "use:")):
			out[u.Key] = importer.Choice{Use: strings.TrimPrefix(v, "use:")}
		case v == "create" && canCreate:
			out[u.Key] = importer.Choice{Create: true, Group: u.Group}
		}
	}
	return out
}

// canCreate: creating tags is for managers and admins, with a creator.
func (s *Server) canCreate(a *access) bool {
	return s.o.Creator != nil && a.role.AtLeast(commands.RoleManager)
}

func (ss *session) displayName() string {
	if ss.name == "" {
		return "表格"
	}
	return ss.name
}
