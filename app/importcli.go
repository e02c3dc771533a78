package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/schollz/progressbar/v3"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/importer"
	"github.com/tagbot/tagbot/importer/page"
	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

// ImportOptions are the flags of `tagbot import`.
type ImportOptions struct {
	File         string // the CSV or XLSX
	Apply        bool   // apply after the dry run (default: dry run only)
	As           string // import as this employee, with their role; "" is an admin
	UseSuggested bool   // unknown tags: use the nearest existing tag
	CreateTags   bool   // unknown tags without a nearest one: create them
	Report       string // write the dry run's CSV report here
	Quiet        bool   // no progress bar
}

// cliActor is the actor of an import run from the command line without --as.
const cliActor = "cli"

// Bind declares the flags on fs.
func (o *ImportOptions) Bind(fs *flag.FlagSet) {
	fs.BoolVar(&o.Apply, "apply", false, "apply after the dry run (default: dry run only)")
	fs.StringVar(&o.As, "as", "", "import as this employee userid, with their role and permissions (default: an admin)")
	fs.BoolVar(&o.UseSuggested, "use-suggested", false, "unknown tags: use the nearest existing tag")
	fs.BoolVar(&o.CreateTags, "create-tags", false, "unknown tags with no near existing tag: create them (managers and admins)")
	fs.StringVar(&o.Report, "report", "", "write the dry run's report (CSV) to this file")
	fs.BoolVar(&o.Quiet, "quiet", false, "no progress bar")
}

// ImportCLI is `tagbot import FILE`: the dry run of the upload page on a
// file, printed to out; with --apply, the import is then applied as one
// batch (a durable job, resumed by serve if interrupted) with a progress
// bar on logw. It needs the store to itself (stop serve first); WeCom is
// updated by serve's outbox worker.
func ImportCLI(ctx context.Context, configPath string, o ImportOptions, out, logw io.Writer) error {
	cfg, err := loadConfig(configPath, credsAPI)
	if err != nil {
		return err
	}
	return importWith(ctx, cfg, o, out, logw)
}

// importWith is ImportCLI on a loaded configuration.
func importWith(ctx context.Context, cfg *config.Config, o ImportOptions, out, logw io.Writer) error {
	f, err := os.Open(o.File)
	if err != nil {
		return UsageError{err}
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > cfg.Import.MaxBytes {
		return UsageError{fmt.Errorf("文件太大：最多 %d MB（import.max_bytes），请分成几个文件", cfg.Import.MaxBytes>>20)}
	}
	lim := importer.LimitsFor(cfg.Import.MaxBytes)
	m, err := New(cfg, Options{Logger: newLogger(cfg, logw), NoCallback: true})
	if err != nil {
		return err
	}
	defer m.Store.Close()
	user, role := cliActor, commands.RoleAdmin
	if o.As != "" {
		user, role = o.As, m.Router.RoleOf(o.As)
	}
	req := m.Router.ExtRequestFor(user, role, m.now())
	opts := importer.Options{Store: m.Store, Policy: page.Policy{Req: req}, Synonyms: cfg.TagSynonyms,
		MaxBadShare: cfg.Import.MaxBadShare, MaxRows: cfg.Import.MaxRows}
	p, err := dryRunFile(f, o.File, lim, opts)
	if err != nil {
		return err
	}
	if opts.Choices = cliChoices(p, o); len(opts.Choices) > 0 {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		if p, err = dryRunFile(f, o.File, lim, opts); err != nil {
			return err
		}
	}
	renderImportPlan(out, p)
	if o.Report != "" {
		if err := writeImportReport(o.Report, p); err != nil {
			return err
		}
	}
	if !o.Apply {
		fmt.Fprintln(out, "这是预览，没有修改任何客户。加 --apply 执行。dry run only: add --apply to apply.")
		return nil
	}
	return applyImport(ctx, m, p, req, o, out, logw)
}

// dryRunFile plans the file read from r within lim (import.max_bytes).
func dryRunFile(r io.Reader, name string, lim importer.Limits, opts importer.Options) (*importer.Plan, error) {
	rows, err := importer.OpenLimited(name, r, lim)
	if err != nil {
		return nil, UsageError{err}
	}
	defer rows.Close()
	p, err := importer.DryRun(rows, opts)
	var he *importer.HeaderError
	if errors.As(err, &he) || errors.Is(err, importer.ErrTooManyRows) {
		return nil, UsageError{err}
	}
	return p, err
}

// cliChoices decides unknown tags as the flags say.
func cliChoices(p *importer.Plan, o ImportOptions) map[string]importer.Choice {
	out := map[string]importer.Choice{}
	for _, u := range p.UnknownTags {
		switch {
		case o.UseSuggested && len(u.Suggestions) > 0:
			out[u.Key] = importer.Choice{Use: u.Suggestions[0].Tag.ID}
		case o.CreateTags:
			out[u.Key] = importer.Choice{Create: true, Group: u.Group}
		}
	}
	return out
}

// applyImport submits the plan as a job and runs it to the end.
func applyImport(ctx context.Context, m *Main, p *importer.Plan, req *commands.ExtRequest, o ImportOptions, out, logw io.Writer) error {
	job, err := importer.Submit(ctx, p, importer.SubmitOptions{Store: m.Store, Policy: page.Policy{Req: req}, Title: o.File, Creator: m.Syncer})
	switch {
	case errors.Is(err, importer.ErrBlocked):
		return UsageError{fmt.Errorf("有误的行太多，没有执行 too many bad rows (%.1f%% > %.1f%%): nothing applied", 100*p.BadShare(), 100*p.MaxBadShare)}
	case errors.Is(err, store.ErrNoChange):
		fmt.Fprintln(out, "没有需要修改的客户 nothing to change.")
		return nil
	case err != nil:
		return err
	}
	bar := progressbar.NewOptions(job.Total, progressbar.OptionSetWriter(logw), progressbar.OptionSetDescription(job.ID),
		progressbar.OptionShowCount(), progressbar.OptionSetVisibility(!o.Quiet), progressbar.OptionClearOnFinish())
	var last store.Job
	m.Jobs.Handle(importer.JobKind, func(j store.Job) {
		bar.Set(j.Next)
		last = j
	})
	if err := m.Jobs.Drain(ctx); err != nil {
		return err
	}
	bar.Finish()
	fmt.Fprintf(out, "已导入 applied %s: %d 个客户关系已修改 changed, %d 已一致 skipped, %d 失败 failed。\n撤销 undo: /undo %s\n企业微信由 serve 的发送队列更新 WeCom is updated by serve's outbox worker.\n",
		last.ID, last.Applied, last.Skipped, last.FailedN, last.ID)
	if err := m.Store.MarkJobReported(last.ID); err != nil {
		return err
	}
	return nil
}

// renderImportPlan prints the dry run: the summary and the first lines of
// each list.
func renderImportPlan(out io.Writer, p *importer.Plan) {
	fmt.Fprintln(out, p.Summary())
	const limit = 20
	issues := func(title string, list []importer.Issue) {
		if len(list) == 0 {
			return
		}
		fmt.Fprintf(out, "\n%s（%d）：\n", title, len(list))
		for _, is := range list[:min(len(list), limit)] {
			fmt.Fprintf(out, "  第 %d 行 %s %s：%s\n", is.Row, display.Name(is.Column), display.Name(is.Value), is.Msg)
		}
	}
	issues("错位或有误", p.Bad)
	issues("未找到的客户", p.UnknownCustomers)
	issues("无权限", p.Denied)
	if len(p.UnknownTags) > 0 {
		fmt.Fprintf(out, "\n未知标签（%d）：\n", len(p.UnknownTags))
		for _, u := range p.UnknownTags {
			near := "无相近标签"
			if len(u.Suggestions) > 0 {
				near = fmt.Sprintf("最接近「%s」（%s）", display.Name(u.Suggestions[0].Tag.Name), u.Suggestions[0].Why)
			}
			fmt.Fprintf(out, "  %s：%d 行，%s\n", display.Name(u.Name), u.Rows, near)
		}
	}
	if len(p.Changes) > 0 {
		fmt.Fprintf(out, "\n将修改（%d）：\n", len(p.Changes))
		for _, c := range p.Changes[:min(len(p.Changes), limit)] {
			fmt.Fprintf(out, "  第 %d 行 %s（%s）+%s -%s\n", c.Row, display.Name(c.Name), display.Name(c.Follower),
				importer.TagNames(c.Add), importer.TagNames(c.Remove))
		}
	}
}

func writeImportReport(path string, p *importer.Plan) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return UsageError{err}
	}
	if err := p.WriteReport(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// newImport builds /import and its upload page (mounted on server.listen
// by Start); its job progress goes to chat. The router is given to it
// after NewRouter; its jobs run on m.Jobs (newJobs runs first).
func (m *Main) newImport(cfg *config.Config, opts Options) {
	m.Import = page.New(page.Options{Store: m.Store, Config: cfg, Creator: m.Syncer, Jobs: m.Jobs, Now: opts.Now, Logger: opts.Logger,
		Deliver: func(ctx context.Context, userID string, replies []commands.Reply) {
			m.Sender.Send(ctx, userID, replies)
		},
	})
	m.Jobs.Handle(importer.JobKind, m.Import.JobProgress)
}
