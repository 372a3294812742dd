package engine_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// A create with a client token that meets the caller's clone with that token gets that clone back, while
// it runs and after it ended, and nothing is copied twice (an apply killed between the engine's answer
// and the state save, then run again). The token with another request is refused; a deleted clone
// releases its token, so the next create with it clones again.
func TestCloneClientTokenAnswersTheEarlierClone(t *testing.T) {
	t.Parallel()
	ce := newCloneEnv(t)
	a := ce.admin
	a.Object(t, ce.src.ID, api.KindVariable, "v", api.VariableSpec{Value: "1"})
	req := ce.req(api.KindVariable)
	req.ClientToken = "tf-0123"

	reached := ce.gate.hold()
	first := startClone(t, a, req)
	waitReached(t, reached)
	var again api.Clone
	if status, prob := a.Do(t, "POST", "/clones", req, &again); status >= 400 || again.ID != first.ID {
		t.Fatalf("a retry while the clone runs: %d %s %q, got clone %q, want %q", status, prob.Code, prob.Detail, again.ID, first.ID)
	}
	ce.gate.release()
	waitClone(t, a, first.ID)
	a.Must(t, "POST", "/clones", req, &again)
	if again.ID != first.ID || again.Status != api.CloneSucceeded {
		t.Fatalf("a retry after the clone ended: got %s %s, want %s SUCCEEDED", again.ID, again.Status, first.ID)
	}
	if vars := objects(t, a, ce.dst.ID, api.KindVariable); len(vars) != 1 {
		t.Fatalf("the variable was copied %d times", len(vars))
	}

	other := req
	other.NameConflict = api.ConflictSkip
	status, prob := a.Do(t, "POST", "/clones", other, nil)
	if status != http.StatusUnprocessableEntity || prob.Code != api.CodeIdempotencyMismatch || !strings.Contains(prob.Detail, first.ID) {
		t.Fatalf("the token with another request: %d %s %q", status, prob.Code, prob.Detail)
	}
	long := req
	long.ClientToken = strings.Repeat("t", api.MaxClientToken+1)
	if status, prob := a.Do(t, "POST", "/clones", long, nil); status != http.StatusBadRequest || !strings.Contains(prob.Detail, "client_token") {
		t.Fatalf("an over-long token: %d %q", status, prob.Detail)
	}

	a.Must(t, "DELETE", "/clones/"+first.ID, nil, nil)
	second := startClone(t, a, req)
	if second.ID == first.ID {
		t.Fatal("a deleted clone's token started no new clone")
	}
	waitClone(t, a, second.ID)
	if vars := objects(t, a, ce.dst.ID, api.KindVariable); len(vars) != 2 {
		t.Fatalf("after the delete the same request clones again (renamed copy): %d variables", len(vars))
	}
}
