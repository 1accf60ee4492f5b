package chaos

import (
	"os/exec"
	"syscall"
)

// orphanProof makes the kernel kill cmd when the test process dies (a go
// test timeout, a crash), so no server or node process outlives the run.
func orphanProof(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
