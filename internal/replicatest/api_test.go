package replicatest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// answer is one response of a burst of requests sent through both replicas at once.
type answer struct {
	status int
	code   string
	obj    api.Object
	err    error
}

// burst sends n copies of one request, alternating replicas, all released at the same instant.
func burst(n int, clients []*enginetest.Client, method, path string, body any) []answer {
	out := make([]answer, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			var a answer
			var prob api.Problem
			a.status, prob, a.err = clients[i%len(clients)].Try(method, path, body, &a.obj)
			a.code = prob.Code
			out[i] = a
		}()
	}
	close(start)
	wg.Wait()
	return out
}

func variableSpec(t testing.TB, value string) json.RawMessage {
	t.Helper()
	raw, err := json.Marshal(api.VariableSpec{Value: value})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// The same Idempotency-Key sent to both replicas at once creates one object: every answer is that
// object, or 409 while the first request is still in flight, and a retry afterwards replays it.
func TestOneIdempotencyKeyThroughBothReplicasMakesOneObject(t *testing.T) {
	enginetest.SkipIfShort(t, "runs two engine processes")
	cl := newCluster(t, 3*time.Second)
	a, b := cl.start(), cl.start()
	ca := a.Client(enginetest.AdminToken)
	ns := ca.Namespace(t, ca.Workspace(t, "ws").ID, "ns")
	for round := range 5 {
		key := fmt.Sprintf("create-var-%d", round)
		clients := []*enginetest.Client{a.Client(enginetest.AdminToken).WithKey(key), b.Client(enginetest.AdminToken).WithKey(key)}
		path := "/namespaces/" + ns.ID + "/objects/" + api.KindVariable
		body := api.ObjectInput{Name: fmt.Sprintf("var-%d", round), Spec: variableSpec(t, "v")}
		ids := map[string]bool{}
		for _, ans := range burst(16, clients, "POST", path, body) {
			switch {
			case ans.err != nil:
				t.Fatal(ans.err)
			case ans.status == http.StatusCreated || ans.status == http.StatusOK:
				ids[ans.obj.ID] = true
			case ans.status == http.StatusConflict && ans.code == api.CodeConflict:
				// the key is in flight on the other request: the client retries
			default:
				t.Fatalf("round %d: answer %d %s", round, ans.status, ans.code)
			}
		}
		var replay api.Object
		clients[1].Must(t, "POST", path, body, &replay)
		ids[replay.ID] = true
		if len(ids) != 1 {
			t.Fatalf("round %d: one key made objects %v, want one", round, ids)
		}
		var page api.Page[api.Object]
		ca.Must(t, "GET", path+"?limit=1000", nil, &page)
		if len(page.Items) != round+1 {
			t.Fatalf("round %d: the namespace holds %d variables, want %d", round, len(page.Items), round+1)
		}
	}
}

// Updates that carry the same, current version, sent through both replicas at once: exactly one wins,
// every other gets 412, and the object moved by one version.
func TestStaleVersionsThroughBothReplicasGet412(t *testing.T) {
	enginetest.SkipIfShort(t, "runs two engine processes")
	cl := newCluster(t, 3*time.Second)
	a, b := cl.start(), cl.start()
	ca := a.Client(enginetest.AdminToken)
	ns := ca.Namespace(t, ca.Workspace(t, "ws").ID, "ns")
	obj := ca.Object(t, ns.ID, api.KindVariable, "v", api.VariableSpec{Value: "0"})
	clients := []*enginetest.Client{ca, b.Client(enginetest.AdminToken)}
	for round := range 5 {
		body := api.ObjectInput{Name: "v", Spec: variableSpec(t, fmt.Sprint(round+1)), Version: obj.Version}
		won, stale := 0, 0
		for _, ans := range burst(16, clients, "PUT", "/objects/"+obj.ID, body) {
			switch {
			case ans.err != nil:
				t.Fatal(ans.err)
			case ans.status == http.StatusOK:
				won++
			case ans.status == http.StatusPreconditionFailed && ans.code == api.CodePreconditionFailed:
				stale++
			default:
				t.Fatalf("round %d: answer %d %s", round, ans.status, ans.code)
			}
		}
		var now api.Object
		ca.Must(t, "GET", "/objects/"+obj.ID, nil, &now)
		if won != 1 || stale != 15 || now.Version != obj.Version+1 {
			t.Fatalf("round %d: %d won, %d got 412, version %d -> %d; want 1, 15 and one step", round, won, stale, obj.Version, now.Version)
		}
		obj = now
	}
}
