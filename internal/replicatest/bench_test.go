package replicatest

import (
	"testing"
	"time"
)

// BenchmarkFailover measures the time from killing (SIGKILL) the replica that runs a stateful clone to
// the clone running again on the other replica (it holds the clone's lease, taken over from the dead
// one), as milliseconds and as a multiple of the lease period (the target is at most 2).
func BenchmarkFailover(b *testing.B) {
	const period = 3 * time.Second
	var total time.Duration
	for range b.N {
		b.StopTimer()
		_, _, c, runner, survivor := cloneOnTwoReplicas(b, period)
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
