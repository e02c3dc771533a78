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

// poster sends one POST of body to target (a full URL) and returns the
// HTTP status; it consumes the answer.
type poster interface {
	post(target string, body []byte) (int, error)
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
		return &netClient{&http.Client{Timeout: timeout, Transport: &http.Transport{
			MaxIdleConns: maxInFlight, MaxIdleConnsPerHost: maxInFlight, IdleConnTimeout: 30 * time.Second}}}, nil
	}
	return &rawClient{host: u.Host, timeout: timeout, idle: make(chan *rawConn, maxInFlight)}, nil
}

// netClient posts through net/http.
type netClient struct{ c *http.Client }

func (n *netClient) post(target string, body []byte) (int, error) {
	resp, err := n.c.Post(target, "text/xml", bytes.NewReader(body))
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
// hand-offs per connection: on a 2-core machine the generator then leaves
// more of the CPU to the server it measures.
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

func (c *rawClient) post(target string, body []byte) (int, error) {
	u, err := url.Parse(target)
	if err != nil {
		return 0, err
	}
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
	req := make([]byte, 0, 256+len(body))
	req = append(req, "POST "...)
	req = append(req, u.RequestURI()...)
	req = append(req, " HTTP/1.1\r\nHost: "...)
	req = append(req, c.host...)
	req = append(req, "\r\nContent-Type: text/xml\r\nContent-Length: "...)
	req = strconv.AppendInt(req, int64(len(body)), 10)
	req = append(req, "\r\n\r\n"...)
	req = append(req, body...)
	conn.SetDeadline(time.Now().Add(c.timeout))
	if _, err := conn.Write(req); err != nil {
		conn.Close()
		return 0, err
	}
	resp, err := http.ReadResponse(conn.r, nil)
	if err != nil {
		conn.Close()
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || resp.Close {
		conn.Close()
	} else {
		c.release(conn)
	}
	return resp.StatusCode, err
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
