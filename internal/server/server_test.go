package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
	"github.com/streamstate/terraform-provider-flink/internal/server"
)

// rawPost sends body as it is (it may be broken JSON) and returns the status and problem.
func rawPost(t *testing.T, env *enginetest.Env, path, body string) (int, api.Problem) {
	t.Helper()
	req, err := http.NewRequest("POST", env.URL+"/api/v1"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+enginetest.AdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var prob api.Problem
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 {
		if err := json.Unmarshal(raw, &prob); err != nil || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("POST %s: %d with a body that is not a problem (%s): %s", path, resp.StatusCode, resp.Header.Get("Content-Type"), raw)
		}
	}
	return resp.StatusCode, prob
}

// Bodies are decoded strictly: an unknown field (a typo) is refused by name, broken JSON is refused,
// and nothing is created by either.
func TestRequestBodiesAreDecodedStrictly(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	cases := []struct{ body, want string }{
		{`{"name":"typo","regoin":"r1","architecture":"X86_64","storage":{"type":"MANAGED"}}`, `"regoin"`},
		{`{"name":"broken",`, "request body"},
		{`{"name":42}`, "name"},
	}
	for _, tc := range cases {
		status, prob := rawPost(t, env, "/workspaces", tc.body)
		if status != http.StatusBadRequest || prob.Code != api.CodeInvalidArgument || !strings.Contains(prob.Detail, tc.want) {
			t.Errorf("POST %s: %d %s %q, want 400 invalid_argument naming %s", tc.body, status, prob.Code, prob.Detail, tc.want)
		}
	}
	var page api.Page[api.Workspace]
	env.Admin().Must(t, "GET", "/workspaces", nil, &page)
	if len(page.Items) != 0 {
		t.Fatalf("a refused body created %d workspaces", len(page.Items))
	}
}

// Listings page with limit and an opaque token; a bad limit or token is refused naming the parameter.
func TestListingsPage(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	ws := c.Workspace(t, "ws")
	names := map[string]bool{}
	for _, n := range []string{"a", "b", "c"} {
		c.Namespace(t, ws.ID, n)
		names[n] = true
	}
	var first, second api.Page[api.Namespace]
	c.Must(t, "GET", "/workspaces/"+ws.ID+"/namespaces?limit=2", nil, &first)
	if len(first.Items) != 2 || first.NextPageToken == "" {
		t.Fatalf("first page = %d items, token %q; want 2 and a token", len(first.Items), first.NextPageToken)
	}
	c.Must(t, "GET", "/workspaces/"+ws.ID+"/namespaces?limit=2&page_token="+first.NextPageToken, nil, &second)
	if len(second.Items) != 1 || second.NextPageToken != "" {
		t.Fatalf("last page = %d items, token %q; want 1 and no token", len(second.Items), second.NextPageToken)
	}
	for _, ns := range append(first.Items, second.Items...) {
		if !names[ns.Name] {
			t.Fatalf("namespace %q listed twice or unknown", ns.Name)
		}
		delete(names, ns.Name)
	}
	for _, q := range []string{"limit=0", "limit=1001", "limit=ten", "page_token=not-a-token", "page_token=LTE"} {
		param, _, _ := strings.Cut(q, "=")
		p := c.Fails(t, http.StatusBadRequest, api.CodeInvalidArgument, "GET", "/workspaces/"+ws.ID+"/namespaces?"+q, nil)
		if !strings.Contains(p.Detail, param) {
			t.Errorf("?%s: the refusal should name %s: %s", q, param, p.Detail)
		}
	}
}

// A request whose caller went away ends with 499, not as an internal error.
func TestCancelledRequestAnswers499(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	srv := server.New(env.Engine, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest("GET", "/api/v1/workspaces", nil).WithContext(ctx)
	req.Header.Set("Authorization", "Bearer "+enginetest.AdminToken)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	var prob api.Problem
	_ = json.Unmarshal(rec.Body.Bytes(), &prob)
	if rec.Code != 499 || prob.Code == api.CodeInternal {
		t.Fatalf("cancelled request: %d %s %q, want 499", rec.Code, prob.Code, prob.Detail)
	}
}

// An unknown path answers problem+json 404 naming the route, unlike a known route's not_found.
func TestUnknownRouteIsAProblem(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	p := env.Admin().Fails(t, http.StatusNotFound, api.CodeNotFound, "GET", "/no-such-thing", nil)
	if !strings.Contains(p.Detail, "no route") {
		t.Fatalf("the catch-all should say there is no route: %s", p.Detail)
	}
	p = env.Admin().Fails(t, http.StatusNotFound, api.CodeNotFound, "GET", "/workspaces/ws-missing", nil)
	if strings.Contains(p.Detail, "no route") {
		t.Fatalf("a missing workspace is not a missing route: %s", p.Detail)
	}
}
