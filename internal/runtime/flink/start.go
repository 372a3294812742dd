package flink

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
)

// startPoll is how often Start looks at a submitted job while Flink initialises it.
const startPoll = 100 * time.Millisecond

// Start submits a job and returns its Flink job id once Flink has accepted it and read its restore
// state: SQL through a fresh SQL Gateway session, a JAR through /jars/upload and /jars/{id}/run. It waits
// (at most StartTimeout) for the job to leave CREATED/INITIALIZING, so a restore Flink refuses fails
// Start: unmatched operators wrap runtime.ErrIncompatibleState, a missing restore path
// runtime.ErrCorruptState, with Flink's own message. A job the cluster already has under the derived id
// (the engine crashed after submitting it) is adopted, not submitted again.
func (r *Runtime) Start(ctx context.Context, spec runtime.JobSpec) (string, error) {
	switch {
	case spec.JobID == "":
		return "", errors.New("flink runtime: start: the job spec has no JobID")
	case spec.Storage == nil:
		return "", fmt.Errorf("flink runtime: start job %s: the job spec has no checkpoint Storage", spec.JobID)
	case spec.Events == nil:
		return "", fmt.Errorf("flink runtime: start job %s: the job spec has no Events receiver", spec.JobID)
	case spec.Program.Type == api.DeploymentSQL && strings.TrimSpace(spec.Program.SQL) == "":
		return "", fmt.Errorf("flink runtime: start job %s: the SQL deployment has no SQL", spec.JobID)
	case spec.Program.Type == api.DeploymentJAR && (spec.Program.Jar == nil || spec.Program.Jar.Open == nil):
		return "", fmt.Errorf("flink runtime: start job %s: the JAR deployment has no jar to upload", spec.JobID)
	case spec.Program.Type != api.DeploymentSQL && spec.Program.Type != api.DeploymentJAR:
		return "", fmt.Errorf("flink runtime: start job %s: deployment type %q cannot run on Flink yet; use SQL or JAR", spec.JobID, spec.Program.Type)
	case spec.Restore != nil && spec.Restore.Storage == nil:
		return "", fmt.Errorf("flink runtime: start job %s: the restore source %q has no Storage", spec.JobID, spec.Restore.Prefix)
	}
	version, err := r.clusterVersion(ctx)
	if err != nil {
		return "", fmt.Errorf("flink runtime: start job %s: %w", spec.JobID, err)
	}
	if err := checkVersion(spec.Program.EngineVersion, version); err != nil {
		return "", fmt.Errorf("flink runtime: start job %s: %w", spec.JobID, err)
	}
	flinkID := FlinkJobID(spec.JobID)
	if _, err := r.jm.job(ctx, flinkID); err == nil {
		r.log.Info("adopting a job the cluster already runs", "job", spec.JobID, "flink_job", flinkID)
		r.watch.add(spec, flinkID, true)
		return flinkID, nil
	} else if !isStatus(err, http.StatusNotFound) {
		return "", fmt.Errorf("flink runtime: start job %s: %w", spec.JobID, err)
	}
	if src := spec.Restore; src != nil {
		if _, err := src.Storage.Stat(ctx, runtime.JoinKey(src.Prefix, runtime.MetadataFile)); err != nil {
			if errors.Is(err, blob.ErrNotFound) {
				return "", fmt.Errorf("flink runtime: start job %s: %w: the restore point %s has no %s; choose another snapshot or checkpoint",
					spec.JobID, runtime.ErrCorruptState, src.Storage.Location(src.Prefix), runtime.MetadataFile)
			}
			return "", fmt.Errorf("flink runtime: start job %s: read the restore point %s: %w", spec.JobID, src.Storage.Location(src.Prefix), err)
		}
	}
	cfg := effectiveConfig(spec, flinkID)
	var submitted string
	switch spec.Program.Type {
	case api.DeploymentSQL:
		submitted, err = r.submitSQL(ctx, spec, flinkID, cfg)
	default:
		submitted, err = r.submitJar(ctx, spec, flinkID, cfg)
	}
	if err != nil {
		// Flink may have created the job before the submission failed: a job that failed while starting
		// (a JAR run answers with its initialisation error) is explained, one that runs (a retried
		// request raced with itself) is adopted.
		if job, jerr := r.jm.job(context.WithoutCancel(ctx), flinkID); jerr == nil {
			if job.State == flinkFailed || job.State == flinkFailing {
				return "", r.startFailure(context.WithoutCancel(ctx), spec, flinkID)
			}
			r.log.Warn("submission failed but the job exists; adopting it", "job", spec.JobID, "flink_job", flinkID, "err", err)
			r.watch.add(spec, flinkID, true)
			return flinkID, nil
		}
		var se *statusError
		if errors.As(err, &se) {
			if e := classifyFailure(spec, strings.Join(se.Messages, "\n")); e != nil {
				return "", e
			}
		}
		return "", fmt.Errorf("flink runtime: start job %s: %w", spec.JobID, err)
	}
	if submitted != flinkID {
		// Flink ignored the fixed id (it should not): cancel what it started rather than lose track of it.
		_ = r.jm.cancel(context.WithoutCancel(ctx), submitted)
		return "", fmt.Errorf("flink runtime: start job %s: Flink ran it as job %s instead of the requested %s; the job was cancelled", spec.JobID, submitted, flinkID)
	}
	if err := r.awaitInitialized(ctx, spec, flinkID); err != nil {
		return "", err
	}
	r.watch.add(spec, flinkID, false)
	return flinkID, nil
}

// awaitInitialized waits until Flink has created the job's execution graph (and restored its state), or
// until StartTimeout; a job that failed meanwhile returns its root cause, classified.
func (r *Runtime) awaitInitialized(ctx context.Context, spec runtime.JobSpec, flinkID string) error {
	deadline := time.Now().Add(r.opts.StartTimeout)
	for {
		job, err := r.jm.job(ctx, flinkID)
		if err != nil && !isStatus(err, http.StatusNotFound) {
			return fmt.Errorf("flink runtime: start job %s: submitted as Flink job %s, then: %w", spec.JobID, flinkID, err)
		}
		switch job.State {
		case flinkFailed, flinkFailing:
			return r.startFailure(ctx, spec, flinkID)
		case flinkInitializing, flinkCreated, "":
		default:
			return nil
		}
		if time.Now().After(deadline) {
			r.log.Warn("job still initialising; watching it", "job", spec.JobID, "flink_job", flinkID, "state", job.State)
			return nil
		}
		if err := sleep(ctx, startPoll); err != nil {
			return fmt.Errorf("flink runtime: start job %s: submitted as Flink job %s, then: %w", spec.JobID, flinkID, err)
		}
	}
}

// startFailure reads why a job failed while starting and wraps the matching sentinel.
func (r *Runtime) startFailure(ctx context.Context, spec runtime.JobSpec, flinkID string) error {
	trace := r.failureTrace(ctx, flinkID)
	if err := classifyFailure(spec, trace); err != nil {
		return err
	}
	return fmt.Errorf("flink runtime: start job %s: Flink job %s failed while starting: %s", spec.JobID, flinkID, rootCause(trace))
}

// classifyFailure wraps ErrIncompatibleState or ErrCorruptState around a start failure whose trace says
// the restore state does not fit or is missing; nil for other failures.
func classifyFailure(spec runtime.JobSpec, trace string) error {
	where := ""
	if spec.Restore != nil {
		where = " from " + spec.Restore.Storage.Location(spec.Restore.Prefix)
	}
	switch {
	case containsAny(trace, incompatibleMarkers):
		return fmt.Errorf("flink runtime: start job %s%s: %w: Flink refused the state: %s (set allow_non_restored_state to drop state that no operator claims)",
			spec.JobID, where, runtime.ErrIncompatibleState, rootCause(trace))
	case containsAny(trace, missingMarkers):
		return fmt.Errorf("flink runtime: start job %s%s: %w: %s", spec.JobID, where, runtime.ErrCorruptState, rootCause(trace))
	}
	return nil
}

// failureTrace returns the newest exception Flink recorded for a job (its full trace, for classifying).
func (r *Runtime) failureTrace(ctx context.Context, flinkID string) string {
	ex, err := r.jm.exceptions(ctx, flinkID)
	if err != nil {
		return "the failure could not be read from Flink: " + err.Error()
	}
	if len(ex.ExceptionHistory.Entries) > 0 {
		e := ex.ExceptionHistory.Entries[0]
		if e.Stacktrace != "" {
			return e.Stacktrace
		}
		return e.ExceptionName
	}
	if ex.RootException != "" {
		return ex.RootException
	}
	return "Flink recorded no exception for the job"
}

// submitSQL runs the statements in one new SQL Gateway session and closes it; the job keeps running.
func (r *Runtime) submitSQL(ctx context.Context, spec runtime.JobSpec, flinkID string, cfg map[string]string) (string, error) {
	if r.gw == nil {
		return "", errNoGateway
	}
	stmts := splitSQL(spec.Program.SQL)
	jobs := 0
	for _, s := range stmts {
		if submitsJob(s.Text) {
			jobs++
		}
	}
	switch {
	case jobs == 0:
		return "", errors.New("the SQL has no INSERT or EXECUTE STATEMENT SET, so no job would run; add the statement that writes to a sink")
	case jobs > 1:
		return "", fmt.Errorf("the SQL submits %d jobs but a deployment runs one; combine the INSERTs in EXECUTE STATEMENT SET BEGIN ... END;", jobs)
	}
	session, err := r.gw.openSession(ctx, "deployment-"+spec.DeploymentID, cfg)
	if err != nil {
		return "", err
	}
	defer func() {
		// Closing the session ends its operations, not the job Flink runs.
		if err := r.gw.closeSession(context.WithoutCancel(ctx), session); err != nil {
			r.log.Warn("close SQL Gateway session", "job", spec.JobID, "err", err)
		}
	}()
	var submitted string
	for i, s := range stmts {
		id, err := r.gw.runStatement(ctx, session, s.Text, cfg, startPoll/2)
		if err != nil {
			return "", fmt.Errorf("SQL statement %d of %d (line %d of the SQL) failed: %w", i+1, len(stmts), s.Line, err)
		}
		if id != "" {
			submitted = id
		}
	}
	if submitted == "" {
		return "", errors.New("the SQL Gateway ran the statements but reported no job id")
	}
	return submitted, nil
}

// submitJar uploads the jar, runs it with the fixed job id, and deletes the upload.
func (r *Runtime) submitJar(ctx context.Context, spec runtime.JobSpec, flinkID string, cfg map[string]string) (string, error) {
	jar := spec.Program.Jar
	rc, err := jar.Open(ctx)
	if err != nil {
		return "", fmt.Errorf("open the jar %s: %w", jar.Name, err)
	}
	name := jar.Name
	if !strings.HasSuffix(strings.ToLower(name), ".jar") {
		name += ".jar" // Flink refuses uploads whose name does not end in .jar
	}
	jarID, err := r.jm.uploadJar(ctx, name, rc)
	rc.Close()
	if err != nil {
		return "", fmt.Errorf("upload the jar %s: %w", jar.Name, err)
	}
	defer func() {
		if err := r.jm.deleteJar(context.WithoutCancel(ctx), jarID); err != nil {
			r.log.Warn("delete uploaded jar", "job", spec.JobID, "jar", jarID, "err", err)
		}
	}()
	body := jarRunRequest{EntryClass: jar.EntryClass, ProgramArgsList: jar.Args, JobID: flinkID, FlinkConfiguration: cfg}
	if spec.Program.Parallelism > 0 {
		p := spec.Program.Parallelism
		body.Parallelism = &p
	}
	if src := spec.Restore; src != nil {
		allow := src.AllowNonRestoredState
		body.SavepointPath = src.Storage.Location(src.Prefix)
		body.AllowNonRestoredState = &allow
		body.ClaimMode = "NO_CLAIM"
	}
	id, err := r.jm.runJar(ctx, jarID, body)
	if err != nil {
		return "", fmt.Errorf("run the jar %s (entry class %q): %w", jar.Name, jar.EntryClass, err)
	}
	return id, nil
}
