//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package server

import "syscall"

// fdLimit returns the soft limit on open files, 0 if unknown. The Go
// runtime has already raised it to the hard limit at start (Go 1.19+).
func fdLimit() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0
	}
	const most = 1 << 30
	if rl.Cur > most {
		return most
	}
	return int(rl.Cur)
}
