package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// DemoBot is the whole bot — real callback server, real store in a temp
// dir, outbox worker, commands — against an in-process fake WeCom seeded
// with a demo company. Say types a line as the current employee and
// returns what WeCom would show.
type DemoBot struct {
	Fake *wecomtest.Server
	Main *Main
	User string // the employee typing

	dir  string
	back atomic.Int64 // how far the bot's clock runs behind, while seeding history
	msgs int          // fake WeCom messages already shown
	// seededCalls counts the fake WeCom calls made before the demo started.
	seededCalls int
	cards       map[string]cardView // last card per user
	seq         int
	sent        sentLog // when messages reached the fake WeCom, for the limits
}

// StartDemo starts a demo bot. cfg supplies roles, tag-group policies and
// limits; credentials, api_base, store path and listen address are the
// demo's own, and the periodic full sync is off: the seeded first sync is
// dated three days back, so it would run at once and race the /wecom lines
// (a change it read first would enter the ledger as sync, not wecom-ui).
// Logs go to logw.
func StartDemo(ctx context.Context, cfg *config.Config, logw io.Writer) (*DemoBot, error) {
	dir, err := os.MkdirTemp("", "tagbot-demo-")
	if err != nil {
		return nil, err
	}
	fake := wecomtest.New(wecomtest.Options{})
	SeedDemo(fake)
	UseFake(cfg, fake)
	cfg.Store.Path = dir + "/tagbot.db"
	cfg.Server.Listen = "127.0.0.1:0"
	cfg.WeCom.SyncInterval = 0
	if len(cfg.Roles.Admins) == 0 && len(cfg.Roles.Managers) == 0 {
		for _, u := range DemoUsers {
			switch u.Role {
			case "admin":
				cfg.Roles.Admins = append(cfg.Roles.Admins, u.ID)
			case "manager":
				cfg.Roles.Managers = append(cfg.Roles.Managers, u.ID)
			}
		}
	}
	logger := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: cfg.Log.SlogLevel()}))
	d := &DemoBot{Fake: fake, User: DemoUsers[0].ID, dir: dir, cards: map[string]cardView{}}
	fail := func(err error) (*DemoBot, error) {
		fake.Close()
		os.RemoveAll(dir)
		return nil, err
	}
	if err := demoRules(cfg); err != nil {
		return fail(err)
	}
	if err := demoLifecycle(cfg); err != nil { // lifecycle.go
		return fail(err)
	}
	if d.Main, err = New(cfg, Options{Logger: logger, Now: d.now}); err != nil {
		return fail(err)
	}
	fire := d.Main.Store.Triggers() // the seeded past fires no tag triggers
	d.Main.Store.SetTriggers(nil)
	if err := d.seedHistory(ctx); err != nil {
		d.Main.Store.Close()
		return fail(err)
	}
	d.Main.Store.SetTriggers(fire)
	if err := d.applyDemoPacks(ctx); err != nil {
		d.Main.Store.Close()
		return fail(err)
	}
	if err := d.Main.Start(ctx); err != nil {
		d.Main.Store.Close()
		return fail(err)
	}
	return d, nil
}

// now is the bot's clock: real time, or the past while history is seeded.
func (d *DemoBot) now() time.Time { return time.Now().Add(-time.Duration(d.back.Load())) }

// Close stops the bot, the fake WeCom, and removes the temp dir.
func (d *DemoBot) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := d.Main.Shutdown(ctx)
	d.Fake.Close()
	os.RemoveAll(d.dir)
	return err
}

// Say handles one typed line: `/as <userid>` switches employee, `/click N`
// presses button N of the last card, `/wecom …` changes something on the
// WeCom side (see demoConsoleHelp), `~客户名: 文本` injects a customer
// message, anything else is sent to the bot as the current employee. It
// waits until the bot has answered and returns what WeCom shows.
func (d *DemoBot) Say(ctx context.Context, line string) (string, error) {
	line = strings.TrimSpace(line)
	switch {
	case line == "":
		return "", nil
	case consoleCmd(line, "/as"):
		return d.switchUser(strings.TrimSpace(line[len("/as"):])), nil
	case consoleCmd(line, "/click") && len(d.cards[d.User].Choices) > 0:
		return d.submitChoices(ctx, strings.Fields(line[len("/click"):]))
	case consoleCmd(line, "/click"):
		n, err := strconv.Atoi(strings.TrimSpace(line[len("/click"):]))
		card, ok := d.cards[d.User]
		if err != nil || !ok || n < 1 || n > len(card.Buttons) {
			return "（没有可点的按钮：/click 后面写卡片上的按钮编号，例如 /click 1）", nil
		}
		b := card.Buttons[n-1]
		xml := d.Fake.CallbackEvent(d.User, map[string]string{
			"Event": "template_card_event", "CardType": "button_interaction",
			"EventKey": b.Key, "TaskId": card.TaskID, "ResponseCode": card.ResponseCode,
		})
		return d.deliver(ctx, xml)
	case consoleCmd(line, "/wecom"):
		return d.console(ctx, strings.Fields(line)[1:])
	case strings.HasPrefix(line, "~"):
		return d.inject(ctx, line[1:])
	}
	d.seq++
	msgID := fmt.Sprintf("demo-%d-%d", time.Now().UnixNano(), d.seq)
	return d.deliver(ctx, d.Fake.CallbackText(d.User, line, msgID))
}

// consoleCmd reports whether line is the demo's own command name (any
// letter case: /AS, /Click), alone or followed by a space.
func consoleCmd(line, name string) bool {
	if len(line) < len(name) || !strings.EqualFold(line[:len(name)], name) {
		return false
	}
	return len(line) == len(name) || line[len(name)] == ' ' || line[len(name)] == '\t'
}

func (d *DemoBot) switchUser(id string) string {
	var names []string
	for _, u := range DemoUsers {
		if u.ID == id {
			d.User = id
			return fmt.Sprintf("（现在你是 %s %s，角色：%s）", u.ID, u.Name, commands.Role(d.Main.Config.Role(u.ID)).Label())
		}
		names = append(names, u.ID+" "+u.Name)
	}
	return "（没有这个员工。可选：" + strings.Join(names, "、") + "）"
}

// deliver posts an encrypted callback to the real HTTP server, waits for the
// bot to settle and renders the new messages.
func (d *DemoBot) deliver(ctx context.Context, xml []byte) (string, error) {
	resp, err := d.Fake.Deliver(ctx, d.Main.CallbackURL(), xml)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return "", fmt.Errorf("callback answered %s", resp.Status)
	}
	h, err := d.settle(ctx)
	if err != nil {
		return "", err
	}
	shown := d.render()
	if !h.until.IsZero() {
		shown = strings.TrimPrefix(shown+"\n"+d.heldNote(h), "\n")
	}
	return shown, nil
}

// settle waits until the inbox, the outbox, the classification queue and
// the sender are empty, or
// until only replies the per-member limits hold back are left (then it
// says until when).
func (d *DemoBot) settle(ctx context.Context) (held, error) {
	m := d.Main
	deadline := time.Now().Add(10 * time.Second)
	for quiet, stuck := 0, 0; quiet < 3 && stuck < 3; {
		if _, err := m.TriggerNotes.RunOnce(ctx); err != nil { // notices of tag triggers, at once
			return held{}, err
		}
		m.Sender.Flush(ctx)
		if err := m.Worker.Drain(ctx); err != nil {
			return held{}, err
		}
		in, err := m.Store.InboxPending(1)
		if err != nil {
			return held{}, err
		}
		out, err := m.Store.PendingOutbox(1)
		if err != nil {
			return held{}, err
		}
		acts, err := m.Store.ActivitiesAfter(0, 1) // messages and events not yet classified
		if err != nil {
			return held{}, err
		}
		jobs, err := m.Store.Jobs(true) // background jobs (/bulk) running or not yet reported
		if err != nil {
			return held{}, err
		}
		before := d.sent.noted
		d.note()
		h, isHeld := d.heldBack()
		switch busy := len(in) > 0 || len(out) > 0 || len(acts) > 0 || len(jobs) > 0; {
		case !busy && m.Sender.Pending() == 0:
			quiet, stuck = quiet+1, 0
		case !busy && isHeld && d.sent.noted == before:
			quiet, stuck = 0, stuck+1
		default:
			quiet, stuck = 0, 0
		}
		if stuck == 3 {
			return h, nil
		}
		if time.Now().After(deadline) {
			return held{}, errors.New("机器人 10 秒内没有处理完（原因见运行日志）")
		}
		select {
		case <-ctx.Done():
			return held{}, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return held{}, nil
}

// demoConfig loads configPath; without that file the demo runs on the
// built-in defaults plus the sample group policies config.yaml shows, so
// VIP is protected and 意向程度 exclusive either way.
func demoConfig(configPath string) (*config.Config, error) {
	cfg, err := config.Load(configPath)
	if errors.Is(err, fs.ErrNotExist) {
		cfg, err = config.Default(), nil
		cfg.Groups = config.SampleGroups()
		cfg.Triggers = config.SampleTriggers()
	}
	return cfg, err
}

// Demo runs the terminal chat: lines from in, what WeCom shows to out.
func Demo(ctx context.Context, configPath string, in io.Reader, out io.Writer) error {
	cfg, err := demoConfig(configPath)
	if err != nil {
		return UsageError{err}
	}
	logf, err := os.CreateTemp("", "tagbot-demo-*.log")
	if err != nil {
		return err
	}
	defer os.Remove(logf.Name())
	defer logf.Close()
	d, err := StartDemo(ctx, cfg, logf)
	if err != nil {
		return err
	}
	defer d.Close()
	fmt.Fprintf(out, "tagbot 演示 demo — 假的企业微信已就绪（%d 位客户；运行日志 %s，退出时删除）。\n", len(demoCustomers), logf.Name())
	fmt.Fprintln(out, "你是员工 zhangsan（张三）。试试 /help、/tag 李华 +高意向、/history 王小明、/as lisi（主管）、/as wangwu（管理员）、/click 1、/wecom；quit 退出。")
	fmt.Fprintln(out, "也可以直接说大白话：给李华打上高意向（回复 确认）、王小明有哪些标签、谁改了王小明的标签、撤销、有多少客户是高意向、给李华打上高意向，再把王小明的转介绍去掉。")
	// Lines are read on their own goroutine, so Ctrl-C (ctx) ends the demo
	// — and its deferred clean-up runs — even while it waits for input.
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		readErr <- sc.Err()
		close(lines)
	}()
	// Replies the per-member limits held back are shown when they arrive,
	// also while the demo waits for input, and awaited at the end of input.
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		fmt.Fprintf(out, "%s> ", d.User)
		var line string
	wait:
		for {
			select {
			case <-ctx.Done():
				fmt.Fprintln(out)
				return nil
			case <-tick.C:
				if shown := d.arrived(); shown != "" {
					fmt.Fprintf(out, "\n%s\n%s> ", shown, d.User)
				}
			case l, ok := <-lines:
				if !ok {
					fmt.Fprintln(out)
					d.awaitHeld(ctx, out, tick.C)
					return <-readErr
				}
				line = l
				break wait
			}
		}
		if isQuit(line) {
			return nil
		}
		shown, err := d.Say(ctx, line)
		if err != nil {
			fmt.Fprintln(out, "（演示出错：", err, "）")
			continue
		}
		if shown != "" {
			fmt.Fprintln(out, shown)
		}
	}
}

// isQuit reports whether a demo line asks to leave: quit, exit or 退出,
// with or without a leading slash.
func isQuit(line string) bool {
	switch strings.TrimPrefix(strings.TrimSpace(line), "/") {
	case "quit", "exit", "退出":
		return true
	}
	return false
}
