//go:build !linux

package devserver

import "syscall"

// sysProcAttr puts the server in its own process group. Only Linux has a
// parent-death signal; elsewhere a killed verval can leave the server
// running, and the next start says which port it holds.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
