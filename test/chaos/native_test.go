package chaos

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/native"
)

// nativePair is two core clients on the native transports, in this
// process, each with its own storage directory (so each is one device
// across reconnects). Everything but the addresses is the SDK's default
// configuration: the suite tests what an app gets.
type nativePair struct {
	name    string
	l       *ledger
	clients map[string]*core.Client // by side
	uids    map[string]uint64
	logs    []*os.File
}

// fileLogger writes the engine's log lines to a file.
type fileLogger struct {
	mu sync.Mutex
	f  *os.File
}

func (l *fileLogger) Log(level core.LogLevel, msg string) {
	l.mu.Lock()
	fmt.Fprintf(l.f, "%s [%s] %s\n", time.Now().Format("15:04:05.000"), level, msg)
	l.mu.Unlock()
}

// startNativePair logs users a and b in through dns (the proxy) and
// records their events in l.
func startNativePair(ctx context.Context, name, dir, dns string, users [2]user, l *ledger) (*nativePair, error) {
	// The uids are known before any event can arrive: the event handler
	// reads them without a lock.
	p := &nativePair{name: name, l: l, clients: map[string]*core.Client{},
		uids: map[string]uint64{"a": uint64(users[0].id), "b": uint64(users[1].id)}}
	for i, side := range []string{"a", "b"} {
		u := users[i]
		sideDir := filepath.Join(dir, name+"-"+side)
		if err := os.MkdirAll(sideDir, 0o755); err != nil {
			return nil, err
		}
		lf, err := os.Create(filepath.Join(dir, name+"-"+side+".log"))
		if err != nil {
			return nil, err
		}
		p.logs = append(p.logs, lf)
		cfg, err := native.Defaults(core.Config{
			AppID:     appID,
			DNSServer: dns,
			LogLevel:  core.LogInfo,
			Logger:    &fileLogger{f: lf},
		}, sideDir)
		if err != nil {
			return nil, err
		}
		c, err := core.New(cfg)
		if err != nil {
			return nil, err
		}
		p.clients[side] = c
		side := side
		c.OnEvent(func(ev core.Event) { p.event(side, ev) })
		lctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		err = c.Login(lctx, u.name, u.password)
		cancel()
		if err != nil {
			p.close()
			return nil, fmt.Errorf("%s: login of %s: %w", name, u.name, err)
		}
	}
	return p, nil
}

func (p *nativePair) event(side string, ev core.Event) {
	switch e := ev.(type) {
	case core.SendingStatus:
		cmid := strconv.FormatUint(e.Mid, 10)
		switch e.Status {
		case core.SendStatusSent:
			p.l.status(p.name, side, cmid, true, "")
		case core.SendStatusFailed:
			why := strconv.Itoa(e.ErrorCode) + " " + e.ErrorReason
			if e.Err != nil {
				why = e.Err.Code.String() + " (" + strconv.Itoa(e.ErrorCode) + " " + e.ErrorReason + ")"
			}
			p.l.status(p.name, side, cmid, false, why)
		}
	case core.RosterMessage:
		// A sender gets its own message back as an event once it is
		// stored: only the peer's messages are deliveries.
		if !e.Message.IsHistory && e.Message.From == p.uids[other(side)] {
			p.l.received(p.name, e.Message.Content)
		}
	}
}

// send posts message seq of side to the other side.
func (p *nativePair) send(side string, seq int) {
	peer := p.uids[other(side)]
	cmid, err := p.clients[side].PostMessage(core.Message{To: peer, Content: p.l.payload(p.name, side, seq)})
	p.l.posted(p.name, side, seq, strconv.FormatUint(cmid, 10), err)
}

func (p *nativePair) close() {
	for _, c := range p.clients {
		c.Close()
	}
	for _, f := range p.logs {
		f.Close()
	}
}

func other(side string) string {
	if side == "a" {
		return "b"
	}
	return "a"
}
