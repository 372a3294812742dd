package replicatest

import (
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// BenchmarkFailover measures the time from killing (SIGKILL) the replica that runs a stateful clone to
// the clone running again on the other replica (it holds the clone's lease, taken over from the dead
// one), as milliseconds and as a multiple of the lease period (the target is at most 2).
func BenchmarkFailover(b *testing.B) {
	const period = 3 * time.Second
	var total time.Duration
	for range b.N {
		b.StopTimer()
		cl := newCluster(b, period)
		r1, r2 := cl.start(), cl.start()
		s := setUpStatefulClone(b, r1.Client(enginetest.AdminToken), 12)
		var c api.Clone
		r1.Client(enginetest.AdminToken).Must(b, "POST", "/clones", s.request(), &c)
		runner, survivor := runnerOf(b, r1, r2)
		b.StartTimer()
		killed, _ := killMidClone(b, runner, survivor, c.ID)
		for {
			if r := readiness(b, survivor); r.Leases.Failovers > 0 && r.Leases.HeldByKind["clone"] > 0 {
				break
			}
			if time.Since(killed) > 10*period {
				b.Fatalf("the survivor did not take the clone over within %s", 10*period)
			}
			time.Sleep(5 * time.Millisecond)
		}
		total += time.Since(killed)
		b.StopTimer()
		runner.Kill()
		survivor.Kill()
	}
	mean := total / time.Duration(b.N)
	b.ReportMetric(float64(mean.Milliseconds()), "failover-ms")
	b.ReportMetric(mean.Seconds()/period.Seconds(), "lease-periods")
	b.ReportMetric(0, "ns/op")
}
