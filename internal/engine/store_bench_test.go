package engine_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// BenchmarkMetadataStores measures, on SQLite and on PostgreSQL in one run, how many objects the API
// creates per second (one keep-alive client, one by one) and the stateless clone of those 10,000 objects
// against that one-by-one time (issue #13; target <= 0.1, issue #14). Run with -benchtime=1x.
func BenchmarkMetadataStores(b *testing.B) {
	for _, database := range []string{"sqlite", "postgres"} {
		b.Run(database, func(b *testing.B) { benchStatelessClone(b, database) })
	}
}

// benchStatelessClone runs statelessCloneRound on an engine over database ("" = the test default) and
// reports creates per second, the clone's seconds and the clone/api ratio.
func benchStatelessClone(b *testing.B, database string) {
	const objects = 10000
	env := enginetest.Start(b, enginetest.Options{Database: database})
	a := env.Admin()
	ws := a.Workspace(b, "ws")
	var cloneTime, apiTime time.Duration
	for i := 0; b.Loop(); i++ {
		apiTook, cloneTook := statelessCloneRound(b, a, ws.ID, i, objects)
		apiTime += apiTook
		cloneTime += cloneTook
	}
	b.ReportMetric(float64(objects*b.N)/apiTime.Seconds(), "creates/s")
	b.ReportMetric(cloneTime.Seconds()/float64(b.N), "clone-s")
	b.ReportMetric(apiTime.Seconds()/float64(b.N), "api-s")
	b.ReportMetric(cloneTime.Seconds()/apiTime.Seconds(), "clone/api")
}

// statelessCloneRound creates n objects one by one through the API in a new namespace, then clones that
// namespace into another (STATELESS), and returns both durations.
func statelessCloneRound(b *testing.B, a *enginetest.Client, wsID string, round, n int) (apiTime, cloneTime time.Duration) {
	src := a.Namespace(b, wsID, fmt.Sprintf("src-%d", round))
	dst := a.Namespace(b, wsID, fmt.Sprintf("dst-%d", round))
	started := time.Now()
	for i := range n {
		kind, spec := api.KindVariable, json.RawMessage(`{"value":"v"}`)
		if i%2 == 1 {
			kind, spec = api.KindConnector, json.RawMessage(`{"type":"kafka"}`)
		}
		a.Must(b, "POST", "/namespaces/"+src.ID+"/objects/"+kind, api.ObjectInput{Name: fmt.Sprintf("o-%05d", i), Spec: spec}, nil)
	}
	apiTime = time.Since(started)
	c, cloneTime := timedClone(b, a, api.CloneRequest{SourceNamespaceID: src.ID, TargetNamespaceID: dst.ID})
	if c.Status != api.CloneSucceeded || c.TotalCount != n {
		b.Fatalf("clone = %s total %d (%s)", c.Status, c.TotalCount, c.Failure)
	}
	return apiTime, cloneTime
}
