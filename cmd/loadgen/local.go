package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/tagbot/tagbot/bot"
	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
	"github.com/tagbot/tagbot/wecom/wecomtest"
	"github.com/tagbot/tagbot/wecom/wxcrypt"
)

// noopHandler answers nothing, so the loop's cost is the inbox alone; it
// counts the messages it was handed.
type noopHandler struct{ n atomic.Int64 }

// HandleText counts a text message.
func (h *noopHandler) HandleText(context.Context, string, string) []commands.Reply {
	h.n.Add(1)
	return nil
}

// HandleCard counts a card click.
func (h *noopHandler) HandleCard(context.Context, string, commands.CardEvent) []commands.Reply {
	h.n.Add(1)
	return nil
}

// local is an in-process target: fake WeCom, temp store, bot server and loop.
type local struct {
	url     string
	crypto  *wxcrypt.Crypto
	handler *noopHandler
	st      *store.Store
	dir     string
	fake    *wecomtest.Server
	srv     *http.Server
	cancel  context.CancelFunc
	done    chan struct{}
}

// startLocal starts the in-process target on 127.0.0.1.
func startLocal(c config) (*local, error) {
	l := &local{done: make(chan struct{}), handler: &noopHandler{}}
	var err error
	if l.dir, err = os.MkdirTemp("", "tagbot-loadgen-"); err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	l.fake = wecomtest.New(wecomtest.Options{Secret: "loadgen-secret"})
	o := l.fake.Options()
	if l.crypto, err = wxcrypt.New(o.Token, o.EncodingAESKey, o.CorpID); err != nil {
		l.close()
		return nil, fmt.Errorf("callback crypto: %w", err)
	}
	if l.st, err = store.Open(filepath.Join(l.dir, "loadgen.db"), store.Options{Sync: c.sync, Logger: logger}); err != nil {
		l.close()
		return nil, err
	}
	api, err := wecom.New(wecom.Config{CorpID: o.CorpID, Secret: o.Secret, AgentID: o.AgentID, APIBase: l.fake.URL(), Logger: logger})
	if err != nil {
		l.close()
		return nil, err
	}
	sender := bot.NewSender(bot.SenderOptions{API: api, Store: l.st, Logger: logger})
	loop := bot.NewLoop(bot.LoopOptions{Store: l.st, Handler: l.handler, Sender: sender, Logger: logger})
	srv := bot.NewServer(bot.ServerOptions{Crypto: l.crypto, Store: l.st, Path: "/wecom/callback",
		TimestampWindow: 5 * time.Minute, Wake: loop.Wake, Logger: logger})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		l.close()
		return nil, fmt.Errorf("listen: %w", err)
	}
	l.url = "http://" + ln.Addr().String() + "/wecom/callback"
	l.srv = &http.Server{Handler: srv, ReadHeaderTimeout: 5 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	go func() {
		if err := l.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("serve", "err", err)
		}
	}()
	go func() {
		defer close(l.done)
		senderDone := make(chan struct{})
		go func() { defer close(senderDone); sender.Run(ctx) }()
		loop.Run(ctx)
		<-senderDone // both stop using the store before close closes it
	}()
	return l, nil
}

// processed is how many messages the handler has been handed so far.
func (l *local) processed() int { return int(l.handler.n.Load()) }

// drain waits until the handler has been handed want messages (watching a
// counter, so a large backlog is not slowed by the watching), then checks
// the inbox is empty, and returns how many messages the handler was handed.
func (l *local) drain(ctx context.Context, want int) (int, error) {
	for l.processed() < want {
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("%d of %d processed: %w", l.processed(), want, ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
	for {
		p, err := l.st.InboxPending(0)
		if err != nil {
			return 0, err
		}
		if len(p) == 0 {
			return l.processed(), nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("%d still pending: %w", len(p), ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// close stops everything and removes the temp dir.
func (l *local) close() {
	if l.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		l.srv.Shutdown(ctx)
		cancel()
	}
	if l.cancel != nil {
		l.cancel()
		<-l.done
	}
	if l.st != nil {
		l.st.Close()
	}
	if l.fake != nil {
		l.fake.Close()
	}
	os.RemoveAll(l.dir)
}
