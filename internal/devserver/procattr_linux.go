package devserver

import "syscall"

// sysProcAttr puts the server in its own process group and has the kernel
// kill it when verval dies, even by kill -9 (Pdeathsig). The signal follows
// the thread that started the server; Go does not end its threads while a
// program runs (only a goroutine that locks its thread and exits does, and
// Start is not called from one).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
