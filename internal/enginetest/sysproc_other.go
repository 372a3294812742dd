//go:build !linux

package enginetest

import "syscall"

// dieWithParent has no portable equivalent outside Linux: Process cleanups kill the engine instead.
func dieWithParent() *syscall.SysProcAttr { return nil }
