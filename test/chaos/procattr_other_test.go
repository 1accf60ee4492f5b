//go:build !linux

package chaos

import "os/exec"

// orphanProof has no portable equivalent of Linux's parent-death signal;
// the deferred stops of TestChaos still end the children on a normal exit.
func orphanProof(*exec.Cmd) {}
