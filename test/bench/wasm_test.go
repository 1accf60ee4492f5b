package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/flooim/floo/test/internal/serverproc"
)

// wasmDriver is driver.mjs or chromium.mjs in a child node process:
// floo-wasm clients commanded over stdin, answering over stdout.
type wasmDriver struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser

	mu      sync.Mutex // guards next, waiting and writes to stdin
	next    int
	waiting map[int]chan wasmReply
	done    chan struct{} // closed when stdout ended
}

type wasmReply struct {
	ID      int       `json:"id"`
	Error   string    `json:"error"`
	Fatal   string    `json:"fatal"`
	Armed   bool      `json:"armed"`
	Done    bool      `json:"done"`
	LoginMs float64   `json:"loginMs"`
	LastMs  float64   `json:"lastMs"`
	Msgs    int       `json:"msgs"`
	Unread  int       `json:"unread"`
	Recent  int       `json:"recent"`
	Oneway  []float64 `json:"oneway"`
	RTT     []float64 `json:"rtt"`
	at      time.Time // when the line was read
}

// startWasm runs node with args (the script and its arguments).
func startWasm(args []string, stderr *os.File) (*wasmDriver, error) {
	cmd := exec.Command("node", args...)
	cmd.Stderr = stderr
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
	d := &wasmDriver{cmd: cmd, stdin: stdin, waiting: map[int]chan wasmReply{}, done: make(chan struct{})}
	go func() {
		defer close(d.done)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			var r wasmReply
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				fmt.Fprintf(stderr, "stdout: %s\n", sc.Bytes())
				continue
			}
			r.at = time.Now()
			if r.Fatal != "" {
				fmt.Fprintf(stderr, "fatal: %s\n", r.Fatal)
				continue
			}
			d.mu.Lock()
			ch := d.waiting[r.ID]
			d.mu.Unlock()
			if ch != nil {
				ch <- r
			}
		}
	}()
	return d, nil
}

// call sends cmd and returns the channel of its answers (two for expect).
func (d *wasmDriver) call(cmd map[string]any) (int, chan wasmReply) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.next++
	id := d.next
	cmd["id"] = id
	ch := make(chan wasmReply, 2)
	d.waiting[id] = ch
	b, _ := json.Marshal(cmd)
	d.stdin.Write(append(b, '\n'))
	return id, ch
}

// wait returns the next answer on ch, or an error after timeout.
func (d *wasmDriver) wait(ch chan wasmReply, timeout time.Duration, what string) (wasmReply, error) {
	select {
	case r := <-ch:
		if r.Error != "" {
			return r, fmt.Errorf("wasm %s: %s", what, r.Error)
		}
		return r, nil
	case <-d.done:
		return wasmReply{}, fmt.Errorf("wasm %s: node exited", what)
	case <-time.After(timeout):
		return wasmReply{}, fmt.Errorf("wasm %s: no answer within %v", what, timeout)
	}
}

// do is call and wait for one answer.
func (d *wasmDriver) do(cmd map[string]any, timeout time.Duration) (wasmReply, error) {
	_, ch := d.call(cmd)
	return d.wait(ch, timeout, fmt.Sprint(cmd["op"]))
}

func (d *wasmDriver) close() {
	d.mu.Lock()
	d.stdin.Write([]byte(`{"op":"quit"}` + "\n"))
	d.stdin.Close()
	d.mu.Unlock()
	select {
	case <-d.done:
	case <-time.After(5 * time.Second):
		d.cmd.Process.Kill()
		<-d.done
	}
	d.cmd.Wait()
}
