//go:build !linux

package acctest

import "syscall"

// dieWithParent has no portable equivalent outside Linux: Stop kills the engine instead.
func dieWithParent() *syscall.SysProcAttr { return nil }
