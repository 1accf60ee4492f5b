package chaos

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/flooim/floo/test/internal/serverproc"
)

// wasmPair is two floo-wasm clients in a child node process (pair.mjs),
// driven over its stdin and reporting over its stdout.
type wasmPair struct {
	name string
	l    *ledger
	cmd  *exec.Cmd

	mu    sync.Mutex // serializes writes to stdin
	stdin io.WriteCloser
	done  chan struct{} // closed when stdout ended
	fatal chan string
}

type pairEvent struct {
	Ev      string `json:"ev"`
	Side    string `json:"side"`
	Content string `json:"content"`
	Mid     string `json:"mid"`
	Status  string `json:"status"`
	Why     string `json:"why"`
	Error   string `json:"error"`
}

// startWasmPair runs pair.mjs with the prepared project and waits until
// both clients are logged in.
func startWasmPair(name, dir, project, dns string, users [2]user, l *ledger) (*wasmPair, error) {
	logf, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("node", "pair.mjs", project, dns,
		users[0].name, users[0].password, strconv.FormatInt(users[0].id, 10),
		users[1].name, users[1].password, strconv.FormatInt(users[1].id, 10))
	cmd.Stderr = logf
	serverproc.OrphanProof(cmd)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &wasmPair{name: name, l: l, cmd: cmd, stdin: stdin, done: make(chan struct{}), fatal: make(chan string, 1)}
	ready := make(chan struct{})
	go func() {
		defer close(p.done)
		defer logf.Close()
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		seenReady := false
		for sc.Scan() {
			var ev pairEvent
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				fmt.Fprintf(logf, "stdout: %s\n", sc.Bytes())
				continue
			}
			switch ev.Ev {
			case "ready":
				if !seenReady {
					seenReady = true
					close(ready)
				}
			case "posted":
				_, side, seq, ok := l.parse(ev.Content)
				if !ok {
					continue
				}
				var perr error
				if ev.Error != "" {
					perr = errors.New(ev.Error)
				}
				l.posted(name, side, seq, ev.Mid, perr)
			case "status":
				l.status(name, ev.Side, ev.Mid, ev.Status == "sent", ev.Why)
			case "recv":
				l.received(name, ev.Content)
			case "fatal":
				fmt.Fprintf(logf, "fatal: %s\n", ev.Error)
				select {
				case p.fatal <- ev.Error:
				default:
				}
			}
		}
	}()
	select {
	case <-ready:
		return p, nil
	case msg := <-p.fatal:
		p.close()
		return nil, fmt.Errorf("%s: %s", name, msg)
	case <-p.done:
		p.close()
		return nil, fmt.Errorf("%s: node exited before both clients logged in (see %s)", name, logf.Name())
	case <-time.After(90 * time.Second):
		p.close()
		return nil, fmt.Errorf("%s: the clients did not log in within 90 s", name)
	}
}

// send asks the child to post message seq of side. The post is recorded
// when the child reports it, with the client_mid it got.
func (p *wasmPair) send(side string, seq int) {
	b, _ := json.Marshal(map[string]string{"cmd": "send", "side": side, "content": p.l.payload(p.name, side, seq)})
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stdin.Write(append(b, '\n'))
}

// fatalError returns a fatal report of the child, if any.
func (p *wasmPair) fatalError() string {
	select {
	case msg := <-p.fatal:
		return msg
	default:
		return ""
	}
}

func (p *wasmPair) close() {
	p.mu.Lock()
	p.stdin.Write([]byte(`{"cmd":"quit"}` + "\n"))
	p.stdin.Close()
	p.mu.Unlock()
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
	p.cmd.Wait()
}
