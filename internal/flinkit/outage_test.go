package flinkit_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// These tests take parts of the shared cluster down, so they do not run in parallel (Go runs them before
// the parallel tests) and leave the cluster whole again.

// A TaskManager killed mid-job: the engine shows Flink restarting the job, and once a TaskManager is back
// the job runs again from its checkpoint (counts go on, they do not restart at 1).
func TestTaskManagerLossIsShownAndTheJobRecoversItsState(t *testing.T) {
	fe := newFlinkEnv(t)
	c := fe.c
	ns := c.Namespace(t, fe.ws.ID, "ns")
	tag := "tm-" + ns.ID
	dep := c.Deployment(t, ns.ID, "counts", sqlDeployment(countingSQL(tag)))
	startJob(t, c, dep.ID, api.StartRequest{})
	waitCounts(t, tag, 0, 3)
	seen := checkpoints(t, c, dep.ID, 1)[0].Sequence
	enginetest.Eventually(t, waitLong, "a checkpoint of counted state", func() bool { return checkpoints(t, c, dep.ID, 1)[0].Sequence > seen })

	offset := stdoutLen(t)
	cluster.KillTaskManager()
	var job api.Job
	enginetest.Eventually(t, waitLong, "the engine to show the job restarting", func() bool {
		c.Must(t, "GET", "/deployments/"+dep.ID+"/job", nil, &job)
		return job.Status != api.JobRunning && strings.Contains(strings.ToLower(job.StatusMessage), "restart")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := cluster.StartTaskManager(ctx); err != nil {
		t.Fatal(err)
	}
	waitJob(t, c, dep.ID, api.JobRunning)
	assertContinues(t, tag, offset, map[int64]int64{0: 1, 1: 1, 2: 1, 3: 1})
	stopJob(t, c, dep.ID, api.StopNone)
}

// The JobManager goes away: the job's status says Flink is unreachable, a start fails naming the URL,
// and once a JobManager is back (without the job: no HA) the engine marks the job FAILED with the reason;
// started again, it restores its retained checkpoint.
func TestJobManagerOutageIsShownAndNothingIsLost(t *testing.T) {
	fe := newFlinkEnv(t)
	c := fe.c
	ns := c.Namespace(t, fe.ws.ID, "ns")
	tag := "jm-" + ns.ID
	dep := c.Deployment(t, ns.ID, "counts", sqlDeployment(countingSQL(tag)))
	other := c.Deployment(t, ns.ID, "other", sqlDeployment(countingSQL("jm-other-"+ns.ID)))
	startJob(t, c, dep.ID, api.StartRequest{})
	waitCounts(t, tag, 0, 3)
	seen := checkpoints(t, c, dep.ID, 1)[0].Sequence
	enginetest.Eventually(t, waitLong, "a checkpoint of counted state", func() bool { return checkpoints(t, c, dep.ID, 1)[0].Sequence > seen })

	cluster.StopJobManager()
	restarted := false
	defer func() {
		if !restarted {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			_ = cluster.StartJobManager(ctx)
		}
	}()
	var job api.Job
	enginetest.Eventually(t, waitLong, "the job's status to say Flink is unreachable", func() bool {
		c.Must(t, "GET", "/deployments/"+dep.ID+"/job", nil, &job)
		return strings.Contains(job.StatusMessage, "unreachable") && strings.Contains(job.StatusMessage, cluster.RESTURL)
	})
	p := c.Fails(t, http.StatusServiceUnavailable, api.CodeUnavailable, "POST", "/deployments/"+other.ID+"/start", api.StartRequest{})
	if !strings.Contains(p.Detail, cluster.RESTURL) {
		t.Fatalf("the refused start does not name the cluster's URL: %+v", p)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := cluster.StartJobManager(ctx); err != nil {
		t.Fatal(err)
	}
	restarted = true
	job = waitJob(t, c, dep.ID, api.JobFailed)
	if job.Failure == "" {
		t.Fatalf("the lost job is FAILED without a reason: %+v", job)
	}
	offset := stdoutLen(t)
	startJob(t, c, dep.ID, api.StartRequest{RestoreStrategy: api.RestoreLatestState})
	assertContinues(t, tag, offset, map[int64]int64{0: 1, 1: 1, 2: 1, 3: 1})
	stopJob(t, c, dep.ID, api.StopNone)
}
