package chaos

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// serverProc is the floo-server binary run as a child process, always on
// the same address and data directory, so that a restart is the same
// server to its clients.
type serverProc struct {
	bin, addr, data, publicURL string
	logFile                    *os.File

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has exited
	starts int
}

// buildServer returns the floo-server binary: $FLOO_CHAOS_SERVER_BIN, or
// one built from this repository into dir.
func buildServer(t *testing.T, dir string) string {
	t.Helper()
	if bin := os.Getenv("FLOO_CHAOS_SERVER_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(dir, "floo-server")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/floo-server")
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go build ./cmd/floo-server: %v\n%s", err, out)
	}
	return bin
}

// repoRoot is the repository root: the test runs in test/chaos.
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Clean(filepath.Join(wd, "..", ".."))
}

// freeAddr returns a loopback address with a port that was free just now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

var listeningRE = regexp.MustCompile(`msg="floo-server listening"`)

// start runs the server and waits until it listens.
func (s *serverProc) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd := exec.Command(s.bin, "-addr", s.addr, "-data", s.data, "-public-url", s.publicURL, "-log-level", "info")
	orphanProof(cmd)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	s.starts++
	fmt.Fprintf(s.logFile, "---- start %d (pid %d) at %s\n", s.starts, cmd.Process.Pid, time.Now().Format(time.TimeOnly))
	listening := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		seen := false
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(s.logFile, line)
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

// stop sends sig and waits for the process to exit; a SIGTERM that does
// not end it within 20 s is an error (and the process is killed).
func (s *serverProc) stop(sig syscall.Signal) error {
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
	fmt.Fprintf(s.logFile, "---- %v at %s\n", sig, time.Now().Format(time.TimeOnly))
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

// alive reports whether the process runs.
func (s *serverProc) alive() bool {
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

// logTail returns the last n lines of the server's log.
func (s *serverProc) logTail(n int) string {
	b, err := os.ReadFile(s.logFile.Name())
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
