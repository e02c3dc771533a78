package statusview

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/display"
)

// maxBatches is how many batches Text lists (pending ones first, then the
// newest finished).
const maxBatches = 10

// Text renders v for a terminal or a chat reply, in Chinese.
func Text(v View) string {
	var b strings.Builder
	fmt.Fprintf(&b, "企业微信同步队列（%s）\n", v.At.In(config.ChinaZone).Format("01-02 15:04:05"))
	fmt.Fprintf(&b, "待发送 %d（交互 %d，后台 %d）", v.Pending, v.Interactive, v.Background)
	if v.Live {
		fmt.Fprintf(&b, "，发送中 %d", v.InFlight)
	}
	fmt.Fprintf(&b, "，已完成 %d，失败 %d%s\n", v.Done, sum(v.Failed), failures(v.Failed))
	switch {
	case v.Live:
		if v.JustStarted { // a few seconds scaled to a minute are no rate
			fmt.Fprintf(&b, "当前速率：刚启动，%.0f 秒内完成 %d 次（上限 %d 次/分", v.RecentSeconds, v.RecentFinished, v.Limit)
		} else {
			fmt.Fprintf(&b, "当前速率 %.0f 次/分（上限 %d 次/分", v.PerMinute, v.Limit)
		}
		if v.Concurrency > 0 {
			fmt.Fprintf(&b, "，并发 %d", v.Concurrency)
		}
		fmt.Fprintf(&b, "），实时数据取于 %s\n", v.LiveAt.In(config.ChinaZone).Format("15:04:05"))
	default:
		fmt.Fprintf(&b, "serve 未运行：没有发送中的调用和实时速率；按上限 %d 次/分估算\n", v.Limit)
	}
	if v.PausedUntil.After(v.At) {
		fmt.Fprintf(&b, "企业微信限频（45009），暂停到 %s 后继续\n", v.PausedUntil.In(config.ChinaZone).Format("15:04:05"))
	}
	if v.Pending > 0 {
		fmt.Fprintf(&b, "预计 %s 后全部发完\n", duration(v.ETASeconds))
	}
	for _, bt := range pick(v.Batches) {
		lane := "交互"
		if bt.Background {
			lane = "后台"
		}
		fmt.Fprintf(&b, "· 批次 %s（%s，%s）：待发 %d，完成 %d，失败 %d%s", display.Name(bt.ID), display.Name(bt.Actor), lane,
			bt.Pending, bt.Done, sum(bt.Failed), failures(bt.Failed))
		if bt.Pending > 0 {
			fmt.Fprintf(&b, "，预计 %s", duration(bt.ETASeconds))
		}
		b.WriteString("\n")
	}
	if n := len(v.Batches) - maxBatches; n > 0 {
		fmt.Fprintf(&b, "……另有 %d 个已完成的批次（tagbot status --json 列出全部）\n", n)
	}
	return strings.TrimRight(b.String(), "\n")
}

// pick lists the batches to show: every pending one, then the newest.
func pick(all []Batch) []Batch {
	var out, done []Batch
	for _, b := range all {
		if b.Pending > 0 {
			out = append(out, b)
		} else {
			done = append(done, b)
		}
	}
	slices.Reverse(done)
	out = append(out, done...)
	return out[:min(len(out), maxBatches)]
}

func sum(m map[int]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// failures lists failures by errcode: "（84061×3，40096×1）".
func failures(m map[int]int) string {
	if len(m) == 0 {
		return ""
	}
	var parts []string
	for _, code := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%d×%d", code, m[code]))
	}
	return "（" + strings.Join(parts, "，") + "）"
}

// duration renders seconds as 约 N 秒/分钟/小时; unknown for -1.
func duration(s float64) string {
	switch d := time.Duration(s) * time.Second; {
	case s < 0:
		return "未知时间"
	case d < time.Minute:
		return fmt.Sprintf("约 %d 秒", int(s))
	case d < time.Hour:
		return fmt.Sprintf("约 %d 分钟", int(d.Minutes()+0.5))
	default:
		return fmt.Sprintf("约 %.1f 小时", d.Hours())
	}
}
