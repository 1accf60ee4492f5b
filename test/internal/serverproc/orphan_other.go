//go:build !linux

package serverproc

import "os/exec"

// OrphanProof has no portable equivalent of Linux's parent-death signal;
// elsewhere the suites rely on their own cleanup.
func OrphanProof(*exec.Cmd) {}
