package flink

import (
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
)

// jobManager is the JobManager REST API: one method per endpoint the runtime uses.
type jobManager struct{ rest restClient }

// config is GET /config: the dashboard configuration, which carries the cluster's Flink version.
func (j *jobManager) config(ctx context.Context) (dashboardConfig, error) {
	var out dashboardConfig
	return out, j.rest.do(ctx, http.MethodGet, "/config", nil, &out)
}

// overview is GET /jobs/overview: every job the cluster knows, with its state.
func (j *jobManager) overview(ctx context.Context) (jobsOverview, error) {
	var out jobsOverview
	return out, j.rest.do(ctx, http.MethodGet, "/jobs/overview", nil, &out)
}

// job is GET /jobs/{id}; a job the cluster does not know is a statusError with 404.
func (j *jobManager) job(ctx context.Context, id string) (jobDetailsInfo, error) {
	var out jobDetailsInfo
	return out, j.rest.do(ctx, http.MethodGet, "/jobs/"+url.PathEscape(id), nil, &out)
}

// exceptions is GET /jobs/{id}/exceptions.
func (j *jobManager) exceptions(ctx context.Context, id string) (jobExceptions, error) {
	var out jobExceptions
	return out, j.rest.do(ctx, http.MethodGet, "/jobs/"+url.PathEscape(id)+"/exceptions?maxExceptions=5", nil, &out)
}

// checkpoints is GET /jobs/{id}/checkpoints.
func (j *jobManager) checkpoints(ctx context.Context, id string) (checkpointingStatistics, error) {
	var out checkpointingStatistics
	return out, j.rest.do(ctx, http.MethodGet, "/jobs/"+url.PathEscape(id)+"/checkpoints", nil, &out)
}

// cancel is PATCH /jobs/{id}?mode=cancel.
func (j *jobManager) cancel(ctx context.Context, id string) error {
	return j.rest.do(ctx, http.MethodPatch, "/jobs/"+url.PathEscape(id)+"?mode=cancel", nil, nil)
}

// triggerSavepoint is POST /jobs/{id}/savepoints; it returns the trigger id to poll.
func (j *jobManager) triggerSavepoint(ctx context.Context, id string, body savepointTriggerRequest) (string, error) {
	var out triggerResponse
	err := j.rest.do(ctx, http.MethodPost, "/jobs/"+url.PathEscape(id)+"/savepoints", body, &out)
	return out.RequestID, err
}

// stopWithSavepoint is POST /jobs/{id}/stop; it returns the trigger id to poll.
func (j *jobManager) stopWithSavepoint(ctx context.Context, id string, body stopWithSavepointRequest) (string, error) {
	var out triggerResponse
	err := j.rest.do(ctx, http.MethodPost, "/jobs/"+url.PathEscape(id)+"/stop", body, &out)
	return out.RequestID, err
}

// savepointStatus is GET /jobs/{id}/savepoints/{triggerId}, for both savepoints and stops.
func (j *jobManager) savepointStatus(ctx context.Context, id, trigger string) (savepointStatus, error) {
	var out savepointStatus
	return out, j.rest.do(ctx, http.MethodGet, "/jobs/"+url.PathEscape(id)+"/savepoints/"+url.PathEscape(trigger), nil, &out)
}

// uploadJar is POST /jars/upload with the jar as the multipart field "jarfile"; it returns the jar id.
// The body is streamed: the jar is never held in memory whole.
func (j *jobManager) uploadJar(ctx context.Context, name string, jar io.Reader) (string, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		part, err := mw.CreateFormFile("jarfile", name)
		if err == nil {
			_, err = io.Copy(part, jar)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	var out jarUploadResponse
	err := j.rest.doRaw(ctx, http.MethodPost, "/jars/upload", mw.FormDataContentType(), pr, &out)
	pr.CloseWithError(io.ErrClosedPipe) // unblocks the writer when the request ended early
	if err != nil {
		return "", err
	}
	if out.Status != "success" || out.Filename == "" {
		return "", fmt.Errorf("POST %s/jars/upload: Flink answered status %q, filename %q", j.rest.base, out.Status, out.Filename)
	}
	return path.Base(out.Filename), nil
}

// runJar is POST /jars/{jarid}/run; it returns the job id.
func (j *jobManager) runJar(ctx context.Context, jarID string, body jarRunRequest) (string, error) {
	var out jarRunResponse
	err := j.rest.do(ctx, http.MethodPost, "/jars/"+url.PathEscape(jarID)+"/run", body, &out)
	return out.JobID, err
}

// deleteJar is DELETE /jars/{jarid}.
func (j *jobManager) deleteJar(ctx context.Context, jarID string) error {
	return j.rest.do(ctx, http.MethodDelete, "/jars/"+url.PathEscape(jarID), nil, nil)
}
