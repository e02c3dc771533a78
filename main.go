// Command tagbot runs customer-tag operations for WeCom (企业微信) companies:
// a self-built app that employees chat with to tag customers, with every
// change kept in an append-only ledger and mirrored to WeCom.
//
//	tagbot [-config config.yaml] serve     run the bot (callback server, workers)
//	tagbot [-config config.yaml] sync      pull the tag library and every customer from WeCom
//	tagbot [-config config.yaml] demo      the whole bot against an in-process fake WeCom, in the terminal
//	tagbot [-config config.yaml] check [--anchor] [--against SEQ:HASH] [FILE]
//	                                       verify (read-only) the last transaction, the hash chain, and that ledger, current tags and outbox agree
//	                                       (of FILE, a backup, instead of store.path)
//	tagbot [-config config.yaml] backup [--force] OUT
//	                                       write a consistent copy of the store to OUT, also while serve runs
//	tagbot [-config config.yaml] export [--since T] [--format jsonl|csv] ledger|customers|library
//	                                       stream the ledger or the current state to stdout
//	tagbot [-config config.yaml] repair    cut off a torn last transaction, rebuild what derives from the ledger
//	tagbot [-config config.yaml] classify  run the classification rules over JSONL chats on stdin
//	tagbot [-config config.yaml] lifecycle --dry-run
//	                                       what the lifecycle rules would change now (serve stopped)
//	tagbot [-config config.yaml] pack apply FILE
//	                                       create a rule pack's missing tag groups and tags on WeCom
//	tagbot version
//	tagbot help                            this usage (also -h, --help; exit 0)
//
// Exit codes (app.ExitCode, the same for one cause in every subcommand; the
// README has the table): 0 ok, 1 runtime failure, 2 bad usage, bad
// configuration, a store in use or an unreadable store.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/tagbot/tagbot/app"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	app.Version = version
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `用法 usage: tagbot [-config config.yaml] <command>

commands:
  serve     run the bot: WeCom callback server, message loop, outbox worker
  sync      pull the tag library and every customer from WeCom into the store
  demo      the whole bot against an in-process fake WeCom, chat in the terminal
  check     verify (read-only) the store: its last transaction, the ledger's hash
            chain, and that ledger, current tags and outbox agree
            --anchor prints the chain's head to write down; --against SEQ:HASH
            checks an anchor written down earlier; check FILE checks FILE
            (a backup) instead of store.path
  backup [--force] OUT
            write a consistent copy of the store to OUT (0600, atomically),
            through a running serve (its socket beside the store), else
            from the file
  export [--since T] [--format jsonl|csv] ledger|customers|library
            stream the whole ledger (oldest first; --since a time or date)
            or the current customers or tag library to stdout
  status [--json]
            the outbox queue: pending, in flight, done, failed by errcode,
            current rate, ETA, per batch; through a running serve (its
            socket beside the store), else from the file (counts only)
  repair    cut off a torn last transaction (kept aside), rebuild the current
            tags, indexes and queues from the ledger and the outbox
  classify  run the rules (rules:, rule_packs:) over JSONL on stdin, write
            {"id","tags","rules"} lines; no WeCom, no store (classify -h)
  lifecycle --dry-run
            what the lifecycle rules (lifecycle:) would change now, every
            customer named; changes nothing (stop serve first)
  pack apply FILE
            create the rule pack's missing tag groups and tags on WeCom and
            record them in the store (stop serve first); run twice: nothing new
  import [--apply] [--as USERID] [--use-suggested] [--create-tags] [--report OUT] FILE
            import customer tags from a CSV (UTF-8 or GBK) or XLSX: a dry run
            (changes, unknown customers and tags, shifted rows); --apply applies
            it as one undoable batch with a progress bar (stop serve first)
  version   print the version
  help      print this help (also -h, --help)
`

// commands are the subcommands run knows; anything else is an unknown command.
var commands = map[string]bool{"serve": true, "sync": true, "demo": true, "check": true, "repair": true, "classify": true, "pack": true, "backup": true, "export": true, "lifecycle": true, "import": true, "status": true, "version": true, "help": true}

// run is main without os.Exit, so tests can call it.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	global := flag.NewFlagSet("tagbot", flag.ContinueOnError)
	global.SetOutput(stderr)
	global.Usage = func() {} // printed below: to stdout when asked for, else to stderr
	configPath := global.String("config", "config.yaml", "path to config.yaml")
	if err := global.Parse(args); err != nil {
		return usageExit(err, stdout, stderr)
	}
	rest := global.Args()
	if len(rest) == 0 {
		fmt.Fprint(stderr, usage)
		return app.ExitUsage
	}
	cmd, rest := rest[0], rest[1:]
	if !commands[cmd] {
		fmt.Fprintf(stderr, "tagbot: unknown command %q\n\n%s", cmd, usage)
		return app.ExitUsage
	}
	if cmd == "help" { // help asked for is not an error, whatever follows
		fmt.Fprint(stdout, usage)
		return app.ExitOK
	}
	sub := flag.NewFlagSet(cmd, flag.ContinueOnError)
	sub.SetOutput(stderr)
	sub.Usage = func() {}
	sub.StringVar(configPath, "config", *configPath, "path to config.yaml")
	if cmd == "pack" { // pack takes a verb: pack apply [-config F] FILE
		if len(rest) == 0 || rest[0] != "apply" {
			fmt.Fprintf(stderr, "tagbot pack: want \"pack apply FILE\"\n\n%s", usage)
			return app.ExitUsage
		}
		rest = rest[1:]
	}
	var checkOpts app.CheckOptions
	if cmd == "check" {
		sub.BoolVar(&checkOpts.Anchor, "anchor", false, "print the ledger's head (SEQ:HASH) to write down")
		sub.StringVar(&checkOpts.Against, "against", "", "an anchor SEQ:HASH printed earlier by --anchor")
	}
	var backupForce bool
	if cmd == "backup" {
		sub.BoolVar(&backupForce, "force", false, "replace OUT when it is an existing backup file")
	}
	var dryRun bool
	if cmd == "lifecycle" {
		sub.BoolVar(&dryRun, "dry-run", false, "show what the lifecycle rules would change now, change nothing")
	}
	var statusOpts app.StatusOptions
	if cmd == "status" {
		sub.BoolVar(&statusOpts.JSON, "json", false, "print the status as JSON")
	}
	var exportOpts app.ExportOptions
	if cmd == "export" {
		sub.StringVar(&exportOpts.Since, "since", "", "ledger only: change-sets at or after this time (RFC 3339 or 2006-01-02, China time)")
		sub.StringVar(&exportOpts.Format, "format", "jsonl", "jsonl or csv")
	}
	var importOpts app.ImportOptions
	if cmd == "import" {
		importOpts.Bind(sub)
	}
	positional, err := parseInterleaved(sub, rest, cmd == "export" || cmd == "backup" || cmd == "check" || cmd == "import")
	if err != nil {
		if cmd == "classify" && errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, app.ClassifyHelp)
			return app.ExitOK
		}
		return usageExit(err, stdout, stderr)
	}
	sub = positional
	var packFile string
	switch {
	case (cmd == "backup" || cmd == "export") && sub.NArg() != 1:
		fmt.Fprintf(stderr, "tagbot %s: want one argument, got %v\n\n%s", cmd, sub.Args(), usage)
		return app.ExitUsage
	case cmd == "backup" || cmd == "export" || (cmd == "check" && sub.NArg() == 1):
		packFile = sub.Arg(0) // the file, or what to export
	case (cmd == "pack" || cmd == "import") && sub.NArg() == 1:
		packFile = sub.Arg(0)
	case cmd == "import":
		fmt.Fprintf(stderr, "tagbot import: want one CSV or XLSX file, got %v\n", sub.Args())
		return app.ExitUsage
	case cmd == "pack":
		fmt.Fprintf(stderr, "tagbot pack apply: want one pack file, got %v\n", sub.Args())
		return app.ExitUsage
	case cmd == "lifecycle" && !dryRun:
		fmt.Fprintf(stderr, "tagbot lifecycle: want --dry-run (run the rules in chat with /lifecycle run)\n\n%s", usage)
		return app.ExitUsage
	case sub.NArg() > 0:
		fmt.Fprintf(stderr, "tagbot %s: unexpected arguments %v\n", cmd, sub.Args())
		return app.ExitUsage
	}

	// SIGHUP (the terminal went away) ends the demo as cleanly as Ctrl-C;
	// serve reloads the classification rules on it instead.
	stopOn := []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}
	var hup chan os.Signal
	if cmd == "serve" {
		stopOn = stopOn[:2]
		hup = make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
	}
	ctx, stop := signal.NotifyContext(context.Background(), stopOn...)
	defer stop()

	switch cmd {
	case "version":
		fmt.Fprintln(stdout, "tagbot", version)
		return app.ExitOK
	case "serve":
		err = app.ServeWithReload(ctx, *configPath, stderr, hup)
	case "sync":
		err = app.Sync(ctx, *configPath, stdout, stderr)
	case "check":
		checkOpts.File = packFile
		err = app.Check(*configPath, checkOpts, stdout)
	case "backup":
		err = app.Backup(ctx, *configPath, app.BackupOptions{Out: packFile, Force: backupForce}, stdout)
	case "export":
		exportOpts.What = packFile
		err = app.Export(ctx, *configPath, exportOpts, stdout)
	case "status":
		err = app.Status(ctx, *configPath, statusOpts, stdout)
	case "repair":
		err = app.Repair(*configPath, stdout)
	case "classify":
		err = app.ClassifyCLI(*configPath, stdin, stdout, stderr, nil)
	case "lifecycle":
		err = app.LifecycleDryRun(ctx, *configPath, stdout)
	case "pack":
		err = app.ApplyPack(ctx, *configPath, packFile, stdout, stderr)
	case "demo":
		err = app.Demo(ctx, *configPath, stdin, stdout)
	case "import":
		importOpts.File = packFile
		err = app.ImportCLI(ctx, *configPath, importOpts, stdout, stderr)
	}
	if err != nil {
		fmt.Fprintln(stderr, "tagbot:", err)
	}
	return app.ExitCode(err)
}

// parseInterleaved parses fs's flags from args; with interleaved, flags
// may also follow the positional arguments (`export ledger --since T`).
// It returns a flag set whose Args are the positional arguments.
func parseInterleaved(fs *flag.FlagSet, args []string, interleaved bool) (*flag.FlagSet, error) {
	if err := fs.Parse(args); err != nil || !interleaved {
		return fs, err
	}
	var pos []string
	for fs.NArg() > 0 {
		pos = append(pos, fs.Arg(0))
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return fs, err
		}
	}
	out := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
	out.Parse(append([]string{"--"}, pos...))
	return out, nil
}

// usageExit handles a flag parse error: -h or --help prints the usage to
// stdout and exits 0; a bad flag (flag already said which) prints it to
// stderr and exits ExitUsage.
func usageExit(err error, stdout, stderr io.Writer) int {
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return app.ExitOK
	}
	fmt.Fprint(stderr, usage)
	return app.ExitUsage
}
