package main

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel send cmd SIGTERM if benchreport dies first (killed, or
// SIGPIPE when its output is piped into head), so no server outlives a report.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
