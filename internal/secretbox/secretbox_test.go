package secretbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeyIsCreatedOnceAndOpensWhatItSealed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.key")
	box, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Size() != 32 || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, size %d, mode %v; want 32 bytes, 0600", err, info.Size(), info.Mode().Perm())
	}
	sealed, err := box.Seal("s3cr3t")
	if err != nil || strings.Contains(sealed, "s3cr3t") {
		t.Fatalf("seal = %q, %v", sealed, err)
	}
	again, _ := box.Seal("s3cr3t")
	if again == sealed {
		t.Fatal("two seals of one value are equal: the nonce is not random")
	}
	reloaded, err := LoadOrCreate(path) // a restart reads the same key
	if err != nil {
		t.Fatal(err)
	}
	if got, err := reloaded.Open(sealed); err != nil || got != "s3cr3t" {
		t.Fatalf("open after reload = %q, %v", got, err)
	}
}

func TestKeyErrorsNameTheFileAndTheFix(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short.key")
	if err := os.WriteFile(short, []byte("too short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreate(short); err == nil || !strings.Contains(err.Error(), short) || !strings.Contains(err.Error(), "9 bytes, want 32") ||
		!strings.Contains(err.Error(), "restore the original file") {
		t.Fatalf("a truncated key: %v", err)
	}
	if b, _ := os.ReadFile(short); string(b) != "too short" {
		t.Fatal("a bad key file must never be overwritten: sealed secrets would be lost")
	}
	if _, err := LoadOrCreate(dir); err == nil || !strings.Contains(err.Error(), "read encryption key "+dir) {
		t.Fatalf("a key path that is a directory: %v", err)
	}
	if _, err := LoadOrCreate(filepath.Join(dir, "missing", "secret.key")); err == nil || !strings.Contains(err.Error(), "write encryption key") {
		t.Fatalf("a key that cannot be written: %v", err)
	}
	if _, err := New(make([]byte, 31)); err == nil {
		t.Fatal("New accepted a 31-byte key")
	}
}

func TestOpenRefusesWhatItCannotTrust(t *testing.T) {
	a, _ := New(make([]byte, 32))
	key := make([]byte, 32)
	key[0] = 1
	b, _ := New(key)
	sealed, err := a.Seal("value")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Open(sealed); err == nil || !strings.Contains(err.Error(), "wrong key") {
		t.Fatalf("open under another key: %v", err)
	}
	tampered := []byte(sealed)
	tampered[len(tampered)-3] ^= 1
	for name, in := range map[string]string{"tampered": string(tampered), "not base64": "%%%", "too short": "AAAA", "empty": ""} {
		if got, err := a.Open(in); err == nil {
			t.Errorf("%s: opened to %q", name, got)
		}
	}
}
