package suggestion

import (
	"context"
	"time"
)

// SweepEvery is how often Run expires suggestions.
const SweepEvery = time.Minute

// sweepBatch is how many suggestions one sweep transaction expires.
const sweepBatch = 200

// Sweep marks every suggestion whose time has come expired and returns how
// many. A click on an expired suggestion's card changes nothing.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	total := 0
	for {
		done, err := s.st.ExpireSuggestions(sweepBatch)
		total += len(done)
		for _, sg := range done {
			s.updateCard(ctx, sg)
		}
		if err != nil {
			return total, err
		}
		if len(done) < sweepBatch {
			if total > 0 {
				s.log.InfoContext(ctx, "suggestions expired", "count", total)
			}
			return total, nil
		}
		if ctx.Err() != nil {
			return total, ctx.Err()
		}
	}
}

// Run sweeps expired suggestions every SweepEvery until ctx ends. A failed
// sweep is logged and tried again at the next tick.
func (s *Service) Run(ctx context.Context) error {
	tick := time.NewTicker(SweepEvery)
	defer tick.Stop()
	for {
		if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.log.WarnContext(ctx, "suggestion sweep failed; retrying at the next tick", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}
