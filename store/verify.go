package store

import (
	"fmt"
	"strings"
)

// Verify checks that the ledger, the projection and the outbox agree:
// replaying every change-set gives exactly the stored current tags and
// tag → relationship keys, every change-set that needs WeCom has its outbox
// entry, and every pending entry is queued. It reads the whole store and is
// meant for tests, `tagbot check` and after a crash. It also checks the
// ledger's hash chain (VerifyChain).
func (s *Store) Verify() error {
	_, err := s.VerifyReport()
	return err
}

// VerifyReport is Verify that also returns what VerifyChain found (its
// error is VerifyChain's, else the first problem of the rest).
func (s *Store) VerifyReport() (ChainReport, error) {
	chain, err := s.VerifyChain()
	if err != nil {
		return chain, err
	}
	return chain, s.view(func(tx *txn) error {
		replay := map[string]map[string]bool{} // customer:follower → tags
		var problems []string
		var ferr error
		scan(tx, "cs:", func(k, v string) bool {
			var cs ChangeSet
			if ferr = decode(k, v, &cs); ferr != nil {
				return false
			}
			if !cs.Effective() {
				return true
			}
			rk := cs.Customer + ":" + cs.Follower
			if replay[rk] == nil {
				replay[rk] = map[string]bool{}
			}
			for _, t := range cs.Add {
				replay[rk][t.ID] = true
			}
			for _, t := range cs.Remove {
				delete(replay[rk], t.ID)
			}
			if !cs.Source.Mirrored() {
				e, err := getOutbox(tx, cs.Outbox)
				if err != nil || e.CS != cs.ID {
					problems = append(problems, fmt.Sprintf("change-set %d: no outbox entry", cs.ID))
				}
			}
			return true
		})
		if ferr != nil {
			return ferr
		}
		projected := map[string]map[string]bool{}
		scan(tx, "rel:", func(k, v string) bool {
			var r Relationship
			if ferr = decode(k, v, &r); ferr != nil {
				return false
			}
			rk := r.Customer + ":" + r.Follower
			projected[rk] = map[string]bool{}
			for id := range r.Tags {
				projected[rk][id] = true
			}
			return true
		})
		if ferr != nil {
			return ferr
		}
		for rk, tags := range replay {
			if !sameSet(tags, projected[rk]) {
				problems = append(problems, fmt.Sprintf("%s: ledger says %v, projection %v", rk, sortedKeys(tags), sortedKeys(projected[rk])))
			}
		}
		for rk, tags := range projected {
			if _, ok := replay[rk]; !ok && len(tags) > 0 {
				problems = append(problems, fmt.Sprintf("%s: projection %v without ledger", rk, sortedKeys(tags)))
			}
		}
		tt := map[string]map[string]bool{}
		scan(tx, "tt:", func(k, _ string) bool {
			parts := strings.SplitN(k[3:], ":", 2)
			if len(parts) == 2 {
				if tt[parts[1]] == nil {
					tt[parts[1]] = map[string]bool{}
				}
				tt[parts[1]][parts[0]] = true
			}
			return true
		})
		for rk, tags := range projected {
			if !sameSet(tags, tt[rk]) {
				problems = append(problems, fmt.Sprintf("%s: tag keys %v, projection %v", rk, sortedKeys(tt[rk]), sortedKeys(tags)))
			}
		}
		scan(tx, "ob:", func(k, v string) bool {
			var e OutboxEntry
			if ferr = decode(k, v, &e); ferr != nil {
				return false
			}
			_, qerr := tx.Get(laneKey(e.Background, e.ID))
			if (e.Status == OutboxStatusPending) != (qerr == nil) {
				problems = append(problems, fmt.Sprintf("outbox %d: status %s, queued %v", e.ID, e.Status, qerr == nil))
			}
			return true
		})
		if ferr != nil {
			return ferr
		}
		derived, err := s.derivedProblems(tx)
		if err != nil {
			return err
		}
		problems = append(problems, derived...)
		if len(problems) > 0 {
			if len(problems) > 10 {
				problems = append(problems[:10], fmt.Sprintf("… and %d more", len(problems)-10))
			}
			return fmt.Errorf("%w: %s", ErrCorrupt, strings.Join(problems, "; "))
		}
		return nil
	})
}

func sameSet(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}
