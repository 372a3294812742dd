package enginetest

import (
	"os"
	"testing"
)

// SkipOutsideCI skips a test this machine cannot or need not run (go test -short, no root, no second
// filesystem), except under CI (CI=true), where the real parts must be exercised: there it fails.
func SkipOutsideCI(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format+" (CI must run this test)", args...)
	}
	t.Skipf(format, args...)
}

// SkipIfShort skips a test that runs engine processes under go test -short, never under CI.
func SkipIfShort(t testing.TB, why string) {
	t.Helper()
	if testing.Short() && os.Getenv("CI") == "" {
		t.Skip(why)
	}
}
