package blob_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/blob"
)

func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func mustPut(t testing.TB, s blob.Store, key string, data []byte) blob.Info {
	t.Helper()
	info, err := s.Put(context.Background(), key, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
	return info
}

// readAll reads key to the end, returning what the verifying reader said.
func readAll(t testing.TB, s blob.Store, key string) ([]byte, error) {
	t.Helper()
	body, _, err := s.Get(context.Background(), key)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	return io.ReadAll(body)
}

func mustRead(t testing.TB, s blob.Store, key string, want []byte) {
	t.Helper()
	got, err := readAll(t, s, key)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read %s: got %d bytes that differ from the %d written", key, len(got), len(want))
	}
}

func listKeys(t testing.TB, s blob.Store, prefix string) []string {
	t.Helper()
	var keys []string
	if err := s.List(context.Background(), prefix, func(info blob.Info) error {
		keys = append(keys, info.Key)
		return nil
	}); err != nil {
		t.Fatalf("list %q: %v", prefix, err)
	}
	return keys
}

func wantNotFound(t testing.TB, s blob.Store, key string) {
	t.Helper()
	if _, err := s.Stat(context.Background(), key); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("stat %s after a failed write: want ErrNotFound, got %v", key, err)
	}
}

// failingReader hands out n bytes, then fails as a broken upstream connection would.
type failingReader struct{}

var errUpstream = errors.New("upstream connection reset")

func newFailingReader(data []byte) io.Reader {
	return io.MultiReader(bytes.NewReader(data), &failingReader{})
}

func (f *failingReader) Read([]byte) (int, error) { return 0, errUpstream }

func equalKeys(got, want []string) bool {
	return strings.Join(got, "\n") == strings.Join(want, "\n")
}
