package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// poster sends one raw HTTP/1.1 request (as the builder writes them) and
// returns the status of the answer, which it consumes.
type poster interface {
	post(req []byte) (int, error)
	close()
}

// newPoster returns the raw client for http:// targets unless useNet,
// else net/http's.
func newPoster(target string, timeout time.Duration, useNet bool) (poster, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("bad target %q", target)
	}
	if useNet || u.Scheme != "http" {
		return &netClient{base: u, c: &http.Client{Timeout: timeout, Transport: &http.Transport{
			MaxIdleConns: maxInFlight, MaxIdleConnsPerHost: maxInFlight, IdleConnTimeout: 30 * time.Second}}}, nil
	}
	return &rawClient{host: u.Host, timeout: timeout, idle: make(chan *rawConn, maxInFlight)}, nil
}

// netClient posts through net/http.
type netClient struct {
	base *url.URL // scheme and host of the target
	c    *http.Client
}

func (n *netClient) post(raw []byte) (int, error) {
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return 0, err
	}
	req.RequestURI, req.URL.Scheme, req.URL.Host = "", n.base.Scheme, n.base.Host
	resp, err := n.c.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

func (n *netClient) close() { n.c.CloseIdleConnections() }

// rawClient posts HTTP/1.1 over a pool of kept-alive connections, one
// request at a time on each, without net/http's two goroutines and channel
// hand-offs per connection, and reads the answer's status line and the
// few headers it needs without allocating: on a 2-core machine the
// generator then leaves more of the CPU to the server it measures.
type rawClient struct {
	host    string
	timeout time.Duration
	idle    chan *rawConn
}

// rawConn is one kept-alive connection.
type rawConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *rawClient) post(req []byte) (int, error) {
	var conn *rawConn
	select {
	case conn = <-c.idle:
	default:
		nc, err := net.DialTimeout("tcp", c.host, c.timeout)
		if err != nil {
			return 0, err
		}
		conn = &rawConn{Conn: nc, r: bufio.NewReader(nc)}
	}
	conn.SetDeadline(time.Now().Add(c.timeout))
	if _, err := conn.Write(req); err != nil {
		conn.Close()
		return 0, err
	}
	status, keep, err := readAnswer(conn.r)
	if err != nil || !keep {
		conn.Close()
	} else {
		c.release(conn)
	}
	return status, err
}

// errAnswer means an answer the raw client cannot read: not HTTP/1.x, or
// a body without Content-Length (net/http's server sends one for the short
// answers of a callback).
var errAnswer = errors.New("unreadable answer")

// readAnswer reads one answer from r: its status, whether the connection
// may carry another request, and its body, which it discards.
func readAnswer(r *bufio.Reader) (status int, keepAlive bool, err error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return 0, false, err
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < len("HTTP/1.x 200\n") || string(line[:7]) != "HTTP/1." || line[8] != ' ' {
		return 0, false, errAnswer
	}
	if status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return 0, false, errAnswer
	}
	keepAlive, length := line[7] == '1', -1
	for {
		if line, err = r.ReadSlice('\n'); err != nil {
			return status, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return status, false, errAnswer
			}
		case bytes.EqualFold(name, []byte("Connection")) && bytes.EqualFold(value, []byte("close")):
			keepAlive = false
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return status, false, errAnswer
		}
	}
	if length < 0 {
		return status, false, errAnswer
	}
	_, err = r.Discard(length)
	return status, keepAlive && err == nil, err
}

// release keeps conn for the next request, or closes it if the pool is full.
func (c *rawClient) release(conn *rawConn) {
	select {
	case c.idle <- conn:
	default:
		conn.Close()
	}
}

func (c *rawClient) close() {
	for {
		select {
		case conn := <-c.idle:
			conn.Close()
		default:
			return
		}
	}
}

// transportError names a failed request without its details.
func transportError(err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return errors.New("timeout")
	}
	return errors.New("transport error")
}
