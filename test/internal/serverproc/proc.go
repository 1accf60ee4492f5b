// Package serverproc runs the floo-server binary as a child process for the
// suites under test/ that need a real server process (the fault-injection
// suite restarts it with kill -9 and SIGTERM; the end-to-end benchmark
// measures it), and registers accounts on it over REST.
package serverproc

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Proc is the floo-server binary run as a child process, always on the
// same address and data directory, so that a restart is the same server to
// its clients. Its log goes to Log.
type Proc struct {
	Bin, Addr, Data string
	PublicURL       string   // -public-url when not empty
	Args            []string // further flags
	Log             *os.File

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has exited
	starts int
}

// Build builds ./cmd/floo-server of the repository at root into dir and
// returns the binary's path.
func Build(root, dir string) (string, error) {
	bin := filepath.Join(dir, "floo-server")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/floo-server")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/floo-server: %v\n%s", err, out)
	}
	return bin, nil
}

// FreeAddr returns a loopback address with a port that was free just now.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

var listeningRE = regexp.MustCompile(`msg="floo-server listening"`)

// Start runs the server and waits until it listens.
func (s *Proc) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	args := []string{"-addr", s.Addr, "-data", s.Data, "-log-level", "info"}
	if s.PublicURL != "" {
		args = append(args, "-public-url", s.PublicURL)
	}
	cmd := exec.Command(s.Bin, append(args, s.Args...)...)
	OrphanProof(cmd)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	s.starts++
	fmt.Fprintf(s.Log, "---- start %d (pid %d) at %s\n", s.starts, cmd.Process.Pid, time.Now().Format(time.TimeOnly))
	listening := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		seen := false
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(s.Log, line)
			if !seen && listeningRE.MatchString(line) {
				seen = true
				close(listening)
			}
		}
		io.Copy(io.Discard, stderr)
		cmd.Wait()
		close(exited)
	}()
	s.cmd, s.exited = cmd, exited
	select {
	case <-listening:
		return nil
	case <-exited:
		return fmt.Errorf("floo-server exited before listening: %v", cmd.ProcessState)
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		return errors.New("floo-server did not listen within 20 s")
	}
}

// Starts is how many times Start launched the process.
func (s *Proc) Starts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.starts
}

// Pid is the process id of the running server, 0 before Start.
func (s *Proc) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Stop sends sig and waits for the process to exit; a SIGTERM that does
// not end it within 20 s is an error (and the process is killed).
func (s *Proc) Stop(sig syscall.Signal) error {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.mu.Unlock()
	if cmd == nil {
		return nil
	}
	select {
	case <-exited:
		return fmt.Errorf("floo-server had exited by itself: %v", cmd.ProcessState)
	default:
	}
	fmt.Fprintf(s.Log, "---- %v at %s\n", sig, time.Now().Format(time.TimeOnly))
	cmd.Process.Signal(sig)
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-exited
		return fmt.Errorf("floo-server ignored %v for 20 s", sig)
	}
	if sig == syscall.SIGTERM && !cmd.ProcessState.Success() {
		return fmt.Errorf("floo-server after SIGTERM: %v", cmd.ProcessState)
	}
	return nil
}

// Alive reports whether the process runs.
func (s *Proc) Alive() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.exited == nil {
		return false
	}
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// LogTail returns the last n lines of the server's log.
func (s *Proc) LogTail(n int) string {
	b, err := os.ReadFile(s.Log.Name())
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// Register creates an account through the REST API of the server at base
// (http://host:port) and returns its user id.
func Register(base, appID, name, password string) (int64, error) {
	body, _ := json.Marshal(map[string]string{"username": name, "password": password})
	req, err := http.NewRequest("POST", base+"/user/register/v2", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("app_id", appID)
	req.Header.Set("content-type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var env struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    struct {
			UserID int64 `json:"user_id"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return 0, err
	}
	if env.Code != 200 || env.Data.UserID == 0 {
		return 0, fmt.Errorf("register %s: %d %s", name, env.Code, env.Message)
	}
	return env.Data.UserID, nil
}
