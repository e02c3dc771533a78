// Package mirror moves tag state between tagbot's store and WeCom: the
// outbox worker sends the mark_tag calls the ledger has queued, and the
// syncer reads the tag library and customers back from WeCom.
//
// # Delivery guarantees of the outbox worker
//
// Every change-set that needs WeCom is written to the store together with
// its outbox entry (store.Apply), so nothing is lost: the worker reads the
// queue from the store on every pass, and after a restart Run simply
// continues where the last process stopped.
//
// An entry is marked done only after WeCom answered errcode 0, in a
// transaction of its own. The one window in which a call can be sent twice
// is a crash (or a store write error) between a successful mark_tag and
// that transaction, or a call that timed out on our side after WeCom had
// applied it: the entry is still pending and is sent again. That is safe
// because mark_tag is idempotent — it sets the listed tags present or absent
// on one relationship, so a repeated call leaves WeCom in the same state —
// and because entries of one relationship are sent strictly in queue
// order, a repeated call can never overtake a later change.
//
// # Lanes and rate
//
// The worker keeps up to Parallel calls in flight (by default the client's
// mark_tag concurrency). Due interactive entries always go before
// background ones (store.ChangeSet.Background: bulk, import, lifecycle,
// merge, "bg-" batches), and an entry goes only when it is the first
// pending one of its relationship, whatever lane the earlier one is in.
// The client's gate (package wecom) keeps the calls within the rate, the
// hourly budget and the concurrency, pauses an API after 45009 and lowers
// its concurrency after 45033; a call it holds back unsent leaves its entry
// untouched and the worker holds off until the pause ends.
//
// # Transient errors and refusals
//
// A transient error (wecom.IsTransient: errcode -1, 45009, HTTP 5xx,
// timeouts, dropped connections) never ends an entry: WeCom may even have
// applied a call whose answer was lost. The entry is retried with a capped
// exponential backoff (from DefaultBackoffBase) for as long as it takes; when its attempts reach
// MaxAttempts the actor is told once that the change is delayed, not lost.
// Only a refusal (84061, 40096, …) fails an entry: Store.OutboxFailed takes
// the change back in the ledger and, in the same transaction, queues the
// notice telling the actor it did not take effect. 40068 (a tag deleted in the console while the call was queued) is
// not a refusal of the whole call: the worker refreshes the library, drops
// the deleted tags from the call and sends the rest; calls are always sent
// without the tags the library knows to be deleted.
//
// # Re-checks
//
// What WeCom reports of a relationship with calls still queued, or changed
// in the ledger after WeCom was read, cannot be trusted, so store.Reconcile
// leaves such a relationship alone and marks it. After every pass the worker
// takes the marked relationships whose calls have all been sent and reads
// them again (WorkerOptions.Recheck, by default Syncer.Recheck): a change
// made in the WeCom client meanwhile is recorded then, as the follower's.
//
// Only one worker may serve a store at a time; within a worker, Run and
// Drain never send concurrently (Run frees its lock whenever it waits).
// A background entry tells its actor nothing by itself, neither a delay nor
// a refusal: the job reports in its own summary (counts per batch by
// errcode are in the store).
package mirror
