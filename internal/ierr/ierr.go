// Package ierr words internal errors the one way tagbot shows them: the
// error goes to the log under a number, the user sees only that number,
//
//	内部错误（编号 N），请稍后再试
//
// and an operator finds the log line by searching for error_id=N. The bot's
// message loop and the command router both report through Default, so the
// numbers of one process never collide, and they are unique across restarts
// too (see Numbers).
//
// 内部错误：日志里记下错误和编号，用户只看到编号。
package ierr

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Text returns the reply to a user whose request failed inside tagbot,
// quoting internal-error number n.
func Text(n uint64) string {
	return fmt.Sprintf("内部错误（编号 %d），请稍后再试", n)
}

// epoch is where numbers start counting.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// tick is the unit of a number: a tenth of a second.
const tick = 100 * time.Millisecond

// Numbers hands out internal-error numbers. Each is the count of tenths of a
// second from 2026-01-01 UTC to the moment of the error, or the previous
// number plus one when that is not larger. So numbers only grow within a
// process, and a restarted process starts above every number the previous
// one gave out unless that one gave out more than ten a second for longer
// than the restart took, or the clock was set back.
// The numbers are short enough to read out (nine digits until 2029).
type Numbers struct {
	now  func() time.Time
	mu   sync.Mutex
	last uint64
}

// NewNumbers returns a Numbers reading the clock now (time.Now when nil).
func NewNumbers(now func() time.Time) *Numbers {
	if now == nil {
		now = time.Now
	}
	return &Numbers{now: now}
}

// Next returns a number no earlier call returned.
func (n *Numbers) Next() uint64 {
	var t uint64
	if d := n.now().Sub(epoch); d > 0 {
		t = uint64(d / tick)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.last = max(n.last+1, t)
	return n.last
}

// Report logs err at level Error as msg with error_id=N, err and attrs, and
// returns Text(N) for the user.
func (n *Numbers) Report(ctx context.Context, log *slog.Logger, msg string, err error, attrs ...slog.Attr) string {
	id := n.Next()
	if log == nil {
		log = slog.Default()
	}
	all := append([]slog.Attr{slog.Uint64("error_id", id), slog.String("err", errString(err))}, attrs...)
	log.LogAttrs(ctx, slog.LevelError, msg, all...)
	return Text(id)
}

// errString is err's message, or "<nil>".
func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// Default is the process's one number space, on the wall clock.
var Default = NewNumbers(time.Now)

// Report is Default.Report.
func Report(ctx context.Context, log *slog.Logger, msg string, err error, attrs ...slog.Attr) string {
	return Default.Report(ctx, log, msg, err, attrs...)
}
