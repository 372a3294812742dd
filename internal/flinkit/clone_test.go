package flinkit_test

import (
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// A STATEFUL clone of a running Flink job takes a fresh savepoint (DO_NOT_SKIP), copies it into the
// target namespace, and the cloned deployment, started, continues from the copied counts.
func TestStatefulCloneCarriesASavepointThatRestoresOnFlink(t *testing.T) {
	t.Parallel()
	fe := newFlinkEnv(t)
	c := fe.c
	src := c.Namespace(t, fe.ws.ID, "src")
	dst := c.Namespace(t, fe.ws.ID, "dst")
	tag := "clone-" + src.ID
	dep := c.Deployment(t, src.ID, "counts", sqlDeployment(countingSQL(tag)))
	startJob(t, c, dep.ID, api.StartRequest{})
	checkpoints(t, c, dep.ID, 1) // every task runs: a savepoint can be taken
	floor := waitCounts(t, tag, 0, 5)

	var clone api.Clone
	c.Must(t, "POST", "/clones", api.CloneRequest{SourceNamespaceID: src.ID, TargetNamespaceID: dst.ID,
		Objects: []string{api.KindDeployment}, StatePolicy: api.StateStateful, RunningPolicy: api.RunningDoNotSkip,
		ErrorPolicy: api.ErrorStop}, &clone)
	enginetest.Eventually(t, waitLong, "the clone to end", func() bool {
		c.Must(t, "GET", "/clones/"+clone.ID, nil, &clone)
		return clone.Status != api.CloneRunning && clone.Status != api.ClonePending
	})
	if clone.Status != api.CloneSucceeded {
		t.Fatalf("clone ended %s: %+v", clone.Status, clone)
	}
	var copies api.Page[api.Object]
	c.Must(t, "GET", "/namespaces/"+dst.ID+"/objects/"+api.KindDeployment, nil, &copies)
	if len(copies.Items) != 1 {
		t.Fatalf("target holds %d deployments, want the one copy", len(copies.Items))
	}
	stopJob(t, c, dep.ID, api.StopNone) // the copy must not read the source's live state

	offset := stdoutLen(t)
	job := startJob(t, c, copies.Items[0].ID, api.StartRequest{RestoreStrategy: api.RestoreLatestState})
	if job.RestoredFrom == "" {
		t.Fatalf("the copy started without state: %+v", job)
	}
	assertContinues(t, tag, offset, floor)
}

// When a stopped job's newest state is a checkpoint (not relocatable on Flink), the clone carries the
// newest snapshot instead and its attention list says which checkpoint was left behind.
func TestCloneSaysWhenTheNewestCheckpointCouldNotBeCarried(t *testing.T) {
	t.Parallel()
	fe := newFlinkEnv(t)
	c := fe.c
	src := c.Namespace(t, fe.ws.ID, "src")
	dst := c.Namespace(t, fe.ws.ID, "dst")
	tag := "cp-" + src.ID
	dep := c.Deployment(t, src.ID, "counts", sqlDeployment(countingSQL(tag)))
	startJob(t, c, dep.ID, api.StartRequest{})
	waitCounts(t, tag, 0, 3)
	snap := snapshot(t, c, dep.ID, api.FormatCanonical)
	enginetest.Eventually(t, waitLong, "a checkpoint newer than the snapshot", func() bool {
		cp := checkpoints(t, c, dep.ID, 1)[0]
		return cp.CompletedAt != nil && cp.CompletedAt.After(*snap.CompletedAt)
	})
	stopJob(t, c, dep.ID, api.StopNone)

	var clone api.Clone
	c.Must(t, "POST", "/clones", api.CloneRequest{SourceNamespaceID: src.ID, TargetNamespaceID: dst.ID,
		Objects: []string{api.KindDeployment}, StatePolicy: api.StateStateful, ErrorPolicy: api.ErrorStop}, &clone)
	enginetest.Eventually(t, waitLong, "the clone to end", func() bool {
		c.Must(t, "GET", "/clones/"+clone.ID, nil, &clone)
		return clone.Status != api.CloneRunning && clone.Status != api.ClonePending
	})
	if clone.Status != api.CloneSucceeded {
		t.Fatalf("clone ended %s: %+v", clone.Status, clone)
	}
	found := false
	for _, a := range clone.Attention {
		found = found || a.Kind == "state_not_carried"
	}
	if !found {
		t.Fatalf("attention list %+v does not say the newest checkpoint was left behind", clone.Attention)
	}
	var snaps api.Page[api.Snapshot]
	c.Must(t, "GET", "/snapshots?namespace_id="+dst.ID, nil, &snaps)
	if len(snaps.Items) != 1 || snaps.Items[0].Origin != api.OriginCopied || snaps.Items[0].SizeBytes <= 0 {
		t.Fatalf("target snapshots %+v, want one COPIED snapshot with bytes", snaps.Items)
	}
}
