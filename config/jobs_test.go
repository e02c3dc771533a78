package config

import (
	"strings"
	"testing"
)

func TestJobsKeys(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       Jobs   // when no error
		err        string // a problem in the error, "" for none
	}{
		{"defaults", "", Jobs{Chunk: DefaultJobChunk, MaxBacklog: DefaultJobMaxBacklog}, ""},
		{"set", "jobs:\n  chunk: 5\n  max_backlog: 10\n", Jobs{Chunk: 5, MaxBacklog: 10}, ""},
		{"chunk zero", "jobs:\n  chunk: 0\n", Jobs{}, "config.yaml:2: jobs.chunk: must be between 1 and 10000"},
		{"backlog zero", "jobs:\n  max_backlog: 0\n", Jobs{}, "config.yaml:2: jobs.max_backlog: must be at least 1"},
		{"unknown key", "jobs:\n  chunks: 5\n", Jobs{}, "jobs.chunks: unknown key (did you mean chunk?)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.yaml), "config.yaml", func(string) string { return "" })
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Jobs != tc.want {
				t.Errorf("jobs = %+v, want %+v", c.Jobs, tc.want)
			}
		})
	}
}
