package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/jobs"
	"github.com/tagbot/tagbot/store"
)

// JobKind is the kind of lifecycle runs' jobs: their ids are bg-life-N.
const JobKind = "life"

// Actor is the actor of scheduled runs' change-sets.
const Actor = "system"

// DefaultTick is how often Run looks for due rules.
const DefaultTick = 30 * time.Second

// Options configure a Service.
type Options struct {
	Store *store.Store
	// Jobs applies the runs' jobs (woken after each run is created); nil
	// for a Service that only previews (the CLI).
	Jobs *jobs.Runner
	// Now is the clock (time.Now when nil); Zone the zone of `at:` times
	// (config.ChinaZone when nil).
	Now  func() time.Time
	Zone *time.Location
	// Tick is how often Run looks for due rules (DefaultTick when 0).
	Tick   time.Duration
	Logger *slog.Logger
}

// Service schedules and runs the lifecycle rules and answers /lifecycle.
// 生命周期规则服务：调度、预览、执行。
type Service struct {
	opts Options
	log  *slog.Logger

	mu     sync.Mutex
	rules  []config.LifecycleRule
	groups map[string]config.GroupPolicy
	file   string
	warned string // the rule problem last logged by usable

	runMu sync.Mutex // one run (evaluate → job) at a time
}

// New returns a Service with no rules; Load them.
func New(opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Zone == nil {
		opts.Zone = config.ChinaZone
	}
	if opts.Tick <= 0 {
		opts.Tick = DefaultTick
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Service{opts: opts, log: opts.Logger.With("pkg", "lifecycle")}
	if opts.Jobs != nil {
		opts.Jobs.Handle(JobKind, s.progress)
	}
	return s
}

// progress logs a run's job when it ends and marks it reported (the
// summary is what /lifecycle shows).
func (s *Service) progress(j store.Job) {
	if j.State.Runnable() || j.State == store.JobCreating || j.Reported {
		return
	}
	s.log.Info("lifecycle run done", "job", j.ID, "state", j.State, "applied", j.Applied, "skipped", j.Skipped, "failed", j.FailedN)
	if err := s.opts.Store.MarkJobReported(j.ID); err != nil {
		s.log.Warn("lifecycle job not marked reported", "job", j.ID, "err", err)
	}
}

// Check compiles the rules against the store's tag library without
// loading them: every problem names the rule and its line.
func (s *Service) Check(cfg *config.Config, file string) error {
	lib, err := LoadLibrary(s.opts.Store, cfg.Groups)
	if err != nil {
		return err
	}
	_, err = Compile(cfg.Lifecycle, lib, file)
	return err
}

// usable resolves the loaded rules against the tag library as it is now,
// leaving out (and logging) those that no longer resolve — a tag deleted
// since they were loaded — so the others still run on schedule.
func (s *Service) usable() ([]Rule, *Library, error) {
	s.mu.Lock()
	cfg, groups, file := s.rules, s.groups, s.file
	s.mu.Unlock()
	lib, err := LoadLibrary(s.opts.Store, groups)
	if err != nil {
		return nil, nil, err
	}
	rs, err := Compile(cfg, lib, file)
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	s.mu.Lock()
	changed := msg != s.warned
	s.warned = msg
	s.mu.Unlock()
	if changed && msg != "" { // once per new problem, not every tick
		s.log.Warn("lifecycle rules left out until fixed", "err", err)
	}
	return rs, lib, nil
}

// Load checks cfg's lifecycle rules against the tag library, records the
// first-seen time of rules never loaded before (their first run waits one
// period from then) and swaps them in. On error the running rules stay.
// Start-up and reload (SIGHUP, /reload) call it.
func (s *Service) Load(cfg *config.Config, file string) error {
	if err := s.Check(cfg, file); err != nil {
		return err
	}
	names := make([]string, len(cfg.Lifecycle))
	for i := range cfg.Lifecycle {
		names[i] = cfg.Lifecycle[i].Name
	}
	if _, err := s.opts.Store.SeeLifecycleRules(names); err != nil {
		return err
	}
	s.use(cfg, file)
	cfg.LifecycleWarnings(s.log)
	return nil
}

// UseForPreview checks cfg's rules and swaps them in without writing to
// the store (no first-seen times): for `tagbot lifecycle --dry-run` on a
// read-only store. Do not Tick or RunNow after it.
func (s *Service) UseForPreview(cfg *config.Config, file string) error {
	if err := s.Check(cfg, file); err != nil {
		return err
	}
	s.use(cfg, file)
	return nil
}

// use swaps the rules in.
func (s *Service) use(cfg *config.Config, file string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules, s.groups, s.file = cfg.Lifecycle, cfg.Groups, file
}

// Recover puts back the schedule of runs a crash stopped before their job
// was whole (they run again). Call it before the job runner starts.
func (s *Service) Recover() error {
	fixed, err := s.opts.Store.RecoverLifecycle()
	if len(fixed) > 0 {
		s.log.Warn("lifecycle runs stopped before their job was created; due again", "rules", fixed)
	}
	return err
}

// compiled resolves the loaded rules (those named; all when none) against
// the tag library as it is now.
func (s *Service) compiled(names []string) ([]Rule, *Library, error) {
	s.mu.Lock()
	cfg, groups, file := s.rules, s.groups, s.file
	s.mu.Unlock()
	lib, err := LoadLibrary(s.opts.Store, groups)
	if err != nil {
		return nil, nil, err
	}
	rs, err := Compile(cfg, lib, file)
	if err != nil {
		return nil, nil, err
	}
	rs, err = find(rs, names)
	return rs, lib, err
}

// Preview evaluates the rules named (all when none) now, changing nothing.
func (s *Service) Preview(ctx context.Context, names []string) (*Plan, error) {
	rs, lib, err := s.compiled(names)
	if err != nil {
		return nil, err
	}
	return Evaluate(ctx, s.opts.Store, rs, lib, s.opts.Now(), s.opts.Zone, s.log)
}

// Run is the outcome of one run: its job (and batch) id, "" when it
// planned nothing, and its plan.
type Run struct {
	Job  string
	Plan *Plan
}

// RunNow runs the rules named (all when none) at once for actor, outside
// their schedule: it evaluates them and hands the changes to the job
// runner as one job. The schedule is not moved.
func (s *Service) RunNow(ctx context.Context, actor string, names []string) (Run, error) {
	rs, lib, err := s.compiled(names)
	if err != nil {
		return Run{}, err
	}
	return s.run(ctx, actor, rs, lib, nil)
}

// run evaluates rs and creates the run's job; slots, for a scheduled run,
// are recorded as the rules' last slots in the same transaction that
// names the job.
func (s *Service) run(ctx context.Context, actor string, rs []Rule, lib *Library, slots map[string]time.Time) (Run, error) {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	plan, err := Evaluate(ctx, s.opts.Store, rs, lib, s.opts.Now(), s.opts.Zone, s.log)
	if err != nil {
		return Run{}, err
	}
	start := store.LifecycleRunStart{Slots: slots, Planned: map[string]int{}, Tags: map[string]map[string]int{}, Conflicts: map[string]int{}}
	for _, r := range rs {
		start.Planned[r.Name], start.Tags[r.Name] = 0, map[string]int{}
	}
	for _, c := range plan.Changes {
		start.Planned[c.Rule]++
		for _, t := range c.Add {
			start.Tags[c.Rule]["+"+t.Name]++
		}
		for _, t := range c.Remove {
			start.Tags[c.Rule]["-"+t.Name]++
		}
	}
	for _, c := range plan.Skipped {
		start.Conflicts[c.Rule]++
	}
	id, err := s.opts.Store.BeginLifecycleRun(start)
	if err != nil {
		return Run{}, err
	}
	if len(plan.Changes) == 0 {
		return Run{Plan: plan}, nil
	}
	job := store.Job{ID: id, Kind: JobKind, Actor: actor, Source: store.SourceLifecycle,
		Reason: "生命周期规则", Title: fmt.Sprintf("生命周期规则 %v", plan.Rules)}
	if _, err := s.opts.Store.CreateJob(job, jobRows(plan.Changes)); err != nil {
		return Run{}, err
	}
	if s.opts.Jobs != nil {
		s.opts.Jobs.Wake()
	}
	s.log.Info("lifecycle run planned", "job", id, "rules", plan.Rules, "changes", len(plan.Changes),
		"relationships", plan.Relationships, "errors", plan.Errors, "skipped", len(plan.Skipped))
	return Run{Job: id, Plan: plan}, nil
}

// jobRows turns changes into the job's rows, each with its rule as reason.
func jobRows(cs []Change) []store.JobRow {
	rows := make([]store.JobRow, len(cs))
	for i, c := range cs {
		row := store.JobRow{Customer: c.Customer, Follower: c.Follower, Reason: store.LifecycleReason(c.Rule)}
		for _, t := range c.Add {
			row.Add = append(row.Add, t.Ref())
		}
		for _, t := range c.Remove {
			row.Remove = append(row.Remove, t.Ref())
		}
		rows[i] = row
	}
	return rows
}

// Tick runs the rules that are due now (one job for all of them) and
// reports the run; a zero Run when none is due.
func (s *Service) Tick(ctx context.Context) (Run, error) {
	rs, lib, err := s.usable()
	if err != nil {
		return Run{}, err
	}
	states, err := s.opts.Store.LifecycleStates()
	if err != nil {
		return Run{}, err
	}
	now := s.opts.Now()
	slots := map[string]time.Time{}
	var due []Rule
	for _, r := range rs {
		st, ok := states[r.Name]
		if !ok {
			continue // not loaded through Load: never seen
		}
		if slot, ok := dueSlot(r.LifecycleRule, st, now, s.opts.Zone); ok {
			slots[r.Name], due = slot, append(due, r)
		}
	}
	if len(due) == 0 {
		return Run{}, nil
	}
	return s.run(ctx, Actor, due, lib, slots)
}

// Run ticks every Options.Tick until ctx ends. A failed tick is logged and
// tried again at the next.
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTicker(s.opts.Tick)
	defer t.Stop()
	for {
		if _, err := s.Tick(ctx); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Error("lifecycle tick failed; trying again", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Status is one rule as /lifecycle lists it.
type Status struct {
	Rule  *config.LifecycleRule
	Next  time.Time
	State store.LifecycleRuleState
	// Job is the rule's last run's job, when it had one.
	Job *store.Job
}

// Statuses lists the loaded rules with their next run and last run, in
// config order.
func (s *Service) Statuses() ([]Status, error) {
	s.mu.Lock()
	rs := s.rules
	s.mu.Unlock()
	states, err := s.opts.Store.LifecycleStates()
	if err != nil {
		return nil, err
	}
	out := make([]Status, 0, len(rs))
	for i := range rs {
		st := states[rs[i].Name]
		x := Status{Rule: &rs[i], State: st, Next: nextSlot(&rs[i], st, s.opts.Zone)}
		if st.LastJob != "" {
			if j, err := s.opts.Store.Job(st.LastJob); err == nil {
				x.Job = &j
			}
		}
		out = append(out, x)
	}
	return out, nil
}
