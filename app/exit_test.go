package app

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
)

// TestExitCode: one cause, one code, however deep the cause is wrapped.
func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, ExitOK},
		{"usage error", UsageError{errors.New("bad flag")}, ExitUsage},
		{"config error", fmt.Errorf("load: %w", &config.Error{Problems: []config.Problem{{Path: "wecom.agent_id", Msg: "x"}}}), ExitUsage},
		{"store in use", fmt.Errorf("sync: %w", store.ErrLocked), ExitUsage},
		{"corrupt store", fmt.Errorf("repair: %w", store.ErrCorrupt), ExitUsage},
		{"runtime failure", errors.New("wecom gettoken: connection refused"), ExitFailure},
		{"interrupted", context.Canceled, ExitFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExitCode(tt.err); got != tt.want {
				t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}
