package client

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"net/http"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// A waiter that runs out of time names the last status it read, not the one it started with.
func TestWaitersTimeOutNamingTheLastStatusSeen(t *testing.T) {
	rec := newRecorder(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.Contains(r.URL.Path, "/job"):
			writeJSON(w, 200, api.Job{ID: "j", Status: api.JobStarting})
		case strings.Contains(r.URL.Path, "/snapshots/gone"):
			writeJSON(w, 200, api.Snapshot{ID: "gone", Status: api.SnapshotDeleting})
		default:
			writeJSON(w, 200, api.Snapshot{ID: "s", Status: api.SnapshotStarted})
		}
	})
	c := newTestClient(t, rec.srv.URL, 0)
	waiters := map[string]func(ctx context.Context) error{
		api.JobStarting: func(ctx context.Context) error {
			_, err := c.WaitForJobStatus(ctx, "d", api.JobRunning)
			return err
		},
		api.SnapshotStarted: func(ctx context.Context) error {
			_, err := c.WaitForSnapshot(ctx, "s")
			return err
		},
		api.SnapshotDeleting: func(ctx context.Context) error { return c.WaitForSnapshotDeleted(ctx, "gone") },
	}
	for status, wait := range waiters {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		err := wait(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "last seen: "+status) {
			t.Errorf("waiting past %s: %v, want a deadline error naming %s as last seen", status, err, status)
		}
	}
}

// Each classifier says yes to its own code only, and no to other errors.
func TestHelpersClassifyOnlyTheirOwnCode(t *testing.T) {
	helpers := map[string]func(error) bool{
		api.CodeNotFound: IsNotFound, api.CodeLocked: IsLocked, api.CodeForbidden: IsForbidden,
		api.CodeInvalidArgument: IsInvalid, api.CodePreconditionFailed: IsStale, api.CodeUnauthenticated: IsUnauthenticated,
	}
	statusOf := map[string]int{api.CodeNotFound: 404, api.CodeLocked: 423, api.CodeForbidden: 403,
		api.CodeInvalidArgument: 400, api.CodePreconditionFailed: 412, api.CodeUnauthenticated: 401, api.CodeConflict: 409}
	for code, status := range statusOf {
		rec := newRecorder(t, func(n int, w http.ResponseWriter, r *http.Request) {
			writeProblem(w, api.Problem{Status: status, Code: code})
		})
		_, err := newTestClient(t, rec.srv.URL, 0).GetObject(context.Background(), "x")
		for helperCode, is := range helpers {
			if got := is(err); got != (helperCode == code) {
				t.Errorf("the %s helper says %v for a %d %s", helperCode, got, status, code)
			}
		}
	}
	for name, err := range map[string]error{"nil": nil, "plain": errors.New("not_found"), "cancelled": context.Canceled} {
		for helperCode, is := range helpers {
			if is(err) {
				t.Errorf("the %s helper says yes to a %s error", helperCode, name)
			}
		}
	}
}
