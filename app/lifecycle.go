package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/lifecycle"
	"github.com/tagbot/tagbot/store"
)

// newLifecycle builds the lifecycle rules' service on the job runner; its
// /lifecycle commands are an Extension of the router.
func (m *Main) newLifecycle(opts Options) commands.Extension {
	m.Lifecycle = lifecycle.New(lifecycle.Options{Store: m.Store, Jobs: m.Jobs, Now: opts.Now, Logger: opts.Logger})
	return m.Lifecycle
}

// configName is the config file as errors name it.
func (m *Main) configName() string {
	if m.configPath != "" {
		return m.configPath
	}
	return "config.yaml"
}

// loadLifecycle loads cfg's lifecycle rules (their tags must be in the
// library) and puts back the schedule of runs a crash stopped before their
// job was created. Start calls it before the job runner runs.
func (m *Main) loadLifecycle(cfg *config.Config) error {
	if err := m.Lifecycle.Load(cfg, m.configName()); err != nil {
		return err
	}
	return m.Lifecycle.Recover()
}

// LifecycleDryRun is `tagbot lifecycle --dry-run`: what the lifecycle
// rules would change now, every customer named, without changing anything
// (the store is opened read-only, so serve must not be running).
func LifecycleDryRun(ctx context.Context, configPath string, out io.Writer) error {
	cfg, err := loadConfig(configPath, credsNone)
	if err != nil {
		return err
	}
	st, err := openStore(cfg, store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer st.Close()
	svc := lifecycle.New(lifecycle.Options{Store: st, Logger: newLogger(cfg, io.Discard)})
	if err := svc.UseForPreview(cfg, configPath); err != nil {
		return UsageError{err}
	}
	plan, err := svc.Preview(ctx, nil)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, lifecycle.RenderPlan(plan, 0, "", config.ChinaZone))
	return err
}

// demoLifecycleRule is the demo's lifecycle rule when its config has
// none: customers quoted a price more than a day ago who have not written
// since (or ever) fall to 低意向. In the demo, 王小明, 李华 and 陈静 have
// 已报价; `~李华: 还在考虑` takes 李华 out of /lifecycle preview.
var demoLifecycleRule = config.LifecycleRule{
	Name: "报价后沉默", Every: 24 * time.Hour, Add: []string{"低意向"},
}

// demoLifecycleWhen is demoLifecycleRule's condition.
const demoLifecycleWhen = `has_tag("已报价") and days_since(tag_added("已报价")) >= 1 and days_since(customer.last_message) >= 1 and not has_tag("已成交")`

// demoLifecycle gives the demo its lifecycle rule unless the config has
// lifecycle rules of its own (Start loads them like serve's).
func demoLifecycle(cfg *config.Config) error {
	if len(cfg.Lifecycle) > 0 {
		return nil
	}
	r := demoLifecycleRule
	if err := r.SetProgram(demoLifecycleWhen); err != nil {
		return err
	}
	cfg.Lifecycle = []config.LifecycleRule{r}
	return nil
}
