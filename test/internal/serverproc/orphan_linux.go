package serverproc

import (
	"os/exec"
	"syscall"
)

// OrphanProof makes the kernel kill cmd when the parent process dies (a go
// test timeout, a crash), so no server or node process outlives the run.
func OrphanProof(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
