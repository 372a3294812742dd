package flinktest_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/flinktest"
)

// TestTaskManagerKilledMidJob kills the TaskManager under a checkpointing job and starts a new
// one: the job recovers from its latest checkpoint instead of starting over.
func TestTaskManagerKilledMidJob(t *testing.T) {
	ctx := context.Background()
	jar, err := flinktest.TestJar(ctx, cluster.Version)
	if err != nil {
		t.Fatal(err)
	}
	jarID := uploadJar(t, jar)
	_, offset := stdoutSince(t, 0)
	job, err := runJar(jarID, map[string]any{"entryClass": flinktest.TestJarEntryClass,
		"programArgsList": []string{"--rate", "40", "--checkpoint-interval", "300"}})
	if err != nil {
		t.Fatal(err)
	}
	waitJobState(t, job, "RUNNING", time.Minute)
	defer func() {
		call(t, http.MethodPatch, cluster.RESTURL+"/jobs/"+job+"?mode=cancel", nil, nil)
		waitJobState(t, job, "CANCELED", time.Minute)
	}()
	waitLines(t, offset, 40) // a second of records: several checkpoints completed

	cluster.KillTaskManager()
	_, offset = stdoutSince(t, 0) // the new TaskManager's output starts here
	if err := cluster.StartTaskManager(ctx); err != nil {
		t.Fatal(err)
	}
	after := waitLines(t, offset, 8)
	checkCounts(t, after)
	if after[0].seq == 0 {
		t.Fatalf("after the TaskManager died the job started over at seq 0 instead of its last checkpoint")
	}
	waitJobState(t, job, "RUNNING", time.Minute)
}

// TestJobManagerStopAndStart makes REST unreachable and brings it back with the TaskManager
// registered again.
func TestJobManagerStopAndStart(t *testing.T) {
	cluster.StopJobManager()
	if err := tryCall(http.MethodGet, cluster.RESTURL+"/overview", nil, nil); err == nil {
		t.Fatal("REST still answers after StopJobManager")
	}
	if err := cluster.StartJobManager(context.Background()); err != nil {
		t.Fatal(err)
	}
	var overview struct {
		TaskManagers   int `json:"taskmanagers"`
		SlotsAvailable int `json:"slots-available"`
	}
	call(t, http.MethodGet, cluster.RESTURL+"/overview", nil, &overview)
	// Slots a job of the dead JobManager held come free a little later; one free slot suffices.
	if overview.TaskManagers != 1 || overview.SlotsAvailable < 1 {
		t.Fatalf("after a JobManager restart: %+v, want 1 TaskManager with free slots", overview)
	}
	if err := cluster.StartJobManager(context.Background()); err == nil || errors.Is(err, context.Canceled) {
		t.Fatal("StartJobManager on a running JobManager must refuse")
	}
}
