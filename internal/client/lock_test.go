package client

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

func lockedProblem() api.Problem {
	return api.Problem{Status: http.StatusLocked, Code: api.CodeLocked, Detail: "namespace ns-1 is locked by running clone task", TaskID: "clone-7"}
}

func lockingClient(t *testing.T, endpoint string, lockTimeout time.Duration) *Client {
	t.Helper()
	c, err := New(Config{Endpoint: endpoint, Token: "t", MaxRetries: 2, RetryWaitMin: time.Millisecond,
		RetryWaitMax: time.Millisecond, PollMin: time.Millisecond, PollMax: 5 * time.Millisecond, LockTimeout: lockTimeout})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// With a lock timeout, a change refused because a clone holds the namespace is sent again until the
// clone has ended, each time under a new Idempotency-Key: the engine replays a key's first answer, and
// under the first key that answer is the refusal.
func TestLockedChangeIsSentAgainUntilTheCloneEnds(t *testing.T) {
	rec := newRecorder(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n <= 3 {
			writeProblem(w, lockedProblem())
			return
		}
		writeJSON(w, http.StatusOK, api.Object{ID: "var-1", Version: 2})
	})
	c := lockingClient(t, rec.srv.URL, time.Minute)
	obj, err := c.UpdateObject(context.Background(), "var-1", api.ObjectInput{Name: "v", Version: 1})
	if err != nil {
		t.Fatalf("the update should have waited out the lock: %v", err)
	}
	if obj.Version != 2 || rec.count() != 4 {
		t.Fatalf("got version %d after %d requests, want 2 after 4 (3 refused, 1 applied)", obj.Version, rec.count())
	}
	seen := map[string]bool{}
	for i := range 4 {
		key := rec.header(i, api.HeaderIdempotencyKey)
		if key == "" || seen[key] {
			t.Fatalf("request %d sent Idempotency-Key %q (seen before: %v): each resend after a refusal needs a new one", i, key, seen[key])
		}
		seen[key] = true
	}
}

// Without a lock timeout the refusal comes back at once; with one, it comes back when the timeout ends,
// saying how long the call waited.
func TestLockedChangeFailsAfterTheLockTimeout(t *testing.T) {
	rec := newRecorder(t, func(n int, w http.ResponseWriter, r *http.Request) { writeProblem(w, lockedProblem()) })

	_, err := lockingClient(t, rec.srv.URL, 0).UpdateObject(context.Background(), "var-1", api.ObjectInput{Name: "v", Version: 1})
	if e, ok := AsError(err); !IsLocked(err) || !ok || e.LockWaited != 0 || e.TaskID != "clone-7" {
		t.Fatalf("without lock_timeout: want the locked refusal naming clone-7 at once, got %v", err)
	}
	if rec.count() != 1 {
		t.Fatalf("without lock_timeout the change was sent %d times, want once", rec.count())
	}

	started := time.Now()
	err = lockingClient(t, rec.srv.URL, time.Second).DeleteObject(context.Background(), "var-1")
	e, ok := AsError(err)
	if !IsLocked(err) || !ok || e.TaskID != "clone-7" {
		t.Fatalf("after the lock timeout: want the locked refusal naming clone-7, got %v", err)
	}
	if elapsed := time.Since(started); elapsed < time.Second || e.LockWaited < time.Second {
		t.Fatalf("gave up after %s (LockWaited %s), want the whole lock timeout of 1s", elapsed, e.LockWaited)
	}
	if rec.count() < 3 {
		t.Fatalf("the delete was sent %d times in a second, want it sent again while locked", rec.count())
	}

	// The caller's deadline ends the wait too.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	started = time.Now()
	if _, err := lockingClient(t, rec.srv.URL, time.Hour).UpdateObject(ctx, "var-1", api.ObjectInput{Name: "v"}); !IsLocked(err) {
		t.Fatalf("want the locked refusal when the caller's deadline ends the wait, got %v", err)
	}
	if elapsed := time.Since(started); elapsed > 10*time.Second {
		t.Fatalf("waited %s with a 200ms deadline", elapsed)
	}
}

// Only a locked refusal is waited on: any other answer comes back at once.
func TestOnlyLockedRefusalsWait(t *testing.T) {
	rec := newRecorder(t, func(n int, w http.ResponseWriter, r *http.Request) {
		writeProblem(w, api.Problem{Status: http.StatusConflict, Code: api.CodeAlreadyExists, Detail: "variable v already exists"})
	})
	_, err := lockingClient(t, rec.srv.URL, time.Minute).CreateObject(context.Background(), "ns-1", api.KindVariable, api.ObjectInput{Name: "v"})
	if !IsConflict(err) || rec.count() != 1 {
		t.Fatalf("a conflict was sent %d times (err %v), want once", rec.count(), err)
	}
}

func cloneRunningProblem() api.Problem {
	return api.Problem{Status: http.StatusConflict, Code: api.CodeCloneRunning, TaskID: "clone-7",
		Detail: `namespace "src" is already in running clone task clone-7: a namespace is in one clone at a time`}
}

// A clone refused because another clone holds one of its namespaces waits for that clone like a locked
// change; the same code on a clone's delete ("this clone still runs") is not a wait for another clone.
func TestCloneRefusedForAnotherRunningCloneWaitsForIt(t *testing.T) {
	rec := newRecorder(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n <= 2 || r.Method == http.MethodDelete {
			writeProblem(w, cloneRunningProblem())
			return
		}
		writeJSON(w, http.StatusCreated, api.Clone{ID: "clone-8", Status: api.ClonePending})
	})
	req := api.CloneRequest{SourceNamespaceID: "ns-1", TargetNamespaceID: "ns-2"}
	if _, err := lockingClient(t, rec.srv.URL, 0).CreateClone(context.Background(), req); !HasCode(err, api.CodeCloneRunning) || rec.count() != 1 {
		t.Fatalf("without lock_timeout: sent %d times, err %v; want the clone_running refusal at once", rec.count(), err)
	}
	c, err := lockingClient(t, rec.srv.URL, time.Minute).CreateClone(context.Background(), req)
	if err != nil || c.ID != "clone-8" {
		t.Fatalf("with lock_timeout the clone should have waited for the other one: %+v, %v", c, err)
	}
	if rec.count() != 3 || rec.header(1, api.HeaderIdempotencyKey) == rec.header(2, api.HeaderIdempotencyKey) {
		t.Fatalf("sent %d times (keys %q, %q), want 2 with a new key for the resend", rec.count(),
			rec.header(1, api.HeaderIdempotencyKey), rec.header(2, api.HeaderIdempotencyKey))
	}
	if _, err := lockingClient(t, rec.srv.URL, time.Minute).DeleteClone(context.Background(), "clone-8", false); !HasCode(err, api.CodeCloneRunning) || rec.count() != 4 {
		t.Fatalf("a delete answered clone_running was sent %d times in all (err %v), want once", rec.count()-3, err)
	}
}
