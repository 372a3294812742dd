package server

import (
	"context"
	"net/http"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/engine"
)

// stateSetHandlers serves snapshot listings, the overview, snapshot policies and cron validation.
func (s *Server) stateSetHandlers() map[string]http.Handler {
	e := s.eng
	id := func(r *http.Request) string { return r.PathValue("id") }
	return map[string]http.Handler{
		"GET /api/v1/deployments/{id}/overview": reply(s, http.StatusOK, func(ctx context.Context, p engine.Principal, r *http.Request) (api.StateOverview, error) {
			return e.Overview(ctx, p, id(r))
		}),
		"GET /api/v1/deployments/{id}/snapshot-policy": reply(s, http.StatusOK, func(ctx context.Context, p engine.Principal, r *http.Request) (api.SnapshotPolicy, error) {
			return e.GetSnapshotPolicy(ctx, p, id(r))
		}),
		"PUT /api/v1/deployments/{id}/snapshot-policy": reply(s, http.StatusOK, body(func(ctx context.Context, p engine.Principal, r *http.Request, in api.SnapshotPolicy) (api.SnapshotPolicy, error) {
			return e.PutSnapshotPolicy(ctx, p, id(r), in)
		})),
		"DELETE /api/v1/deployments/{id}/snapshot-policy": noContent(s, func(ctx context.Context, p engine.Principal, r *http.Request) error {
			return e.DeleteSnapshotPolicy(ctx, p, id(r))
		}),
		"GET /api/v1/snapshots": reply(s, http.StatusOK, paged(func(ctx context.Context, p engine.Principal, r *http.Request, pg engine.Paging) (api.Page[api.Snapshot], error) {
			q := r.URL.Query()
			return e.ListSnapshots(ctx, p, engine.SnapshotFilter{DeploymentID: q.Get("deployment_id"), NamespaceID: q.Get("namespace_id"),
				JobID: q.Get("job_id"), Origin: q.Get("origin"), Status: q.Get("status")}, pg)
		})),
		"POST /api/v1/cron/validate": reply(s, http.StatusOK, body(func(ctx context.Context, p engine.Principal, _ *http.Request, in api.CronRequest) (api.CronResponse, error) {
			return e.ValidateCron(ctx, p, in)
		})),
	}
}
