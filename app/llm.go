package app

import (
	"fmt"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/nl"
	"github.com/tagbot/tagbot/store"
)

// newLLM builds the LLM assist when llm: is configured (nil otherwise): it
// chooses among the live tags of the store's library, and redacts the
// customer's remarks and mobiles and the userids of the followers besides
// what the conversation itself names. The classification worker uses it
// through classify.Combine.
func newLLM(m *Main, opts Options) (*classify.LLM, error) {
	if !m.Config.LLM.Enabled() || m.LLM != nil { // natural language may have built it first (natural, below)
		return m.LLM, nil
	}
	st := m.Store
	l, err := classify.NewLLM(classify.LLMOptions{
		Config: m.Config.LLM,
		Tags:   func() []classify.LLMTag { return llmTags(st) },
		Names:  func(customer string) []classify.LLMName { return llmNames(st, customer) },
		Now:    opts.Now,
		Logger: opts.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("llm: %w", err)
	}
	m.log.Info("llm assist on", "llm", m.Config.LLM)
	return l, nil
}

// llmTags is the live tag library with group names.
func llmTags(st *store.Store) []classify.LLMTag {
	tags, err := st.Tags(false)
	if err != nil {
		return nil
	}
	out := make([]classify.LLMTag, len(tags))
	for i, t := range tags {
		out[i] = classify.LLMTag{Name: t.Name, Group: t.GroupName}
	}
	return out
}

// llmNames is what the store knows that names a customer beyond the
// WeChat name: the followers' remarks and mobiles, and the followers'
// userids. A store error leaves only what the conversation names.
func llmNames(st *store.Store, customer string) []classify.LLMName {
	rels, err := st.Relationships(customer)
	if err != nil {
		return nil
	}
	var out []classify.LLMName
	for _, r := range rels {
		out = append(out, classify.LLMName{Text: r.Remark, Who: classify.LLMWhoCustomer},
			classify.LLMName{Text: r.Follower, Who: classify.LLMWhoEmployee})
		for _, mob := range r.Mobiles {
			out = append(out, classify.LLMName{Text: mob, Who: classify.LLMWhoCustomer})
		}
	}
	return out
}

// natural is the router's natural-language parser: the patterns alone
// (nl.Natural), or, when llm: is configured and llm.nl_per_user_per_hour
// is not 0, the patterns and then the model for what they do not
// understand (nl.Parser). The model is the classification assist's
// (m.LLM, built here first, before the router), so both share its timeout, concurrency and
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
