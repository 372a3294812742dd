package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
	"github.com/streamstate/terraform-provider-flink/internal/pgtest"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// Item 5: a token created with an Idempotency-Key (as the provider always sends) is replayed with its
// secret, yet no file of the database (engine.db, -wal, -shm) holds that secret.
func TestTokenSecretsAreNotAtRest(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	admin := env.Admin().WithKey("create-token-bob")
	var first, replay api.Token
	admin.Must(t, "POST", "/tokens", api.TokenRequest{User: "bob"}, &first)
	admin.Must(t, "POST", "/tokens", api.TokenRequest{User: "bob"}, &replay)
	if first.Secret == "" || replay.Secret != first.Secret || replay.ID != first.ID {
		t.Fatalf("the replay should return the first response: %+v vs %+v", first, replay)
	}
	// The secret works, so it is the real one we look for on disk.
	if r := rawString(t, env, "GET", "/api/v1/whoami", "Bearer "+first.Secret, ""); r.status != http.StatusOK {
		t.Fatalf("the new token does not authenticate: %d %s", r.status, r.body)
	}
	assertNotOnDisk(t, env, first.Secret)
	env.Stop(t) // a checkpoint moves the WAL into engine.db: look again
	assertNotOnDisk(t, env, first.Secret)
}

// assertNotOnDisk looks for secret in the metadata at rest: the SQLite files, or PostgreSQL's dump.
func assertNotOnDisk(t *testing.T, env *enginetest.Env, secret string) {
	t.Helper()
	contents := map[string][]byte{}
	if strings.HasPrefix(env.DatabaseURL, "postgres://") {
		dump, err := pgtest.Dump(context.Background(), env.DatabaseURL)
		if err != nil {
			t.Fatal(err)
		}
		contents["pg_dump"] = dump
	} else {
		files, _ := filepath.Glob(filepath.Join(env.DataDir, "engine.db*"))
		if len(files) == 0 {
			t.Fatal("no database files found")
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			contents[f] = b
		}
	}
	for f, b := range contents {
		for _, needle := range []string{secret, secret[len(secret)-20:]} {
			if bytes.Contains(b, []byte(needle)) {
				t.Fatalf("%s holds the token secret in clear", filepath.Base(f))
			}
		}
		// A JSON document stores []byte as base64: decode every base64 run and look inside too.
		for _, run := range base64Run.FindAll(b, -1) {
			for cut := 0; cut < 4 && cut < len(run); cut++ {
				dec, err := base64.StdEncoding.DecodeString(string(run[cut : cut+(len(run)-cut)/4*4]))
				if err == nil && bytes.Contains(dec, []byte(secret[len(secret)-20:])) {
					t.Fatalf("%s holds the token secret base64-encoded", filepath.Base(f))
				}
			}
		}
	}
}

var base64Run = regexp.MustCompile(`[A-Za-z0-9+/]{40,}={0,2}`)

// fakeClock is a settable clock shared by the engine and the test.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// Item 5: idempotency records expire after the TTL and are swept; a key used after expiry runs anew.
func TestIdempotencyRecordsExpireAndAreSwept(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	env := enginetest.Start(t, enginetest.Options{Clock: clock.Now, IdempotencyTTL: time.Hour})
	admin := env.Admin()
	for _, key := range []string{"k1", "k2", "k3"} {
		admin.WithKey(key).Must(t, "POST", "/tokens", api.TokenRequest{User: "u-" + key}, nil)
	}
	clock.Add(30 * time.Minute)
	admin.WithKey("k4").Must(t, "POST", "/tokens", api.TokenRequest{User: "u-k4"}, nil)
	if n := idempotencyRows(t, env); n != 4 {
		t.Fatalf("%d idempotency records, want 4", n)
	}
	clock.Add(45 * time.Minute) // k1..k3 are 75 minutes old, k4 45 minutes
	swept, err := env.Engine.SweepIdempotency(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if swept != 3 || idempotencyRows(t, env) != 1 {
		t.Fatalf("swept %d, %d left; want 3 swept and k4 left", swept, idempotencyRows(t, env))
	}
	// k1 is a new request now: a second token is made.
	var again api.Token
	admin.WithKey("k1").Must(t, "POST", "/tokens", api.TokenRequest{User: "u-k1"}, &again)
	var toks api.Page[api.Token]
	admin.Must(t, "GET", "/tokens", nil, &toks)
	if len(toks.Items) != 5 {
		t.Fatalf("%d tokens, want 5 (the expired key ran again)", len(toks.Items))
	}
}

func idempotencyRows(t *testing.T, env *enginetest.Env) int {
	t.Helper()
	var n int
	err := env.Store.View(context.Background(), func(tx store.Tx) (err error) {
		n, err = tx.Count(store.IdempotencyKeys, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
