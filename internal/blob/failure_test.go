package blob

import (
	"os"
	"testing"
)

// Real errors of the machine classify as their failure (issue 11, item 14).
func TestClassifyRealErrors(t *testing.T) {
	// /dev/full answers every write with ENOSPC.
	f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full: %v", err)
	}
	defer f.Close()
	_, err = f.Write([]byte("x"))
	if got, action := Classify(err); got != FailureNoSpace || action != "write" {
		t.Errorf("write to /dev/full: %v classified %v %q, want FailureNoSpace write", err, got, action)
	}
	_, err = os.ReadFile("/proc/self/nonexistent/x")
	if got, _ := Classify(err); got != FailureOther {
		t.Errorf("a missing file classified %v, want FailureOther", got)
	}
	if got, _ := Classify(nil); got != FailureOther {
		t.Errorf("nil classified %v", got)
	}
}
