package client

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// recorder is a real HTTP server on 127.0.0.1 that answers with a scripted handler and remembers requests.
type recorder struct {
	mu       sync.Mutex
	requests []*http.Request
	srv      *httptest.Server
}

func newRecorder(t *testing.T, handle func(n int, w http.ResponseWriter, r *http.Request)) *recorder {
	t.Helper()
	rec := &recorder{}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.requests = append(rec.requests, r.Clone(context.Background()))
		n := len(rec.requests)
		rec.mu.Unlock()
		handle(n, w, r)
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.requests)
}

func (r *recorder) header(i int, name string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests[i].Header.Get(name)
}

func newTestClient(t *testing.T, endpoint string, retries int) *Client {
	t.Helper()
	c, err := New(Config{Endpoint: endpoint, Token: "secret-token", Version: "1.2.3", MaxRetries: retries,
		RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond,
		PollMin: time.Millisecond, PollMax: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeProblem(w http.ResponseWriter, p api.Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

func TestCreateIsRetriedWithOneIdempotencyKey(t *testing.T) {
	rec := newRecorder(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n < 3 {
			w.Header().Set("Retry-After", "0")
			writeProblem(w, api.Problem{Status: 503, Code: api.CodeUnavailable, Detail: "busy"})
			return
		}
		writeJSON(w, 201, api.Namespace{ID: "ns-1", Name: "dev"})
	})
	c := newTestClient(t, rec.srv.URL, 4)
	ns, err := c.CreateNamespace(context.Background(), "ws-1", api.NamespaceInput{Name: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if ns.ID != "ns-1" || rec.count() != 3 {
		t.Fatalf("got %+v after %d requests, want ns-1 after 3", ns, rec.count())
	}
	key := rec.header(0, api.HeaderIdempotencyKey)
	if key == "" {
		t.Fatal("creating POST sent no Idempotency-Key")
	}
	for i := 1; i < 3; i++ {
		if got := rec.header(i, api.HeaderIdempotencyKey); got != key {
			t.Fatalf("retry %d sent Idempotency-Key %q, first attempt sent %q", i, got, key)
		}
	}
	if ua := rec.header(0, "User-Agent"); ua != "terraform-provider-flink/1.2.3" {
		t.Fatalf("User-Agent = %q", ua)
	}
	if auth := rec.header(0, "Authorization"); auth != "Bearer secret-token" {
		t.Fatalf("Authorization = %q", auth)
	}

	if _, err := c.CreateNamespace(context.Background(), "ws-1", api.NamespaceInput{Name: "other"}); err != nil {
		t.Fatal(err)
	}
	if rec.header(3, api.HeaderIdempotencyKey) == key {
		t.Fatal("a second logical create reused the first one's Idempotency-Key")
	}
}

func TestReadsCarryNoIdempotencyKey(t *testing.T) {
	rec := newRecorder(t, func(n int, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, api.Namespace{ID: "ns-1"})
	})
	c := newTestClient(t, rec.srv.URL, 0)
	if _, err := c.GetNamespace(context.Background(), "ns-1"); err != nil {
		t.Fatal(err)
	}
	if k := rec.header(0, api.HeaderIdempotencyKey); k != "" {
		t.Fatalf("GET sent Idempotency-Key %q", k)
	}
	// A cron validation is a POST that changes nothing: the engine need not keep a replay record of it.
	if _, err := c.ValidateCron(context.Background(), api.CronRequest{Cron: "0 3 * * *"}); err != nil {
		t.Fatal(err)
	}
	if rec.requests[1].Method != http.MethodPost || rec.header(1, api.HeaderIdempotencyKey) != "" {
		t.Fatalf("%s %s sent Idempotency-Key %q", rec.requests[1].Method, rec.requests[1].URL.Path, rec.header(1, api.HeaderIdempotencyKey))
	}
}

func TestEngineErrorsAreTypedAndNotRetried(t *testing.T) {
	rec := newRecorder(t, func(n int, w http.ResponseWriter, r *http.Request) {
		writeProblem(w, api.Problem{Status: 409, Code: api.CodeNamespaceNotEmpty, Title: "Conflict",
			Detail: "namespace dev is not empty", Counts: map[string]int{"variables": 1, "deployments": 2, "udfs": 0}})
	})
	c := newTestClient(t, rec.srv.URL, 4)
	err := c.DeleteNamespace(context.Background(), "ns-1", false)
	e, ok := AsError(err)
	if !ok {
		t.Fatalf("want *Error, got %T %v", err, err)
	}
	if e.Status != 409 || e.Code != api.CodeNamespaceNotEmpty || e.Message != "namespace dev is not empty" {
		t.Fatalf("decoded %+v", e)
	}
	if got := e.CountsSummary(); got != "2 deployments, 1 variables" {
		t.Fatalf("CountsSummary = %q", got)
	}
	if !IsConflict(err) || IsNotFound(err) || IsLocked(err) || IsForbidden(err) || IsInvalid(err) {
		t.Fatal("helpers misclassify a namespace_not_empty answer")
	}
	if rec.count() != 1 {
		t.Fatalf("a 409 was sent %d times, want once", rec.count())
	}
}

func TestHelpersClassifyCodes(t *testing.T) {
	cases := []struct {
		problem api.Problem
		is      func(error) bool
	}{
		{api.Problem{Status: 404, Code: api.CodeNotFound}, IsNotFound},
		{api.Problem{Status: 423, Code: api.CodeLocked, TaskID: "clone-1"}, IsLocked},
		{api.Problem{Status: 403, Code: api.CodeForbidden}, IsForbidden},
		{api.Problem{Status: 400, Code: api.CodeInvalidArgument}, IsInvalid},
		{api.Problem{Status: 412, Code: api.CodePreconditionFailed}, IsStale},
		{api.Problem{Status: 401, Code: api.CodeUnauthenticated}, IsUnauthenticated},
		{api.Problem{Status: 507, Code: api.CodeInsufficientStorage}, IsStorageFailure},
		{api.Problem{Status: 503, Code: api.CodeStorageReadOnly}, IsStorageFailure},
		{api.Problem{Status: 403, Code: api.CodeStorageAccessDenied}, IsStorageFailure},
		{api.Problem{Status: 403, Code: api.CodeStorageAccessDenied}, func(err error) bool { return !IsForbidden(err) }},
	}
	for _, tc := range cases {
		rec := newRecorder(t, func(n int, w http.ResponseWriter, r *http.Request) { writeProblem(w, tc.problem) })
		_, err := newTestClient(t, rec.srv.URL, 0).GetObject(context.Background(), "x")
		if !tc.is(err) {
			t.Errorf("%s: helper returned false for %v", tc.problem.Code, err)
		}
	}
}

func TestNonProblemErrorKeepsStatusAndText(t *testing.T) {
	rec := newRecorder(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(404)
		_, _ = w.Write([]byte("<html>no such page</html>"))
	})
	_, err := newTestClient(t, rec.srv.URL, 0).GetWorkspace(context.Background(), "w")
	if !IsNotFound(err) || !strings.Contains(err.Error(), "no such page") {
		t.Fatalf("got %v", err)
	}
}

func TestGivesUpAfterMaxRetriesWithTheLastAnswer(t *testing.T) {
	rec := newRecorder(t, func(n int, w http.ResponseWriter, r *http.Request) {
		writeProblem(w, api.Problem{Status: 429, Code: "rate_limited", Detail: "slow down"})
	})
	_, err := newTestClient(t, rec.srv.URL, 2).GetWorkspace(context.Background(), "w")
	e, ok := AsError(err)
	if !ok || e.Status != 429 || e.Message != "slow down" {
		t.Fatalf("got %v", err)
	}
	if rec.count() != 3 {
		t.Fatalf("%d attempts, want 1 + 2 retries", rec.count())
	}
}

func TestUnreachableEndpoint(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = newTestClient(t, "http://"+addr, 1).WhoAmI(context.Background())
	if !IsUnreachable(err) {
		t.Fatalf("want a TransportError, got %T %v", err, err)
	}
	if strings.Contains(err.Error(), "secret-token") {
		t.Fatal("error text leaks the token")
	}
}

func TestRetryAfterForms(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	if d, ok := parseRetryAfter("7", now); !ok || d != 7*time.Second {
		t.Fatalf("seconds: %v %v", d, ok)
	}
	if d, ok := parseRetryAfter(now.Add(90*time.Second).Format(http.TimeFormat), now); !ok || d != 90*time.Second {
		t.Fatalf("date: %v %v", d, ok)
	}
	if _, ok := parseRetryAfter("soon", now); ok {
		t.Fatal("garbage accepted")
	}
	resp := &http.Response{StatusCode: 502, Header: http.Header{"Retry-After": {"3"}}}
	if d := backoff(time.Millisecond, 5*time.Second, 0, resp); d != 3*time.Second {
		t.Fatalf("backoff ignored Retry-After on 502: %v", d)
	}
	// A Retry-After longer than the longest configured wait is capped by it.
	if d := backoff(time.Millisecond, time.Second, 0, resp); d != time.Second {
		t.Fatalf("Retry-After 3s with a 1s maximum waited %v, want 1s", d)
	}
	if d := backoff(100*time.Millisecond, time.Second, 2, nil); d != 400*time.Millisecond {
		t.Fatalf("exponential backoff: %v", d)
	}
}

func TestListFollowsPages(t *testing.T) {
	rec := newRecorder(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("page_token") {
		case "":
			writeJSON(w, 200, api.Page[api.Token]{Items: []api.Token{{ID: "a"}}, NextPageToken: "p2"})
		case "p2":
			writeJSON(w, 200, api.Page[api.Token]{Items: []api.Token{{ID: "b"}}})
		}
	})
	toks, err := newTestClient(t, rec.srv.URL, 0).ListTokens(context.Background())
	if err != nil || len(toks) != 2 || toks[1].ID != "b" {
		t.Fatalf("got %+v %v", toks, err)
	}
}

func TestWaitForSnapshot(t *testing.T) {
	rec := newRecorder(t, func(n int, w http.ResponseWriter, r *http.Request) {
		status := api.SnapshotStarted
		switch {
		case strings.HasSuffix(r.URL.Path, "/bad"):
			status = api.SnapshotFailed
		case n >= 3:
			status = api.SnapshotCompleted
		}
		writeJSON(w, 200, api.Snapshot{ID: "s", Status: status, Failure: "disk full"})
	})
	c := newTestClient(t, rec.srv.URL, 0)
	s, err := c.WaitForSnapshot(context.Background(), "good")
	if err != nil || s.Status != api.SnapshotCompleted || rec.count() != 3 {
		t.Fatalf("got %+v %v after %d polls", s, err, rec.count())
	}
	s, err = c.WaitForSnapshot(context.Background(), "bad")
	if err == nil || s.Status != api.SnapshotFailed || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("failed snapshot: %+v %v", s, err)
	}
}

func TestWaitersStopWithTheContext(t *testing.T) {
	rec := newRecorder(t, func(n int, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, api.Clone{ID: "c", Status: api.CloneRunning, Progress: api.CloneProgress{Percent: 40}})
	})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	var seen int
	_, err := newTestClient(t, rec.srv.URL, 0).WaitForClone(ctx, "c", func(api.Clone) { seen++ })
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "RUNNING, 40%") {
		t.Fatalf("got %v", err)
	}
	if seen == 0 {
		t.Fatal("progress callback never called")
	}
}

func TestWaitForJobStatusFailsOnUnwantedTerminalStatus(t *testing.T) {
	rec := newRecorder(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			writeProblem(w, api.Problem{Status: 404, Code: api.CodeNotFound})
			return
		}
		writeJSON(w, 200, api.Job{ID: "j", Status: api.JobFailed, Failure: "boom"})
	})
	_, err := newTestClient(t, rec.srv.URL, 0).WaitForJobStatus(context.Background(), "d", api.JobRunning)
	if err == nil || !strings.Contains(err.Error(), "FAILED") || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("got %v", err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, cfg := range []Config{{Token: "t"}, {Endpoint: "127.0.0.1:80", Token: "t"}, {Endpoint: "http://h:1"}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}
