package engine_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
	"github.com/streamstate/terraform-provider-flink/internal/secretbox"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// openSealed opens the sealed value the engine stores for an object with the engine's own key.
func openSealed(t *testing.T, env *enginetest.Env, objectID string) string {
	t.Helper()
	var rec struct {
		Sealed string `json:"sealed"`
	}
	if err := env.Store.View(context.Background(), func(tx store.Tx) error { return tx.Get(store.Objects, objectID, &rec) }); err != nil {
		t.Fatal(err)
	}
	if rec.Sealed == "" {
		t.Fatalf("object %s has no sealed value", objectID)
	}
	box, err := secretbox.LoadOrCreate(filepath.Join(env.DataDir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := box.Open(rec.Sealed)
	if err != nil {
		t.Fatalf("the sealed value of %s does not open with the engine's key: %v", objectID, err)
	}
	return plain
}

// An ENCRYPTED variable's value is kept sealed under the engine's key and opens to what the user set,
// after an update and in a clone too (the clone carries the sealed value, never the plain one).
func TestEncryptedVariableOpensToItsValueAndClonesSealed(t *testing.T) {
	t.Parallel()
	ce := newCloneEnv(t)
	a := ce.admin
	v := a.Object(t, ce.src.ID, api.KindVariable, "password", api.VariableSpec{Kind: api.VariableEncrypted, Value: "first-secret"})
	if got := openSealed(t, ce.env, v.ID); got != "first-secret" {
		t.Fatalf("sealed value opens to %q", got)
	}
	spec, _ := json.Marshal(api.VariableSpec{Kind: api.VariableEncrypted, Value: "second-secret"})
	a.Must(t, "PUT", "/objects/"+v.ID, api.ObjectInput{Spec: spec}, nil)
	if got := openSealed(t, ce.env, v.ID); got != "second-secret" {
		t.Fatalf("after an update the sealed value opens to %q", got)
	}
	c := runClone(t, a, ce.req(api.KindVariable))
	if c.Status != api.CloneSucceeded {
		t.Fatalf("clone = %s (%s)", c.Status, c.Failure)
	}
	cloned := objects(t, a, ce.dst.ID, api.KindVariable)["password"]
	if strings.Contains(string(cloned.Spec), "second-secret") {
		t.Fatalf("the clone shows the value: %s", cloned.Spec)
	}
	if got := openSealed(t, ce.env, cloned.ID); got != "second-secret" {
		t.Fatalf("the cloned variable's sealed value opens to %q", got)
	}
}
