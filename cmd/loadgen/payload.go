package main

import (
	"fmt"
	"net/url"
	"strconv"
	"syscall"
	"time"

	"github.com/tagbot/tagbot/wecom/wxcrypt"
)

// Runs up to these bounds have every request built before the firing starts
// (see prebuilt); longer ones build each request as it is sent. The time
// bound keeps the timestamps signed at the start within a server's window.
const (
	prebuildMaxRequests = 200_000
	prebuildMaxDuration = time.Minute
)

// requests hands out the requests of a run: built before it when it is
// short enough (prebuildMaxRequests, prebuildMaxDuration), else as sent.
type requests struct {
	b    *builder
	pre  *prebuilt // nil: built as sent
	note string    // how, for the report
}

// newRequests prepares the requests of a run of c against target.
func newRequests(c config, target string, crypto *wxcrypt.Crypto) (*requests, error) {
	b, err := newBuilder(c, target, crypto)
	if err != nil {
		return nil, err
	}
	r := &requests{b: b, note: "requests: encrypted and signed as they were sent"}
	total := int(float64(c.rate) * c.duration.Seconds())
	if total > prebuildMaxRequests || c.duration > prebuildMaxDuration {
		return r, nil
	}
	start := time.Now()
	if r.pre, err = prebuild(b, total); err != nil {
		return nil, err
	}
	r.note = fmt.Sprintf("requests: %d encrypted and signed before firing (%.1f MB, %s), outside the Go heap",
		total, float64(r.pre.size())/1e6, time.Since(start).Round(time.Millisecond))
	return r, nil
}

// get is request i; built as sent, it is appended to scratch.
func (r *requests) get(i int, scratch []byte) ([]byte, error) {
	if r.pre != nil {
		return r.pre.request(i), nil
	}
	return r.b.appendRequest(scratch, i, time.Now())
}

// close releases prebuilt requests.
func (r *requests) close() {
	if r.pre != nil {
		r.pre.close()
	}
}

// builder writes callback i of a run as a raw HTTP/1.1 request: encrypted
// and signed as WeCom does, with a MsgId and nonce of its own.
type builder struct {
	c      config
	crypto *wxcrypt.Crypto
	host   string // Host header
	uri    string // request target up to the signed query, ending in '?' or '&'
	base   int64  // MsgId of callback 0; unique across runs
}

// newBuilder returns the builder of a run against target.
func newBuilder(c config, target string, crypto *wxcrypt.Crypto) (*builder, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("bad target %q", target)
	}
	sep := "?"
	if u.RawQuery != "" {
		sep = "&"
	}
	return &builder{c: c, crypto: crypto, host: u.Host, uri: u.RequestURI() + sep, base: time.Now().UnixNano() / 1000}, nil
}

// appendRequest appends request i, timestamped now, to dst.
func (b *builder) appendRequest(dst []byte, i int, now time.Time) ([]byte, error) {
	msgID := b.base + int64(i)
	ts := strconv.FormatInt(now.Unix(), 10)
	corp := b.crypto.ReceiverID()
	inner := "<xml><ToUserName><![CDATA[" + corp + "]]></ToUserName><FromUserName><![CDATA[" + b.c.sender(i) +
		"]]></FromUserName><CreateTime>" + ts + "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[" + b.c.text(i) +
		"]]></Content><MsgId>" + strconv.FormatInt(msgID, 10) + "</MsgId><AgentID>1000002</AgentID></xml>"
	enc, err := b.crypto.Seal([]byte(inner))
	if err != nil {
		return dst, fmt.Errorf("seal: %w", err)
	}
	nonce := strconv.FormatInt(msgID%1_000_000_000, 10)
	const (
		bodyHead = "<xml><ToUserName><![CDATA["
		bodyMid  = "]]></ToUserName><Encrypt><![CDATA["
		bodyTail = "]]></Encrypt><AgentID>1000002</AgentID></xml>"
	)
	dst = append(dst, "POST "...)
	dst = append(dst, b.uri...)
	dst = append(dst, "msg_signature="...)
	dst = append(dst, b.crypto.Signature(ts, nonce, enc)...)
	dst = append(dst, "&timestamp="...)
	dst = append(dst, ts...)
	dst = append(dst, "&nonce="...)
	dst = append(dst, nonce...)
	dst = append(dst, " HTTP/1.1\r\nHost: "...)
	dst = append(dst, b.host...)
	dst = append(dst, "\r\nContent-Type: text/xml\r\nContent-Length: "...)
	dst = strconv.AppendInt(dst, int64(len(bodyHead)+len(corp)+len(bodyMid)+len(enc)+len(bodyTail)), 10)
	dst = append(dst, "\r\n\r\n"+bodyHead...)
	dst = append(dst, corp...)
	dst = append(dst, bodyMid...)
	dst = append(dst, enc...)
	dst = append(dst, bodyTail...)
	return dst, nil
}

// prebuilt holds every request of a run, built before it starts, so that
// while firing the generator only sends and reads. They live outside the
// Go heap, in an anonymous mapping: tens of megabytes more live heap would
// make the in-process server collect garbage several times less often
// than it does alone, and flatter its figures.
type prebuilt struct {
	mapping []byte // the anonymous mapping
	arena   []byte // mapping[:what is used]: the requests one after another
	ends    []int  // ends[i] is where request i ends in arena
}

// prebuild builds the total requests of a run into a mapping sized with
// room to spare (pages never written cost nothing).
func prebuild(b *builder, total int) (*prebuilt, error) {
	now := time.Now()
	sample, err := b.appendRequest(nil, 0, now)
	if err != nil {
		return nil, err
	}
	longestText := len(b.c.text(0))
	for _, t := range b.c.texts {
		longestText = max(longestText, len(t))
	}
	// Any request is at most the sample plus its text in base64 (4/3 of it)
	// plus a few digits and a padding block: 256 bytes cover the latter.
	size := total * (len(sample) + 2*longestText + 256)
	mapping, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE|syscall.MAP_NORESERVE)
	if err != nil {
		return nil, fmt.Errorf("map %d bytes for the requests: %w", size, err)
	}
	p := &prebuilt{mapping: mapping, arena: mapping[:0], ends: make([]int, total)}
	for i := range total {
		if p.arena, err = b.appendRequest(p.arena, i, now); err != nil {
			p.close()
			return nil, err
		}
		if len(p.arena) > size { // append moved it to the heap: the bound above is wrong
			p.close()
			return nil, fmt.Errorf("request %d ends at %d, past the %d bytes mapped", i, len(p.arena), size)
		}
		p.ends[i] = len(p.arena)
	}
	return p, nil
}

// request is request i.
func (p *prebuilt) request(i int) []byte {
	start := 0
	if i > 0 {
		start = p.ends[i-1]
	}
	return p.arena[start:p.ends[i]:p.ends[i]]
}

// size is how many bytes the requests take.
func (p *prebuilt) size() int { return len(p.arena) }

// close unmaps the requests.
func (p *prebuilt) close() {
	if p.mapping != nil {
		syscall.Munmap(p.mapping)
		p.mapping, p.arena = nil, nil
	}
}
