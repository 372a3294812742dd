package provider_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
)

// updateInterceptor is a proxy in front of the engine that, once armed, runs an out-of-band action on
// the object Terraform is about to update (PUT /objects/{id}) and then forwards the update. It puts a
// real change of the engine's state exactly between Terraform's refresh and its update, so the
// provider's diagnostics for stale versions and locked namespaces are reached through Terraform.
type updateInterceptor struct {
	url    string
	proxy  *httputil.ReverseProxy
	action func(id string) error
	armed  atomic.Bool
	mu     sync.Mutex
	ids    []string
	errs   []error
	puts   atomic.Int32 // updates forwarded to the engine, the refused ones included
}

func newUpdateInterceptor(t *testing.T, action func(objectID string) error) *updateInterceptor {
	t.Helper()
	target, err := url.Parse(acctest.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	u := &updateInterceptor{proxy: httputil.NewSingleHostReverseProxy(target), action: action}
	srv := httptest.NewServer(u)
	t.Cleanup(srv.Close)
	u.url = srv.URL
	return u
}

func (u *updateInterceptor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/api/v1/objects/") && u.armed.CompareAndSwap(true, false) {
		id := strings.TrimPrefix(r.URL.Path, "/api/v1/objects/")
		err := u.action(id) // errors are checked by expectOnce, on the test's goroutine
		u.mu.Lock()
		u.ids, u.errs = append(u.ids, id), append(u.errs, err)
		u.mu.Unlock()
	}
	if r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/api/v1/objects/") {
		u.puts.Add(1)
	}
	u.proxy.ServeHTTP(w, r)
}

// arm makes the next update run the action first.
func (u *updateInterceptor) arm() { u.armed.Store(true) }

// providerConfig points the provider at the proxy (the token still comes from FLINK_TOKEN); settings
// are further lines of the provider block.
func (u *updateInterceptor) providerConfig(settings ...string) string {
	return providerConfigAt(u.url, settings...)
}

// providerConfigAt points the provider at endpoint (a proxy in front of the test engine); settings are
// further lines of the provider block.
func providerConfigAt(endpoint string, settings ...string) string {
	return fmt.Sprintf("provider \"flink\" {\n  endpoint = %q\n%s}\n", endpoint, strings.Join(settings, ""))
}

// expectOnce fails the test unless the action ran once, without error, on object id.
func (u *updateInterceptor) expectOnce(t *testing.T, id string) {
	t.Helper()
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.ids) != 1 || u.ids[0] != id || u.errs[0] != nil {
		t.Fatalf("the interceptor should have acted once on %s before Terraform's update: on %v, errors %v", id, u.ids, u.errs)
	}
}

// newEngineProxy starts a proxy in front of the test engine and returns its URL: intercept sees each
// request first and forwards it with next (or answers it itself).
func newEngineProxy(t *testing.T, intercept func(w http.ResponseWriter, r *http.Request, next http.Handler)) string {
	t.Helper()
	target, err := url.Parse(acctest.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	next := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { intercept(w, r, next) }))
	t.Cleanup(srv.Close)
	return srv.URL
}
