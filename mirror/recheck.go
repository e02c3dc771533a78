package mirror

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
)

// recheckBatch is how many marked relationships one pass re-checks.
const recheckBatch = 50

// recheck re-checks the marked relationships whose calls have all been
// sent (store.Rechecks), up to recheckBatch. A failed re-check keeps its
// mark and stops the round; the next round waits for Backoff. The error is
// a store error reading the marks.
func (w *Worker) recheck(ctx context.Context) error {
	if w.opts.Now().Before(w.recheckAfter) {
		return nil
	}
	refs, err := w.st.Rechecks(recheckBatch)
	if err != nil {
		return fmt.Errorf("read rechecks: %w", err)
	}
	for _, r := range refs {
		if ctx.Err() != nil {
			return nil
		}
		rctx, cancel := context.WithTimeout(ctx, 2*w.opts.CallTimeout)
		err := w.opts.Recheck(rctx, r)
		cancel()
		if err != nil {
			w.recheckFails++
			w.recheckAfter = w.opts.Now().Add(w.opts.Backoff(w.recheckFails))
			w.log.Warn("recheck failed, will try again", "customer", r.Customer, "follower", r.Follower, "err", err, "next", w.recheckAfter)
			return nil
		}
		w.recheckFails = 0
	}
	return nil
}

// Recheck reads a relationship that store.Reconcile marked (its calls were
// still queued, or the ledger changed it after WeCom was read) again from
// WeCom, like RefreshCustomer for an edit by r.Follower: a difference on
// the relationship becomes a `wecom-ui` change-set by the follower. The mark
// is cleared unless the relationship is busy again. An error means the mark
// stays (WeCom unavailable, a store error); a customer WeCom no longer
// knows clears it. It fits WorkerOptions.Recheck.
func (s *Syncer) Recheck(ctx context.Context, r store.RelRef) error {
	_, err := s.readContact(ctx, r.Customer, r.Follower, "在企业微信中修改（排队的变更发出后复查）")
	if err != nil && !wecom.IsTransient(err) && !errors.Is(err, context.Canceled) && wecom.Code(err) != 0 {
		s.log.Warn("recheck: customer not readable, dropping the mark", "customer", r.Customer, "follower", r.Follower, "err", err)
		if err := s.st.RecheckDone(r); err != nil {
			return fmt.Errorf("mirror recheck %s/%s: %w", r.Customer, r.Follower, err)
		}
		return nil
	}
	return err
}

// readContact reads a customer from WeCom and reconciles it: the
// follower's relationship (if any) as `wecom-ui` by the follower, the rest
// as `sync`. NextID is taken before the read, so relationships the ledger
// changed meanwhile are left alone (and marked). Afterwards the follower's
// re-check mark is cleared when this reading settled it.
func (s *Syncer) readContact(ctx context.Context, externalUserID, follower, reason string) ([]store.ChangeSet, error) {
	since, err := s.st.NextID()
	if err != nil {
		return nil, fmt.Errorf("mirror refresh customer %s: %w", externalUserID, err)
	}
	ct, err := s.api.GetExternalContact(ctx, externalUserID)
	if err != nil {
		return nil, fmt.Errorf("mirror refresh customer %s: %w", externalUserID, err)
	}
	if ct.ExternalUserID == "" {
		ct.ExternalUserID = externalUserID
	}
	if err := s.ensureTags(ctx, ct); err != nil {
		return nil, fmt.Errorf("mirror refresh customer %s: %w", externalUserID, err)
	}
	var out []store.ChangeSet
	if follower != "" {
		// First the follower's own relationship, attributed to them.
		own := observation(ct, false)
		own.Follows = slices.DeleteFunc(own.Follows, func(f store.ObservedFollow) bool { return f.Follower != follower })
		css, err := s.st.Reconcile(own, store.ReconcileOptions{
			Source: store.SourceWeComUI, Actor: follower, Reason: reason, Since: since,
		})
		if err != nil {
			return nil, fmt.Errorf("mirror refresh customer %s: %w", externalUserID, err)
		}
		out = append(out, css...)
	}
	// Then everything else WeCom reports; the follower's relationship
	// already agrees, so only drift elsewhere is recorded.
	css, err := s.st.Reconcile(observation(ct, true), store.ReconcileOptions{
		Source: store.SourceSync, Actor: s.opts.Actor, Reason: "读取客户详情时发现与记录不一致", Since: since,
	})
	if err != nil {
		return nil, fmt.Errorf("mirror refresh customer %s: %w", externalUserID, err)
	}
	out = append(out, css...)
	if follower != "" {
		if err := s.settle(store.RelRef{Customer: externalUserID, Follower: follower}, since, out); err != nil {
			return out, fmt.Errorf("mirror refresh customer %s: %w", externalUserID, err)
		}
	}
	return out, nil
}

// settle clears a relationship's re-check mark after it was reconciled
// against a reading taken at since, unless the reading could not be
// trusted for it: calls are pending, or a change-set other than written
// touched it from since on (Reconcile then left it alone and marked it).
func (s *Syncer) settle(r store.RelRef, since store.ID, written []store.ChangeSet) error {
	pending, err := s.st.HasPendingOutbox(r.Customer, r.Follower)
	if err != nil || pending {
		return err
	}
	// Newest first: among the len(written)+1 newest, one from since on that
	// is not ours exists if any does.
	hist, err := s.st.History(store.Query{Customer: r.Customer, Follower: r.Follower, Limit: len(written) + 1, IncludeDenied: true})
	if err != nil {
		return err
	}
	for _, cs := range hist {
		if cs.ID < since {
			break
		}
		if !slices.ContainsFunc(written, func(w store.ChangeSet) bool { return w.ID == cs.ID }) {
			return nil
		}
	}
	return s.st.RecheckDone(r)
}
