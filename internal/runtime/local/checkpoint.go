package local

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
)

// checkpoint takes one checkpoint, reports it, and discards checkpoints beyond Retained.
func (j *job) checkpoint(ctx context.Context) {
	seq := j.nextSeq
	j.nextSeq++
	store := j.spec.Storage
	dir := runtime.JoinKey(j.spec.CheckpointPrefix, "chk-"+strconv.FormatInt(seq, 10))
	info := runtime.CheckpointInfo{Seq: seq, Prefix: dir, Incremental: j.cfg.Incremental, StartedAt: j.clock()}
	fail := func(msg string) {
		info.Failure = msg
		info.CompletedAt = j.clock()
		j.log.Warn("checkpoint failed", "job", j.spec.JobID, "seq", seq, "failure", msg)
		if !j.closing.Load() {
			j.spec.Events.CheckpointFailed(j.spec.JobID, info)
		}
	}
	if j.cfg.CheckpointFailure {
		fail(fmt.Sprintf("checkpoint %d declined: the deployment's flink configuration sets %s: true; remove it to checkpoint again", seq, runtime.ConfigCheckpointFailure))
		return
	}
	cctx, cancel := context.WithTimeout(ctx, j.settings.Timeout)
	defer cancel()

	off, chunks := j.snapshotState(j.clock())
	info.Offset = off
	var (
		files    []runtime.StateFile
		written  []string // keys to remove if the checkpoint does not complete
		newlyPut []chunk
		err      error
	)
	if j.cfg.Incremental {
		var todo []chunk
		for _, c := range chunks {
			if c.SharedKey == "" {
				todo = append(todo, c)
			}
		}
		sharedKey := func(c chunk) string {
			return runtime.JoinKey(j.spec.CheckpointPrefix, runtime.SharedDir+"/"+sharedFileName(j.spec.JobID, c))
		}
		var put []runtime.StateFile
		put, err = writeChunks(cctx, store, j.spec.JobID, todo, sharedKey, true, sharedKey)
		for i, f := range put {
			written = append(written, f.Key)
			info.SizeBytes += f.Size
			c := todo[i]
			c.SharedKey, c.SHA256 = f.Key, f.SHA256
			newlyPut = append(newlyPut, c)
		}
		byChunk := make(map[int]chunk, len(newlyPut))
		for _, c := range newlyPut {
			byChunk[c.Index] = c
		}
		for _, c := range chunks {
			if w, ok := byChunk[c.Index]; ok {
				c = w
			}
			files = append(files, runtime.StateFile{Key: c.SharedKey, Shared: true, Size: c.Size, SHA256: c.SHA256, Chunk: c.Index, Version: c.Version})
		}
	} else {
		files, err = writeChunks(cctx, store, j.spec.JobID, chunks,
			func(c chunk) string { return runtime.JoinKey(dir, chunkFileName(c)) }, false, chunkFileName)
		for _, f := range files {
			written = append(written, runtime.JoinKey(dir, f.Key))
			info.SizeBytes += f.Size
		}
	}
	if err == nil {
		meta := runtime.Metadata{Kind: runtime.KindCheckpoint, JobID: j.spec.JobID, DeploymentID: j.spec.DeploymentID,
			Offset: off, Fingerprint: j.spec.Fingerprint, Incremental: j.cfg.Incremental, Seq: seq,
			CreatedAt: info.StartedAt, Files: files}
		_, err = runtime.WriteMetadata(cctx, store, dir, meta)
	}
	if err != nil {
		for _, k := range written {
			_ = store.Delete(context.WithoutCancel(ctx), k)
		}
		switch {
		case errors.Is(cctx.Err(), context.DeadlineExceeded):
			fail(fmt.Sprintf("checkpoint %d expired: not complete within the checkpoint timeout %s; raise the timeout or lower the state size", seq, j.settings.Timeout))
		case ctx.Err() != nil:
			fail(fmt.Sprintf("checkpoint %d aborted: the job stopped while it was being written", seq))
		default:
			fail(fmt.Sprintf("checkpoint %d failed: %v", seq, err))
		}
		return
	}
	j.recordShared(newlyPut)
	info.FullSizeBytes = sumSizes(files)
	info.CompletedAt = j.clock()
	j.log.Debug("checkpoint completed", "job", j.spec.JobID, "seq", seq, "bytes", info.SizeBytes, "full_bytes", info.FullSizeBytes)
	recorded := !j.closing.Load() && j.spec.Events.CheckpointCompleted(j.spec.JobID, info)
	j.retained = append(j.retained, retainedCheckpoint{seq: seq, prefix: dir, sharedKeys: sharedKeys(files)})
	if recorded {
		// Not before: while the engine refuses this job's reports (its replica lost the job's lease, or it
		// is closing), its records still name an older checkpoint as the newest, and a resume reads that.
		j.discardOld(context.WithoutCancel(ctx))
	}
}

// discardOld deletes the oldest retained checkpoints until Retained are left. A shared file is deleted
// only when no retained checkpoint references it.
func (j *job) discardOld(ctx context.Context) {
	store := j.spec.Storage
	// A job that ends silently (Close, Detach) cannot report a discard, so it deletes nothing: the
	// engine's records may still name the older checkpoint as the latest, and a resume reads it.
	for len(j.retained) > j.settings.Retained && !j.closing.Load() {
		old := j.retained[0]
		j.retained = j.retained[1:]
		if err := store.DeletePrefix(ctx, old.prefix+"/"); err != nil {
			j.log.Warn("discard checkpoint", "job", j.spec.JobID, "seq", old.seq, "location", store.Location(old.prefix), "error", err)
		}
		inUse := make(map[string]bool)
		for _, r := range j.retained {
			for _, k := range r.sharedKeys {
				inUse[k] = true
			}
		}
		for _, k := range old.sharedKeys {
			if !inUse[k] {
				if err := store.Delete(ctx, k); err != nil {
					j.log.Warn("discard shared state file", "job", j.spec.JobID, "location", store.Location(k), "error", err)
				}
			}
		}
		if !j.closing.Load() {
			j.spec.Events.CheckpointDiscarded(j.spec.JobID, old.seq)
		}
	}
}

var chkMetadataKey = regexp.MustCompile(`^chk-([0-9]+)/(.*)$`)

// adoptCheckpoints takes over the completed checkpoints earlier jobs of the deployment left under the
// checkpoint prefix, so retention discards them in turn (CheckpointDiscarded reports their sequence
// numbers), and removes the partial ones (no MetadataFile) a crash left behind. Numbering continues after
// the highest sequence found when that is above FirstCheckpointSeq. It returns the adopted ones by prefix.
func (j *job) adoptCheckpoints(ctx context.Context) (map[string]runtime.Metadata, error) {
	store, base := j.spec.Storage, strings.TrimSuffix(j.spec.CheckpointPrefix, "/")
	listPrefix := base + "/"
	if base == "" {
		listPrefix = ""
	}
	complete, seen := map[int64]bool{}, map[int64]bool{}
	err := store.List(ctx, listPrefix+"chk-", func(in blob.Info) error {
		m := chkMetadataKey.FindStringSubmatch(strings.TrimPrefix(in.Key, listPrefix))
		if m == nil {
			return nil
		}
		seq, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return nil
		}
		seen[seq] = true
		if m[2] == runtime.MetadataFile {
			complete[seq] = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list earlier checkpoints under %s: %w", store.Location(base), err)
	}
	seqs := make([]int64, 0, len(seen))
	for s := range seen {
		seqs = append(seqs, s)
	}
	sort.Slice(seqs, func(a, b int) bool { return seqs[a] < seqs[b] })
	if len(seqs) > 0 && j.nextSeq <= seqs[len(seqs)-1] {
		// Never write into a directory that exists: continue after the highest sequence found.
		j.nextSeq = seqs[len(seqs)-1] + 1
	}
	adopted := map[string]runtime.Metadata{}
	for _, seq := range seqs {
		dir := runtime.JoinKey(base, "chk-"+strconv.FormatInt(seq, 10))
		if !complete[seq] {
			j.log.Info("removing partial checkpoint", "job", j.spec.JobID, "location", store.Location(dir))
			_ = store.DeletePrefix(ctx, dir+"/")
			continue
		}
		meta, err := runtime.ReadMetadata(ctx, store, dir)
		if err != nil || meta.Kind != runtime.KindCheckpoint {
			// Unreadable now is not proof it is garbage: leave it for the engine to judge.
			j.log.Warn("earlier checkpoint not adopted", "job", j.spec.JobID, "location", store.Location(dir), "error", err)
			continue
		}
		adopted[dir] = meta
		j.retained = append(j.retained, retainedCheckpoint{seq: seq, prefix: dir, sharedKeys: sharedKeys(meta.Files)})
	}
	return adopted, nil
}

func sharedKeys(files []runtime.StateFile) []string {
	var keys []string
	for _, f := range files {
		if f.Shared {
			keys = append(keys, f.Key)
		}
	}
	return keys
}

func sumSizes(files []runtime.StateFile) int64 {
	var n int64
	for _, f := range files {
		n += f.Size
	}
	return n
}
