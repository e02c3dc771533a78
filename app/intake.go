package app

import (
	"github.com/tagbot/tagbot/bot"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/intake"
)

// newIntake builds the queue of received messages and events, the worker
// that classifies them and the /api/v1 endpoints. Until a classifier and
// an offerer are given (Options, or the worker's setters) the worker only
// drains the queue, so serve runs without rules.
func (m *Main) newIntake(cfg *config.Config, opts Options) {
	m.IntakeWorker = intake.NewWorker(m.Store, opts.Classifier, opts.Offerer, opts.Now, opts.Logger.With("pkg", "intake"))
	m.Intake = intake.NewQueue(m.Store, intake.QueueOptions{Retention: cfg.Intake.History, Now: opts.Now, Wake: m.IntakeWorker.Wake,
		Counted: m.Metrics.ObserveIntake})
	m.IntakeAPI = intake.NewAPI(m.Intake, intake.APIOptions{Token: cfg.API.Token, MaxBodyBytes: cfg.API.MaxBodyBytes, Logger: opts.Logger})
	if cfg.KF.Enabled {
		m.KF = intake.NewKFSyncer(m.API, m.Intake, intake.KFOptions{OpenKfIDs: cfg.KF.OpenKfIDs, Now: opts.Now, Logger: opts.Logger})
	}
}

// kfOption is the loop's KFSyncer: nil (not a nil pointer) when kf is off.
func (m *Main) kfOption() bot.KFSyncer {
	if m.KF == nil {
		return nil
	}
	return m.KF
}
