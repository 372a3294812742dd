package pgtest

import "syscall"

// sysProcAttr runs PostgreSQL as cred (when set) and has the kernel end the postmaster with SIGQUIT
// (immediate shutdown, which takes its backends along) when the test binary dies: a -timeout panic runs
// no cleanup, and no server may outlive its tests. Go sets the death signal after changing the user,
// which would otherwise clear it.
func sysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
}
