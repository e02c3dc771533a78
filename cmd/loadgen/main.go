// Command loadgen fires encrypted WeCom text callbacks at tagbot's callback
// server at a fixed rate and reports the ack latency (POST to 200) and errors.
//
// By default it runs everything in-process on loopback: a fake WeCom, a store
// in a temp dir, the real bot.Server and message loop with a no-op handler;
// it then also reports how many callbacks the loop processed while the
// generator fired, the backlog left at the last ack and how long that
// backlog took to drain, and the process's CPU use (client included).
// With -url it targets an already running server instead (loopback only),
// signing with -token/-aeskey/-corpid. Runs are bounded in count and time.
//
//	go run ./cmd/loadgen -rate 200 -duration 10s
//	go run ./cmd/loadgen -url http://127.0.0.1:8080/wecom/callback -token T -aeskey K -corpid C
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/tagbot/tagbot/wecom/wxcrypt"
)

// Bounds that keep a run short and local.
const (
	maxRate     = 10000
	maxDuration = 5 * time.Minute
	maxInFlight = 512
)

// config is the parsed command line.
type config struct {
	rate     int
	duration time.Duration
	users    int
	from     string   // when set, every callback is from this member
	texts    []string // message texts, sent in turn (default /find 张三)
	timeout  time.Duration
	url      string
	token    string
	aesKey   string
	corpID   string
	sync     string
	profile  string
	netHTTP  bool
}

func main() {
	var c config
	flag.IntVar(&c.rate, "rate", 200, "callbacks per second (at most 10000)")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "how long to fire (at most 5m)")
	flag.IntVar(&c.users, "users", 50, "distinct sending members")
	flag.StringVar(&c.from, "from", "", "send every callback as this member (default user000, user001, …)")
	flag.Func("text", "a message text to send; repeat for several, sent in turn (default \"/find 张三\")", func(v string) error {
		c.texts = append(c.texts, v)
		return nil
	})
	flag.DurationVar(&c.timeout, "timeout", 5*time.Second, "per-request timeout")
	flag.StringVar(&c.url, "url", "", "external callback URL on loopback (default: run a server in-process)")
	flag.StringVar(&c.token, "token", "", "callback Token of the external server")
	flag.StringVar(&c.aesKey, "aeskey", "", "EncodingAESKey of the external server")
	flag.StringVar(&c.corpID, "corpid", "", "corp id of the external server")
	flag.StringVar(&c.sync, "sync", "every_second", "store sync policy of the in-process server")
	flag.BoolVar(&c.netHTTP, "nethttp", false, "post through net/http's client (default for https; http:// targets get a lighter raw HTTP/1.1 client)")
	flag.StringVar(&c.profile, "cpuprofile", "", "write a CPU profile of the firing to this file")
	flag.Parse()
	if err := run(c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// run validates c, sets up the target and fires.
func run(c config, out io.Writer) error {
	for _, t := range c.texts {
		if t == "" || strings.Contains(t, "]]>") {
			return fmt.Errorf("-text %q: need a non-empty text without \"]]>\"", t)
		}
	}
	if c.rate <= 0 || c.rate > maxRate || c.duration <= 0 || c.duration > maxDuration || c.users <= 0 {
		return fmt.Errorf("need 0 < rate <= %d, 0 < duration <= %s and users > 0", maxRate, maxDuration)
	}
	var (
		target string
		crypto *wxcrypt.Crypto
		loc    *local
		err    error
	)
	if c.url != "" {
		if err := checkLoopback(c.url); err != nil {
			return err
		}
		if crypto, err = wxcrypt.New(c.token, c.aesKey, c.corpID); err != nil {
			return fmt.Errorf("callback crypto: %w", err)
		}
		target = c.url
	} else {
		if loc, err = startLocal(c); err != nil {
			return err
		}
		defer loc.close()
		target, crypto = loc.url, loc.crypto
	}
	reqs, err := newRequests(c, target, crypto)
	if err != nil {
		return err
	}
	defer reqs.close()
	client, err := newPoster(target, c.timeout, c.netHTTP)
	if err != nil {
		return err
	}
	defer client.close()
	stop, err := startProfile(c.profile)
	if err != nil {
		return err
	}
	cpu0, machine0 := cpuTime(), readMachine()
	res := fire(c, client, reqs)
	res.cpu, res.machine = cpuTime()-cpu0, readMachine().busySince(machine0)
	stop()
	report(out, c, target, res)
	fmt.Fprintln(out, reqs.note)
	if loc != nil {
		processed := loc.processed()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		start := time.Now()
		n, err := loc.drain(ctx, res.ok)
		if err != nil {
			return fmt.Errorf("waiting for the loop: %w", err)
		}
		fmt.Fprintf(out, "loop: %d processed while firing (%.0f/s), backlog %d at the last ack, %d in all, inbox empty %s after the last ack\n",
			processed, float64(processed)/res.elapsed.Seconds(), res.ok-processed, n, time.Since(start).Round(time.Millisecond))
		// CPU per callback counts the drain too, so work the loop put off
		// is not missed; it barely depends on what else the machine runs.
		fmt.Fprintf(out, "cost: %.0f µs of CPU per callback, stored and processed (generator included)\n",
			float64(cpuTime()-cpu0)/float64(time.Microsecond)/float64(max(n, 1)))
	}
	if res.ok == 0 {
		return errors.New("no callback was acknowledged")
	}
	return nil
}

// checkLoopback refuses any target that is not on this machine's loopback.
func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("bad -url %q", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-url must be on loopback (127.0.0.0/8, ::1 or localhost), not %q", host)
}

// result is what a run measured.
type result struct {
	sent, ok  int
	errors    map[string]int
	latencies []time.Duration
	late      int // requests started more than 10 ms after their slot
	elapsed   time.Duration
	cpu       time.Duration // process CPU (user+system) while firing
	machine   float64       // percent of all cores busy while firing, any process; -1 unknown
}

// fire sends rate×duration callbacks on an open-loop schedule: request i
// is due i/rate after the start and goes to one of maxInFlight workers
// (the schedule waits while all are busy, and counts a late start).
func fire(c config, client poster, reqs *requests) result {
	total := int(float64(c.rate) * c.duration.Seconds())
	tallies := make([]tally, maxInFlight)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := range tallies {
		wg.Add(1)
		go func(t *tally) {
			defer wg.Done()
			var scratch []byte
			for i := range jobs {
				req, err := reqs.get(i, scratch[:0])
				var d time.Duration
				if err == nil {
					scratch = req
					d, err = post(client, req)
				}
				t.add(d, err)
			}
		}(&tallies[w])
	}
	interval := time.Second / time.Duration(c.rate)
	late := 0
	start := time.Now()
	for i := 0; i < total; i++ {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		jobs <- i
		if time.Since(due) > 10*time.Millisecond {
			late++
		}
	}
	close(jobs)
	wg.Wait()
	res := result{sent: total, late: late, elapsed: time.Since(start), errors: map[string]int{}, latencies: make([]time.Duration, 0, total)}
	for _, t := range tallies {
		res.ok += len(t.latencies)
		res.latencies = append(res.latencies, t.latencies...)
		for msg, n := range t.errors {
			res.errors[msg] += n
		}
	}
	return res
}

// tally is what one worker measured.
type tally struct {
	latencies []time.Duration
	errors    map[string]int
}

// add counts one request: its latency, or its error.
func (t *tally) add(d time.Duration, err error) {
	if err == nil {
		t.latencies = append(t.latencies, d)
		return
	}
	if t.errors == nil {
		t.errors = map[string]int{}
	}
	t.errors[err.Error()]++
}

// sender is the member sending callback i.
func (c config) sender(i int) string {
	if c.from != "" {
		return c.from
	}
	return fmt.Sprintf("user%03d", i%c.users)
}

// text is the message text of callback i.
func (c config) text(i int) string {
	if len(c.texts) == 0 {
		return "/find 张三"
	}
	return c.texts[i%len(c.texts)]
}

// post sends one request and times it up to the answer.
func post(client poster, req []byte) (time.Duration, error) {
	t0 := time.Now()
	status, err := client.post(req)
	d := time.Since(t0)
	if err != nil {
		return 0, transportError(err)
	}
	if status != http.StatusOK {
		return 0, fmt.Errorf("HTTP %d", status)
	}
	return d, nil
}

// report prints the figures as a table.
func report(out io.Writer, c config, target string, r result) {
	sort.Slice(r.latencies, func(i, j int) bool { return r.latencies[i] < r.latencies[j] })
	pct := func(q float64) string {
		if len(r.latencies) == 0 {
			return "-"
		}
		return fmtDur(r.latencies[int(q*float64(len(r.latencies)-1))])
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "rate/s\tduration\tsent\tok\terrors\tachieved/s\tlate starts\tp50\tp90\tp99\tmax\tcpu\t")
	maxs := "-"
	if n := len(r.latencies); n > 0 {
		maxs = fmtDur(r.latencies[n-1])
	}
	fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%d\t%.0f\t%d\t%s\t%s\t%s\t%s\t%.0f%%\t\n", c.rate, c.duration, r.sent, r.ok, r.sent-r.ok,
		float64(r.sent)/r.elapsed.Seconds(), r.late, pct(0.50), pct(0.90), pct(0.99), maxs, cpuShare(r.cpu, r.elapsed))
	tw.Flush()
	fmt.Fprintf(out, "cpu: %.0f%% of one core while firing, this machine has %d (this process: the generator and, in-process, the server and loop); machine %s busy\n",
		cpuShare(r.cpu, r.elapsed), runtime.NumCPU(), fmtBusy(r.machine))
	fmt.Fprintf(out, "target: %s\n", target)
	for msg, n := range r.errors {
		fmt.Fprintf(out, "error %q × %d\n", msg, n)
	}
}

// fmtDur prints a latency in milliseconds with two decimals.
func fmtDur(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}
