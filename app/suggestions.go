package app

import (
	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/suggestion"
)

// newSuggestions builds the suggestion service: it stores suggestions,
// sends their cards through the Sender (so the per-member limits apply)
// and runs the suggestion cards and commands for the router.
func (m *Main) newSuggestions(cfg *config.Config, opts Options) error {
	var err error
	m.Suggestions, err = suggestion.New(suggestion.Options{
		Store: m.Store, Replier: m.Sender, Updater: m.Sender, Kick: m.Worker.Kick,
		ExpireAfter: cfg.Suggestions.Expire, RejectMemory: cfg.Suggestions.RejectMemory,
		Now: opts.Now, Logger: opts.Logger, Visible: m.visibleRefs,
	})
	return err
}

// wireSuggestions connects the service with the intake, the router and
// the rule engine once they exist: /classify submits to the queue; the
// worker classifies with the rules and the LLM (unless Options named another
// Classifier) and its offers become suggestions (unless Options named
// another Offerer); confirms follow the router's tag-group policies
// (protected tags, exclusive groups); /rules lists the engine's rules and
// /reload is ReloadRules.
func (m *Main) wireSuggestions(opts Options) {
	m.Suggestions.SetSubmitter(m.Intake)
	m.Suggestions.SetPolicy(m.Router.SuggestionPolicy)
	m.Suggestions.SetWriteLock(m.Router.LockWrites)
	m.Suggestions.SetRules(m.Rules, m)
	if opts.Classifier == nil {
		// Rules first; the LLM (when configured) for what no rule matched
		// and for rules marked llm: verify.
		m.IntakeWorker.SetClassifier(classify.Combine(m.Rules, m.LLM))
	}
	if opts.Offerer == nil {
		m.IntakeWorker.SetOfferer(m.Suggestions)
	}
}
