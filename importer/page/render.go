package page

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"sort"

	"github.com/tagbot/tagbot/importer"
	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

//go:embed templates/page.html
var templateFS embed.FS

// listLimit is how many lines of each list the page shows; the report
// has them all.
const listLimit = 50

var pageTmpl = template.Must(template.New("page.html").Funcs(template.FuncMap{
	"name": display.Name,
	"tags": importer.TagNames,
	"pct":  func(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) },
	"issues": func(l []importer.Issue) []importer.Issue {
		return l[:min(len(l), listLimit)]
	},
	"changes": func(l []importer.Change) []importer.Change {
		return l[:min(len(l), listLimit)]
	},
	"more":  func(n int) int { return max(n-listLimit, 0) },
	"inc":   func(i int) int { return i + 1 },
	"score": func(f float64) string { return fmt.Sprintf("%.0f%%", 100*f) },
	"failed": func(m map[string]int) []string {
		var out []string
		for why, n := range m {
			out = append(out, fmt.Sprintf("%s：%d", why, n))
		}
		sort.Strings(out)
		return out
	},
}).ParseFS(templateFS, "templates/page.html"))

// view is what page.html shows.
type view struct {
	Title   string
	Refused bool
	Message string // a refusal's text, or an error above the form
	User    string
	Path    string // /import/l/<token>
	CSRF    string
	File    string
	Plan    *importer.Plan
	PlanID  string
	Choices map[string]importer.Choice
	Create  bool
	MaxMB   int64
	Job     *store.Job
}

// Chosen reports the form value of an unknown tag's choice.
func (v view) Chosen(u importer.UnknownTag) string {
	c := v.Choices[u.Key]
	switch {
	case c.Use != "":
		return "use:" + c.Use
	case c.Create:
		return "create"
	}
	return ""
}

func (s *Server) render(w http.ResponseWriter, status int, v view) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	if err := pageTmpl.Execute(w, v); err != nil {
		s.log.Warn("import page not rendered", "err", err)
	}
}

func (s *Server) refuse(w http.ResponseWriter, r refusal) {
	s.render(w, r.status, view{Title: r.title, Refused: true, Message: r.msg})
}

func (s *Server) internal(w http.ResponseWriter, err error) {
	s.log.Error("import page", "err", err)
	s.refuse(w, refusal{http.StatusInternalServerError, "内部错误", "内部错误，请稍后再试。"})
}

// renderPlan shows the upload form and, once a file is read, its dry run.
func (s *Server) renderPlan(w http.ResponseWriter, r *http.Request, a *access, ss *session, status int, msg string) {
	s.render(w, status, view{Title: "导入客户标签", Message: msg, User: a.link.User, Path: "/import/l/" + r.PathValue("token"),
		CSRF: ss.csrf, File: ss.name, Plan: ss.plan, PlanID: ss.planID, Choices: ss.choices, Create: s.canCreate(a),
		MaxMB: s.o.Config.Import.MaxBytes >> 20})
}

// renderJob shows the confirmed import's progress (refreshing itself).
func (s *Server) renderJob(w http.ResponseWriter, r *http.Request, a *access) {
	job, err := s.o.Store.Job(a.link.Batch)
	if err != nil {
		s.internal(w, err)
		return
	}
	s.render(w, http.StatusOK, view{Title: "导入进度", User: a.link.User, Path: "/import/l/" + r.PathValue("token"), Job: &job})
}
