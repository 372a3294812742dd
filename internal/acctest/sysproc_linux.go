package acctest

import "syscall"

// dieWithParent makes the kernel kill a started engine when the test binary dies (a -timeout panic
// runs no cleanup), so no engine outlives its test.
func dieWithParent() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }
