package engine_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/engine"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

func errCode(err error) string {
	var de *engine.Error
	if errors.As(err, &de) {
		return de.Code
	}
	return ""
}

// The key's life cycle: in flight (a concurrent retry gets 409), done (replayed), failed with a 5xx
// (released: a retry runs again), expired (runs again), and abandoned by a crash (runs again after a
// minute). A 5xx that kept its key would make every retry replay the failure.
func TestIdempotencyKeyLifeCycle(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(mustTime(t, "2025-03-01T10:00:00Z"))
	env := enginetest.Start(t, enginetest.Options{Clock: clock.Now})
	e, ctx := env.Engine, context.Background()
	p := engine.Principal{User: "ida"}
	begin := func(key string) (*engine.StoredResponse, error) { return e.BeginIdempotent(ctx, p, key, "hash-"+key) }
	mustProceed := func(key, when string) {
		t.Helper()
		if replay, err := begin(key); err != nil || replay != nil {
			t.Fatalf("%s: key %q should let the request run, got replay %+v, err %v", when, key, replay, err)
		}
	}

	mustProceed("k", "first use")
	if _, err := begin("k"); errCode(err) != api.CodeConflict {
		t.Fatalf("a retry while the first request runs: want %s (still in progress), got %v", api.CodeConflict, err)
	}
	if err := e.FinishIdempotent(ctx, p, "k", "hash-k", 503, []byte(`{"code":"unavailable"}`)); err != nil {
		t.Fatal(err)
	}
	mustProceed("k", "after a 503")

	if err := e.FinishIdempotent(ctx, p, "k", "hash-k", 201, []byte(`{"id":"x"}`)); err != nil {
		t.Fatal(err)
	}
	replay, err := begin("k")
	if err != nil || replay == nil || replay.Status != 201 || string(replay.Body) != `{"id":"x"}` {
		t.Fatalf("a done key replays its first response: %+v, %v", replay, err)
	}
	if _, err := e.BeginIdempotent(ctx, p, "k", "another-hash"); errCode(err) != api.CodeIdempotencyMismatch {
		t.Fatalf("the key with another request: want %s, got %v", api.CodeIdempotencyMismatch, err)
	}

	clock.Set(clock.Now().Add(engine.DefaultIdempotencyTTL + time.Minute))
	mustProceed("k", "after the TTL")

	mustProceed("crashed", "first use")
	clock.Set(clock.Now().Add(30 * time.Second))
	if _, err := begin("crashed"); errCode(err) != api.CodeConflict {
		t.Fatalf("30s after an unfinished request the key is still held: got %v", err)
	}
	clock.Set(clock.Now().Add(time.Minute))
	mustProceed("crashed", "a minute after a request that never finished")
}

// Updates, membership creates and deletes are idempotent under a key too: a client that retries after
// its answer was lost gets that answer, where the bare repeat is refused (412 for the update it made
// itself, already_exists for the membership it made itself).
func TestARetriedMutationIsAnsweredAsTheFirst(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	ns := c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
	v := c.Object(t, ns.ID, api.KindVariable, "v", api.VariableSpec{Value: "1"})

	update := api.ObjectInput{Name: "v", Spec: []byte(`{"value":"2"}`), Version: v.Version}
	retrying := c.WithKey("update-v-1")
	var first, again api.Object
	retrying.Must(t, "PUT", "/objects/"+v.ID, update, &first)
	retrying.Must(t, "PUT", "/objects/"+v.ID, update, &again)
	if first.Version != v.Version+1 || again.Version != first.Version {
		t.Fatalf("versions: created %d, updated %d, retried %d; want one update answered twice", v.Version, first.Version, again.Version)
	}
	c.Fails(t, http.StatusPreconditionFailed, api.CodePreconditionFailed, "PUT", "/objects/"+v.ID, update)

	member := api.MemberInput{Role: api.RoleEditor, CreateOnly: true}
	path := "/namespaces/" + ns.ID + "/members/erin"
	retrying = c.WithKey("member-erin-1")
	retrying.Must(t, "PUT", path, member, nil)
	retrying.Must(t, "PUT", path, member, nil)
	c.Fails(t, http.StatusConflict, api.CodeAlreadyExists, "PUT", path, member)

	retrying = c.WithKey("delete-v-1")
	retrying.Must(t, "DELETE", "/objects/"+v.ID, nil, nil)
	retrying.Must(t, "DELETE", "/objects/"+v.ID, nil, nil)
	c.Fails(t, http.StatusNotFound, api.CodeNotFound, "DELETE", "/objects/"+v.ID, nil)
}
