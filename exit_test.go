package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/app"
	"github.com/tagbot/tagbot/store"
)

// exitCause is one cause of an exit code, set up afresh for each
// subcommand it applies to.
type exitCause struct {
	name string
	// subs are the subcommands the cause applies to.
	subs []string
	// setup returns the arguments before the subcommand, those after it,
	// and a clean-up to run after the subcommand.
	setup func(t *testing.T) (pre, post []string, done func())
	code  int
	// want is a substring of stdout+stderr that names the cause.
	want string
}

// TestExitCodesPerCause runs every subcommand a cause applies to and
// expects the same exit code from each: one cause, one code.
func TestExitCodesPerCause(t *testing.T) {
	all := []string{"serve", "sync", "check", "repair", "demo", "version"}
	withStore := []string{"serve", "sync", "check", "repair"}
	noop := func() {}
	args := func(pre ...string) func(*testing.T) ([]string, []string, func()) {
		return func(*testing.T) ([]string, []string, func()) { return pre, nil, noop }
	}
	// validConfig is a config with credentials pointing at a fake WeCom and
	// a store path of the caller's choosing ("" for a fresh one).
	validConfig := func(t *testing.T, storePath string) string {
		cfg, db, _ := fakeConfig(t, "127.0.0.1:0")
		if storePath == "" {
			return cfg
		}
		b, err := os.ReadFile(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return writeFile(t, "store.yaml", strings.Replace(string(b), db, storePath, 1))
	}
	causes := []exitCause{
		{name: "unexpected argument", subs: []string{"serve", "sync", "repair", "demo", "version"}, code: app.ExitUsage, want: "unexpected arguments",
			setup: func(*testing.T) ([]string, []string, func()) { return nil, []string{"extra"}, noop }},
		// check takes one file (a backup): a second argument is unexpected.
		{name: "unexpected second argument", subs: []string{"check"}, code: app.ExitUsage, want: "unexpected arguments",
			setup: func(*testing.T) ([]string, []string, func()) { return nil, []string{"one", "extra"}, noop }},
		{name: "backup or export without its argument", subs: []string{"backup", "export"}, code: app.ExitUsage, want: "want one argument",
			setup: func(*testing.T) ([]string, []string, func()) { return nil, nil, noop }},
		{name: "help asked for", subs: all, code: app.ExitOK, want: "用法 usage",
			setup: func(*testing.T) ([]string, []string, func()) { return nil, []string{"-h"}, noop }},
		{name: "unknown flag", subs: all, code: app.ExitUsage, want: "flag provided but not defined",
			setup: func(*testing.T) ([]string, []string, func()) { return nil, []string{"-nope"}, noop }},
		{name: "unknown config key", subs: []string{"serve", "sync", "check", "demo"}, code: app.ExitUsage, want: "did you mean agent_id",
			setup: func(t *testing.T) ([]string, []string, func()) {
				return []string{"-config", writeFile(t, "a.yaml", "wecom:\n  agentid: 1\n")}, nil, noop
			}},
		// demo runs on the built-in defaults when there is no config file.
		{name: "missing config file", subs: withStore, code: app.ExitUsage, want: "nonexistent",
			setup: args("-config", "/nonexistent/tagbot.yaml")},
		{name: "missing credentials", subs: []string{"serve", "sync"}, code: app.ExitUsage, want: "wecom.corp_id: required",
			setup: func(t *testing.T) ([]string, []string, func()) {
				return []string{"-config", writeFile(t, "c.yaml", "store:\n  path: "+filepath.Join(t.TempDir(), "x.db")+"\n")}, nil, noop
			}},
		{name: "store in use", subs: withStore, code: app.ExitUsage, want: "in use by another tagbot",
			setup: func(t *testing.T) ([]string, []string, func()) {
				db := filepath.Join(t.TempDir(), "tagbot.db")
				st, err := store.Open(db, store.Options{})
				if err != nil {
					t.Fatal(err)
				}
				return []string{"-config", validConfig(t, db)}, nil, func() { st.Close() }
			}},
		{name: "not a tagbot store", subs: withStore, code: app.ExitUsage, want: "corrupt",
			setup: func(t *testing.T) ([]string, []string, func()) {
				db := writeFile(t, "tagbot.db", "definitely not a store\n")
				return []string{"-config", validConfig(t, db)}, nil, noop
			}},
		{name: "store path is a directory", subs: withStore, code: app.ExitUsage, want: "store",
			setup: func(t *testing.T) ([]string, []string, func()) {
				return []string{"-config", validConfig(t, t.TempDir())}, nil, noop
			}},
		{name: "WeCom unreachable", subs: []string{"serve", "sync"}, code: app.ExitFailure, want: "wecom",
			setup: func(t *testing.T) ([]string, []string, func()) {
				cfg, _, fake := fakeConfig(t, "127.0.0.1:0")
				fake.Close()
				return []string{"-config", cfg}, nil, noop
			}},
		{name: "torn last transaction", subs: []string{"serve", "sync", "check"}, code: app.ExitUsage, want: "tagbot repair",
			setup: func(t *testing.T) ([]string, []string, func()) {
				db := filepath.Join(t.TempDir(), "tagbot.db")
				st, err := store.Open(db, store.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if err := st.SetMeta("a", "1", 0); err != nil {
					t.Fatal(err)
				}
				size := st.FileSize()
				st.Close()
				if err := os.Truncate(db, size-5); err != nil {
					t.Fatal(err)
				}
				return []string{"-config", validConfig(t, db)}, nil, noop
			}},
		{name: "no store yet", subs: []string{"check", "repair"}, code: app.ExitUsage, want: "run tagbot sync first",
			setup: func(t *testing.T) ([]string, []string, func()) {
				return []string{"-config", validConfig(t, "")}, nil, noop
			}},
		{name: "ok", subs: []string{"check", "repair", "version"}, code: app.ExitOK, want: "",
			setup: func(t *testing.T) ([]string, []string, func()) {
				db := filepath.Join(t.TempDir(), "tagbot.db")
				st, err := store.Open(db, store.Options{})
				if err != nil {
					t.Fatal(err)
				}
				st.Close()
				return []string{"-config", validConfig(t, db)}, nil, noop
			}},
	}
	for _, c := range causes {
		for _, sub := range c.subs {
			t.Run(c.name+"/"+sub, func(t *testing.T) {
				pre, post, done := c.setup(t)
				code, out, errs := runCLI(append(append(pre, sub), post...)...)
				done()
				if code != c.code {
					t.Errorf("exit code = %d, want %d", code, c.code)
				}
				if !strings.Contains(out+errs, c.want) {
					t.Errorf("output does not name the cause (want %q):\n%s", c.want, out+errs)
				}
			})
		}
	}
}

// TestExitCodeTableInREADME: the README's exit-code table lists exactly
// the codes app defines, with the wording main.go's doc uses.
func TestExitCodeTableInREADME(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for code, word := range map[int]string{app.ExitOK: "ok", app.ExitFailure: "runtime failure", app.ExitUsage: "bad usage"} {
		row := fmt.Sprintf("| %d | %s", code, word)
		if !strings.Contains(string(b), row) {
			t.Errorf("README lacks the exit-code row %q", row)
		}
	}
}
