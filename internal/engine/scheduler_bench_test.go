package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/engine"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// idlePolicies is the number of active policies the idle benchmark keeps.
const idlePolicies = 10000

func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSchedulerIdleCPU10000Policies measures the engine's CPU use while 10,000 deployments run with
// an active snapshot policy each (schedule and max-age cleanup) and nothing is due: the scheduler should
// sleep on one timer, not scan. Checkpoints are hourly so they do not dominate. Target: ≤ 2 % of a core.
// Run with -benchtime=1x; each iteration is one 3-second idle window.
func BenchmarkSchedulerIdleCPU10000Policies(b *testing.B) {
	env := enginetest.Start(b, enginetest.Options{})
	c := env.Admin()
	ns := c.Namespace(b, c.Workspace(b, "ws").ID, "ns")
	admin := engine.Principal{User: engine.AdminUser, Admin: true}
	ctx := context.Background()

	spec := enginetest.SQLDeployment(srcSQL)
	spec.Checkpoint.Interval = api.DurationOf(time.Hour)
	spec.FlinkConfiguration["local.state-bytes"] = "4kb"
	raw, _ := json.Marshal(spec)
	policy := api.SnapshotPolicy{Schedule: api.Schedule{Enabled: true, Cron: "0 3 * * *", TimeZone: "Europe/Berlin"},
		Cleanup: api.Cleanup{Enabled: true, KeepCount: 5, MaxAge: api.DurationOf(30 * 24 * time.Hour)}}

	setupStart := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= idlePolicies; i = next.Add(1) {
				dep, err := env.Engine.CreateObject(ctx, admin, ns.ID, api.KindDeployment, api.ObjectInput{Name: fmt.Sprintf("job-%05d", i), Spec: raw})
				if err == nil {
					_, err = env.Engine.StartJob(ctx, admin, dep.ID, api.StartRequest{RestoreStrategy: api.RestoreNone})
				}
				if err == nil {
					_, err = env.Engine.PutSnapshotPolicy(ctx, admin, dep.ID, policy)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	var last api.Page[api.Object]
	c.Must(b, "GET", "/namespaces/"+ns.ID+"/objects/deployments?name="+fmt.Sprintf("job-%05d", idlePolicies), nil, &last)
	c.WaitJob(b, last.Items[0].ID, api.JobRunning)
	env.Engine.WakeScheduler() // every policy armed once before measuring
	setup := time.Since(setupStart)
	time.Sleep(time.Second) // let start-up work (first records, GC) settle

	b.ResetTimer()
	var cpu, wall time.Duration
	for i := 0; i < b.N; i++ {
		cpu0, wall0 := processCPU(b), time.Now()
		time.Sleep(3 * time.Second)
		cpu += processCPU(b) - cpu0
		wall += time.Since(wall0)
	}
	b.StopTimer()
	b.ReportMetric(100*cpu.Seconds()/wall.Seconds(), "cpu_%_of_core")
	b.ReportMetric(float64(idlePolicies), "policies")
	b.ReportMetric(setup.Seconds(), "setup_s")
}
