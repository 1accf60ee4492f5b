//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package server

// fdLimit returns 0: the open-file limit is not known here, so MaxConns
// has no derived default.
func fdLimit() int { return 0 }
