//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package server

import (
	"syscall"
	"testing"
)

// TestFDLimitIsRaised checks what MaxConns relies on: the Go runtime has
// raised the soft open-file limit to the hard one (less one, which it keeps
// to tell its own change from a user's), and fdLimit reports it.
func TestFDLimitIsRaised(t *testing.T) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		t.Skip(err)
	}
	if rl.Max > 1<<30 {
		t.Skip("no finite hard limit")
	}
	if rl.Cur+1 < rl.Max {
		t.Errorf("soft limit %d, hard limit %d: not raised", rl.Cur, rl.Max)
	}
	if got := fdLimit(); got != int(rl.Cur) {
		t.Errorf("fdLimit() = %d, want %d", got, rl.Cur)
	}
}
