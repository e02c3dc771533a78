package classify

import (
	"context"
	"fmt"
)

// Verifier checks a rule's match marked `llm: verify` against the
// conversation; keep is false only when the match is not supported. LLM
// implements it.
type Verifier interface {
	Verify(ctx context.Context, in Input, facts Facts, m Match) (keep bool, err error)
}

var _ Verifier = (*LLM)(nil)

// Pipeline classifies with the rules first and the LLM second (Combine).
type Pipeline struct {
	rules Classifier
	llm   Classifier
}

var _ Classifier = (*Pipeline)(nil)

// Combine returns the classifier the worker runs: rules first; a rule's
// match marked Verify is asked of the LLM when it is a Verifier (dropped
// only when the LLM says no); when no rule matched a customer's message,
// the LLM is asked. Either may be nil (a nil *LLM too): with no LLM, rules
// alone; with no rules, the LLM alone. Whatever the LLM answers is forced
// to ModeSuggest with Source "llm". 先规则、再大模型。
func Combine(rules, llm Classifier) *Pipeline {
	if l, ok := llm.(*LLM); ok && l == nil {
		llm = nil
	}
	return &Pipeline{rules: rules, llm: llm}
}

// Classify runs the pipeline on one input.
func (p *Pipeline) Classify(ctx context.Context, in Input, facts Facts) ([]Match, error) {
	var ms []Match
	if p.rules != nil {
		var err error
		if ms, err = p.rules.Classify(ctx, in, facts); err != nil {
			return nil, err
		}
	}
	if len(ms) > 0 {
		return p.verified(ctx, in, facts, ms)
	}
	if p.llm == nil || in.Message == nil || in.Message.From != FromCustomer {
		return nil, nil
	}
	lms, err := p.llm.Classify(ctx, in, facts)
	if err != nil {
		return nil, fmt.Errorf("classify: llm: %w", err)
	}
	for i := range lms {
		lms[i].Mode, lms[i].Source, lms[i].Verify = ModeSuggest, SourceLLM, false
	}
	return lms, nil
}

// verified drops the Verify matches the LLM does not support.
func (p *Pipeline) verified(ctx context.Context, in Input, facts Facts, ms []Match) ([]Match, error) {
	v, ok := p.llm.(Verifier)
	if !ok {
		return ms, nil
	}
	out := ms[:0:0]
	for _, m := range ms {
		if m.Verify {
			keep, err := v.Verify(ctx, in, facts, m)
			if err != nil {
				return nil, fmt.Errorf("classify: verify %s: %w", m.Rule, err)
			}
			if !keep {
				continue
			}
		}
		out = append(out, m)
	}
	return out, nil
}
