package engine_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/engine"
)

func TestStateCloningNeedsVVR602OrLater(t *testing.T) {
	for v, want := range map[string]bool{
		"vvr-6.0.2-flink-1.15": true, "vvr-6.0.10-flink-1.15": true, "vvr-6.1.0-flink-1.15": true, "vvr-7.0.0-flink-1.16": true,
		"vvr-6.0.1-flink-1.15": false, "vvr-6.0.0-flink-1.15": false, "vvr-5.9.9-flink-1.14": false, "vvr-5.10.2-flink-1.14": false,
		"": false, "6.0.2": false, "vvr-6.0.2": false,
	} {
		if got := engine.StateCapable(v); got != want {
			t.Errorf("StateCapable(%q) = %v, want %v", v, got, want)
		}
	}
}

// The boundary end to end: 6.0.1 fails its object naming the version needed, 6.0.2 clones its state.
func TestCloneStateAtTheVVR602Boundary(t *testing.T) {
	t.Parallel()
	ce := newCloneEnv(t)
	a := ce.admin
	statefulDeployment(t, a, ce.src.ID, "v601", "vvr-6.0.1-flink-1.15", "16kb")
	statefulDeployment(t, a, ce.src.ID, "v602", "vvr-6.0.2-flink-1.15", "16kb")
	req := ce.req(api.KindDeployment)
	req.StatePolicy = api.StateStateful
	c := runClone(t, a, req)
	items := cloneItems(t, a, c.ID)
	if it := itemNamed(t, items, api.KindDeployment, "v601"); it.Status != api.ItemFailed || !strings.Contains(it.Message, "VVR 6.0.2 or later") {
		t.Fatalf("6.0.1: %+v", it)
	}
	it := itemNamed(t, items, api.KindDeployment, "v602")
	if it.Status != api.ItemSucceeded || !it.Stateful {
		t.Fatalf("6.0.2 clones its state: %+v", it)
	}
	verifyCopied(t, a, ce.env.Managed, it, ce.dst.ID)
}

// STOP on a stateless clone: the first failure (a taken name under name_conflict FAIL) ends the task;
// what was cloned before stays, nothing after it is cloned, and the task says why it stopped.
func TestCloneStopPolicyOnAStatelessClone(t *testing.T) {
	t.Parallel()
	ce := newCloneEnv(t)
	a := ce.admin
	for _, n := range []string{"a", "b", "c"} {
		a.Object(t, ce.src.ID, api.KindVariable, n, api.VariableSpec{Value: "src-" + n})
	}
	a.Object(t, ce.src.ID, api.KindConnector, "kafka", api.GenericSpec{Type: "kafka"})
	taken := a.Object(t, ce.dst.ID, api.KindVariable, "b", api.VariableSpec{Value: "already here"})
	req := ce.req(api.KindVariable, api.KindConnector)
	req.ErrorPolicy, req.NameConflict = api.ErrorStop, api.ConflictFail
	c := runClone(t, a, req)
	if c.Status != api.CloneFailed || !strings.Contains(c.Failure, "STOP") || c.FailedCount != 1 {
		t.Fatalf("STOP clone = %s failed %d (%s)", c.Status, c.FailedCount, c.Failure)
	}
	items := cloneItems(t, a, c.ID)
	for _, want := range []struct{ kind, name, status string }{
		{api.KindVariable, "a", api.ItemSucceeded}, {api.KindVariable, "b", api.ItemFailed},
		{api.KindVariable, "c", api.ItemSkipped}, {api.KindConnector, "kafka", api.ItemSkipped},
	} {
		if it := itemNamed(t, items, want.kind, want.name); it.Status != want.status {
			t.Fatalf("under STOP %s %s is %s, want %s (%s)", want.kind, want.name, it.Status, want.status, it.Message)
		}
	}
	vars := objects(t, a, ce.dst.ID, api.KindVariable)
	if _, ok := vars["a"]; !ok || len(vars) != 2 || vars["b"].ID != taken.ID {
		t.Fatalf("target after STOP: %v, want a (cloned before the failure) and the untouched b", vars)
	}
	if len(objects(t, a, ce.dst.ID, api.KindConnector)) != 0 {
		t.Fatal("nothing is cloned after the failure")
	}
	if namespaceLock(t, a, ce.src.ID) != "" || namespaceLock(t, a, ce.dst.ID) != "" {
		t.Fatal("a stopped clone releases its locks")
	}
	a.Fails(t, http.StatusConflict, api.CodeConflict, "POST", "/clones/"+c.ID+"/cancel", nil)
}
