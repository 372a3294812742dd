package main

import (
	"context"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
	"github.com/streamstate/terraform-provider-flink/internal/pgtest"
)

func TestMain(m *testing.M) { enginetest.Main(m) }

// With --database-url, replicas must share managed storage and the admin token; the engine says so
// instead of starting with a per-machine directory or a per-machine token.
func TestReplicaFlagsAreChecked(t *testing.T) {
	pg := []string{"--database-url", "postgres://engine@db.example:5432/engine"}
	for _, tc := range []struct {
		args  []string
		token string
		want  string // in the error; "" = accepted
	}{
		{pg, "t", "--managed-storage that every replica shares"},
		{append(pg, "--managed-storage", "file:///srv/state"), "t", "--shared-storage"},
		{append(pg, "--managed-storage", "file:///srv/state", "--shared-storage"), "", "FLINK_ENGINE_ADMIN_TOKEN"},
		{append(pg, "--managed-storage", "file:///srv/state", "--shared-storage"), "t", ""},
		{append(pg, "--managed-storage", "s3://bucket/prefix"), "t", ""},
		{[]string{"--database-url", "mysql://x/y", "--managed-storage", "s3://b"}, "t", "postgres://"},
		{[]string{"--shared-storage"}, "t", "only --database-url"},
	} {
		t.Setenv(AdminTokenEnv, tc.token)
		_, err := parseFlags(tc.args)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("parseFlags(%q) refused: %v", tc.args, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("parseFlags(%q) = %v, want an error naming %s", tc.args, err, tc.want)
		}
	}
	t.Setenv(DatabaseURLEnv, "postgres://engine@db.example/engine")
	c, err := parseFlags([]string{"--managed-storage", "s3://b"})
	if err != nil || c.databaseURL() != "postgres://engine@db.example/engine" {
		t.Fatalf("%s was not the default of --database-url: %q, %v", DatabaseURLEnv, c.database, err)
	}
}

func writeKey(t *testing.T, path string) {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	if err := os.WriteFile(path, key, 0o600); err != nil {
		t.Fatal(err)
	}
}

// Two replicas on one PostgreSQL database: the second, given another secret key, refuses to start and
// says which key and what to do; given the first one's key it starts.
func TestAReplicaWithAnotherKeyRefusesToStart(t *testing.T) {
	url := pgtest.NewDatabase(t)
	dir := t.TempDir()
	keyA, keyB := filepath.Join(dir, "a.key"), filepath.Join(dir, "b.key")
	writeKey(t, keyA)
	writeKey(t, keyB)
	shared := []string{"--database-url", url, "--managed-storage", "file://" + filepath.Join(dir, "shared"), "--shared-storage"}
	first := startEngine(t, filepath.Join(dir, "replica-1"), httpReady, append(shared, "--secret-key-file", keyA)...)

	bin := enginetest.BuildEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"serve", "--listen", "127.0.0.1:0", "--data-dir", filepath.Join(dir, "replica-2"),
		"--secret-key-file", keyB}, shared...)...)
	cmd.Env = append(os.Environ(), AdminTokenEnv+"="+enginetest.AdminToken)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "cannot open the values sealed") || !strings.Contains(string(out), keyB) {
		t.Fatalf("a replica with another key: %v\n%s", err, out)
	}
	second := startEngine(t, filepath.Join(dir, "replica-2"), httpReady, append(shared, "--secret-key-file", keyA)...)
	if first.addr == second.addr {
		t.Fatal("both replicas on one address")
	}
	// A key file that is missing is not made up: every replica needs the same one.
	_, _, err = loadSecretKey(config{secretKeyFile: filepath.Join(dir, "missing.key")})
	if err == nil || !strings.Contains(err.Error(), "head -c 32 /dev/urandom") {
		t.Fatalf("a missing --secret-key-file: %v", err)
	}
}
