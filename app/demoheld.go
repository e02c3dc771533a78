package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tagbot/tagbot/bot"
)

// The sender never exceeds WeCom's per-member message limits (30 a minute,
// 1,000 an hour): replies past them wait in the store and go out when the
// window allows. The demo notes when each message reached the fake WeCom
// (on the bot's clock), so it can tell the user that replies are held back
// and roughly when they will arrive, instead of waiting for them.

// sentLog is when the fake WeCom received messages, per member, on the
// bot's clock (the last hour).
type sentLog struct {
	noted int // fake WeCom messages already noted
	at    map[string][]time.Time
}

// note records the messages that reached the fake WeCom since the last call.
func (d *DemoBot) note() {
	all := d.Fake.Messages()
	if d.sent.at == nil {
		d.sent.at = map[string][]time.Time{}
	}
	now := d.now()
	for _, m := range all[d.sent.noted:] {
		for _, u := range strings.Split(m.ToUser, "|") {
			ts := d.sent.at[u]
			for len(ts) > 0 && now.Sub(ts[0]) >= time.Hour {
				ts = ts[1:]
			}
			d.sent.at[u] = append(ts, now)
		}
	}
	d.sent.noted = len(all)
}

// limits returns the per-member limits the sender applies (0 for none).
func (d *DemoBot) limits() (perMinute, perHour int) {
	perMinute, perHour = d.Main.Config.Messages.PerUserPerMinute, d.Main.Config.Messages.PerUserPerHour
	if perMinute == 0 {
		perMinute = bot.DefaultPerUserPerMinute
	}
	if perHour == 0 {
		perHour = bot.DefaultPerUserPerHour
	}
	return max(perMinute, 0), max(perHour, 0)
}

// held is why and until when replies to some member are held back.
type held struct {
	until time.Time
	limit int           // the limit that holds them
	per   time.Duration // its window: a minute or an hour
}

// heldBack reports the member limit that holds replies back now, if any
// (the one that frees latest).
func (d *DemoBot) heldBack() (held, bool) {
	perMinute, perHour := d.limits()
	now := d.now()
	var h held
	for _, ts := range d.sent.at {
		for _, w := range []struct {
			limit int
			per   time.Duration
		}{{perMinute, time.Minute}, {perHour, time.Hour}} {
			if w.limit == 0 || len(ts) < w.limit {
				continue
			}
			if free := ts[len(ts)-w.limit].Add(w.per); free.After(now) && free.After(h.until) {
				h = held{until: free, limit: w.limit, per: w.per}
			}
		}
	}
	return h, !h.until.IsZero()
}

// heldNote tells the user in Chinese why replies wait and when they come.
func (d *DemoBot) heldNote(h held) string {
	window := "每分钟"
	if h.per == time.Hour {
		window = "每小时"
	}
	secs := int(h.until.Sub(d.now()).Round(time.Second) / time.Second)
	return fmt.Sprintf("（企业微信限制每位成员%s最多收 %d 条应用消息：其余回复已排队，约 %d 秒后送达，到时会显示在这里）", window, h.limit, max(secs, 1))
}

// arrived renders the messages that reached the fake WeCom since the last
// call (held replies the sender has since sent), or "".
func (d *DemoBot) arrived() string {
	d.note()
	return d.render()
}

// awaitHeld waits, at the end of the input, for the replies still queued
// and prints them as they arrive (Ctrl-C, i.e. ctx, stops waiting).
func (d *DemoBot) awaitHeld(ctx context.Context, out io.Writer, tick <-chan time.Time) {
	if shown := d.arrived(); shown != "" {
		fmt.Fprintln(out, shown)
	}
	n := d.Main.Sender.Pending()
	if n <= 0 {
		return
	}
	note := "（还有回复在排队，送达后退出；Ctrl-C 立即退出）"
	if h, ok := d.heldBack(); ok {
		note = strings.TrimSuffix(d.heldNote(h), "）") + "；送达后退出，Ctrl-C 立即退出）"
	}
	fmt.Fprintln(out, note)
	for d.Main.Sender.Pending() > 0 {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			if shown := d.arrived(); shown != "" {
				fmt.Fprintln(out, shown)
			}
		}
	}
	if shown := d.arrived(); shown != "" {
		fmt.Fprintln(out, shown)
	}
}
