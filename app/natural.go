package app

import (
	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/nl"
)

// natural is the router's natural-language parser: the patterns alone
// (nl.Natural), or, when llm: is configured and llm.nl_per_user_per_hour
// is not 0, the patterns and then the model for what they do not
// understand (nl.Parser). The model is the classification assist's
// (m.LLM, built here first), so both share its timeout, concurrency and
// daily token budget.
func (m *Main) natural(opts Options) (commands.NaturalParser, error) {
	c := m.Config.LLM
	if !c.Enabled() || c.NLPerUserPerHour == 0 {
		return nl.Natural, nil
	}
	l, err := newLLM(m, opts)
	if err != nil {
		return nil, err
	}
	m.LLM = l
	p := nl.NewParser(nl.LLMOptions{Model: l, PerUserPerHour: c.NLPerUserPerHour, Redact: c.Redact, Now: opts.Now, Logger: opts.Logger})
	return p.Natural, nil
}
