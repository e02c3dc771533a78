package suggestion

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/store"
)

// Offer turns an offer's matches into suggestions for its follower: tag
// names are resolved in the library (names not there are dropped and
// logged, never created), tags already on the relationship are dropped,
// and a match is dropped when its rule has a suggestion pending for the
// relationship, was rejected for it within RejectMemory, the follower no
// longer follows the customer, or the same input was offered before (a
// retry). What is left is stored, then sent to the follower as a card.
// A rule match with mode auto is applied at once instead and the follower
// told; LLM matches are always suggestions, and so is every match of a
// text an employee pasted with /classify (an employee's words are not a
// customer's: they cannot apply an admin's auto rule, which the group
// policies of /tag would not let that employee do), whose evidence then
// says an employee pasted it. Errors are store failures: the
// caller may retry the offer, which adds nothing already added.
func (s *Service) Offer(ctx context.Context, o classify.Offer) error {
	customer := customerOf(o.Input)
	if customer == "" || o.Follower == "" || o.Ref == "" {
		return fmt.Errorf("suggestion: offer %q needs a customer, a follower and a ref", o.Ref)
	}
	var errs []error
	pastedBy := s.pastedBy(o.Ref)
	for _, m := range o.Matches {
		if o.Input.Message != nil { // quote what the customer wrote, not its normalised form
			m.Evidence.Snippet = classify.OriginalSnippet(o.Input.Message.Text, m.Evidence.Snippet)
		}
		if pastedBy != "" {
			m.Evidence.Snippet = "（员工转述）" + m.Evidence.Snippet
		}
		refs := s.resolveTags(ctx, m)
		if len(refs) == 0 {
			continue
		}
		var err error
		if m.Mode == classify.ModeAuto && m.Source == classify.SourceRule && pastedBy == "" {
			err = s.applyAuto(ctx, o, customer, m, refs)
		} else {
			err = s.suggest(ctx, o, customer, m, refs)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// pastedBy is the employee who pasted the offered input with /classify,
// or "" when it came from the customer (the API, 微信客服, the demo) or is
// not a stored input (an offer made in process). An input that cannot be
// read counts as pasted: the safe side, a suggestion.
func (s *Service) pastedBy(ref string) string {
	n, ok := strings.CutPrefix(ref, "act:")
	if !ok {
		return ""
	}
	id, err := store.ParseID(n)
	if err != nil {
		return "?"
	}
	a, err := s.st.Activity(id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return ""
	case err != nil:
		return "?"
	case a.Source == store.ActivityChat:
		return a.Employee
	}
	return ""
}

// suggest stores one match as a suggestion and sends its card.
func (s *Service) suggest(ctx context.Context, o classify.Offer, customer string, m classify.Match, refs []store.TagRef) error {
	if refs = s.allowed(ctx, customer, o.Follower, m.Rule, refs); len(refs) == 0 {
		return nil
	}
	sg, err := s.st.AddSuggestion(store.Suggestion{
		Ref: o.Ref, Customer: customer, Follower: o.Follower, Tags: refs, Source: sourceOf(m), Rule: m.Rule,
		Evidence: store.Evidence{Words: m.Evidence.Words, Snippet: m.Evidence.Snippet}, Score: m.Score,
		Expires: s.opts.Now().Add(s.opts.ExpireAfter),
	}, s.opts.RejectMemory)
	if why := skipReason(err); why != "" {
		s.log.DebugContext(ctx, "match not suggested", "ref", o.Ref, "rule", m.Rule, "follower", o.Follower, "why", why)
		return nil
	}
	if err != nil {
		return fmt.Errorf("suggestion: store %s: %w", o.Ref, err)
	}
	s.log.InfoContext(ctx, "suggestion offered", "id", sg.ID, "ref", o.Ref, "rule", m.Rule, "follower", o.Follower, "tags", len(sg.Tags))
	s.opts.Replier.Send(ctx, o.Follower, s.card(sg))
	return nil
}

// skipReason names why AddSuggestion refused a match that is simply not
// worth offering ("" for success and real failures).
func skipReason(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, store.ErrSuggestionSeen):
		return "input already offered"
	case errors.Is(err, store.ErrSuggestionPending):
		return "rule already pending"
	case errors.Is(err, store.ErrSuggestionRejected):
		return "rule rejected recently"
	case errors.Is(err, store.ErrNoChange):
		return "tags already on the customer"
	case errors.Is(err, store.ErrNoRelationship), errors.Is(err, store.ErrNotFound):
		return "customer not followed by the follower"
	case errors.Is(err, store.ErrTagDeleted), errors.Is(err, store.ErrUnknownTag):
		return "tag no longer in the library"
	}
	return ""
}

// applyAuto applies an auto rule's match at once and tells the follower
// what was added and how to take it back.
func (s *Service) applyAuto(ctx context.Context, o classify.Offer, customer string, m classify.Match, refs []store.TagRef) error {
	var remove []store.TagRef
	unlock := s.writeLock() // the policy's answer must still hold at the write
	if rel, err := s.st.Relationship(customer, o.Follower); err == nil && s.opts.Policy != nil {
		if remove, err = s.opts.Policy(commands.SystemActor, rel, refs); err != nil {
			unlock()
			s.log.WarnContext(ctx, "auto match not applied: against the group policies", "ref", o.Ref, "rule", m.Rule, "err", err)
			return nil
		}
	}
	cs, err := s.st.ApplyOffered(store.ChangeSet{Actor: commands.SystemActor, Source: store.SourceRule, Customer: customer,
		Follower: o.Follower, Add: refs, Remove: remove, Reason: reason(m.Rule, m.Evidence.Words, m.Evidence.Snippet)}, o.Ref, m.Rule)
	unlock()
	if why := skipReason(err); why != "" {
		s.log.DebugContext(ctx, "auto match not applied", "ref", o.Ref, "rule", m.Rule, "why", why)
		return nil
	}
	if err != nil {
		return fmt.Errorf("suggestion: auto %s: %w", o.Ref, err)
	}
	s.opts.Kick()
	s.log.InfoContext(ctx, "auto rule applied", "cs", cs.ID, "ref", o.Ref, "rule", m.Rule, "follower", o.Follower)
	added, removed := cs.Add, cs.Remove
	if s.opts.Visible != nil { // groups hidden from the follower are not named
		added, removed = s.opts.Visible(o.Follower, added), s.opts.Visible(o.Follower, removed)
	}
	if len(added) == 0 {
		return nil
	}
	name := s.customerName(customer, o.Follower)
	s.opts.Replier.Send(ctx, o.Follower, []commands.Reply{{Text: fmt.Sprintf(
		"规则「%s」已自动给 %s 加上：%s%s（变更 %d）。\n依据：%s\n如不对，发送 /untag %s %s 去掉。",
		dn(m.Rule), name, tagList(added), removedNote(removed), cs.ID, snippet(m.Evidence.Snippet), quoteArg(name), untagArgs(added))}})
	return nil
}

// removedNote says which tags an exclusive group took off ("" for none).
func removedNote(refs []store.TagRef) string {
	if len(refs) == 0 {
		return ""
	}
	return "，同组互斥去掉了 " + tagList(refs)
}

// resolveTags finds a match's tag names in the library; names that are
// not there (or name several tags) are dropped and logged.
func (s *Service) resolveTags(ctx context.Context, m classify.Match) []store.TagRef {
	var out []store.TagRef
	for _, name := range m.Tags {
		found, err := s.st.TagsByName(name)
		if err != nil || len(found) != 1 {
			s.log.LogAttrs(ctx, slog.LevelWarn, "suggested tag dropped: not exactly one such tag in the library",
				slog.String("rule", m.Rule), slog.String("tag", name), slog.Int("found", len(found)))
			continue
		}
		out = append(out, found[0].Ref())
	}
	return out
}

// customerOf is the customer of an input.
func customerOf(in classify.Input) string {
	switch {
	case in.Message != nil:
		return in.Message.Customer
	case in.Event != nil:
		return in.Event.Customer
	}
	return ""
}

// sourceOf is the store source of a match.
func sourceOf(m classify.Match) store.Source {
	if m.Source == classify.SourceLLM {
		return store.SourceLLM
	}
	return store.SourceRule
}

// reason is a change-set's reason for a rule's match: the rule, the
// matched words and the snippet (what /history shows).
func reason(rule string, words []string, snip string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "规则「%s」", rule)
	if len(words) > 0 {
		fmt.Fprintf(&b, " 命中：%s", strings.Join(words, "、"))
	}
	if snip != "" {
		fmt.Fprintf(&b, " 原话：%s", snip)
	}
	return b.String()
}

// allowed drops the tags the follower could not confirm under the group
// policies (protected tags, groups closed to them), so no card offers
// what its button would refuse.
func (s *Service) allowed(ctx context.Context, customer, follower, rule string, refs []store.TagRef) []store.TagRef {
	if s.opts.Policy == nil {
		return refs
	}
	rel, err := s.st.Relationship(customer, follower)
	if err != nil {
		return refs // AddSuggestion says why it is not offered
	}
	var out []store.TagRef
	for _, t := range refs {
		if _, err := s.opts.Policy(follower, rel, []store.TagRef{t}); err != nil {
			s.log.DebugContext(ctx, "suggested tag dropped: the follower may not add it", "rule", rule, "tag", t.ID)
			continue
		}
		out = append(out, t)
	}
	return out
}
