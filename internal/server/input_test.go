package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// Item 12: names with control characters or edge spaces are refused, never trimmed, and too long ones
// are refused with an error that quotes only a short excerpt.
func TestNamesAreRefusedNotTrimmed(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	admin := env.Admin()
	ws := admin.Workspace(t, "ws")
	ns := admin.Namespace(t, ws.ID, "ns")
	long := strings.Repeat("n", 100_000)
	cases := []struct{ what, path, body string }{
		{"workspace, leading space", "/workspaces", `{"name":" ws","region":"r","architecture":"x86_64"}`},
		{"workspace, trailing space", "/workspaces", `{"name":"ws ","region":"r","architecture":"x86_64"}`},
		{"workspace, control character", "/workspaces", `{"name":"w\u0000s","region":"r","architecture":"x86_64"}`},
		{"workspace, line break", "/workspaces", `{"name":"w\ns","region":"r","architecture":"x86_64"}`},
		{"workspace, too long", "/workspaces", `{"name":"` + long + `","region":"r","architecture":"x86_64"}`},
		{"namespace, space", "/workspaces/" + ws.ID + "/namespaces", `{"name":"ns2 "}`},
		{"namespace, too long", "/workspaces/" + ws.ID + "/namespaces", `{"name":"` + long + `"}`},
		{"token user, space", "/tokens", `{"user":" bob"}`},
		{"token user, tab", "/tokens", `{"user":"bob\t"}`},
		{"object, space", "/namespaces/" + ns.ID + "/objects/variables", `{"name":" v","spec":{"value":"x"}}`},
	}
	for _, c := range cases {
		r := rawString(t, env, "POST", "/api/v1"+c.path, adminAuth, c.body)
		if r.status != http.StatusBadRequest || r.problem.Code != api.CodeInvalidArgument {
			t.Errorf("%s: got %d %.300s, want 400 invalid_argument", c.what, r.status, r.body)
			continue
		}
		if len(r.problem.Detail) > 300 {
			t.Errorf("%s: the detail quotes %d bytes of input; want a short excerpt", c.what, len(r.problem.Detail))
		}
	}
}

// Item 12: a body is exactly one JSON object: `null`, a non-object and anything after the object are
// refused, and a long unknown field is not echoed back whole.
func TestBodyIsExactlyOneJSONObject(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	for _, c := range []struct{ what, body string }{
		{"null", `null`},
		{"array", `[{"user":"bob"}]`},
		{"string", `"bob"`},
		{"trailing object", `{"user":"bob"} {"user":"eve"}`},
		{"trailing garbage", `{"user":"bob"}garbage`},
		{"long unknown field", `{"` + strings.Repeat("f", 200_000) + `":1}`},
	} {
		r := rawString(t, env, "POST", "/api/v1/tokens", adminAuth, c.body)
		if r.status != http.StatusBadRequest || r.problem.Code != api.CodeInvalidArgument {
			t.Errorf("%s: got %d %.300s, want 400 invalid_argument", c.what, r.status, r.body)
		}
		if len(r.body) > 1024 {
			t.Errorf("%s: the answer is %d bytes long; it must not echo the input", c.what, len(r.body))
		}
	}
	var toks api.Page[api.Token]
	env.Admin().Must(t, "GET", "/tokens", nil, &toks)
	if len(toks.Items) != 0 {
		t.Fatalf("a refused body created %d tokens", len(toks.Items))
	}
	// An empty body is still fine where the input is optional, and a single object with white space too.
	if r := rawString(t, env, "POST", "/api/v1/tokens", adminAuth, "  {\"user\":\"bob\"}\n\n"); r.status != http.StatusCreated {
		t.Fatalf("one object with surrounding white space: got %d %s", r.status, r.body)
	}
}

// Item 15: a known path with a wrong method answers 405 with Allow; an unknown path 404.
func TestWrongMethodAnswers405WithAllow(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	for _, c := range []struct{ method, path, allow string }{
		{"PATCH", "/api/v1/tokens", "GET, POST, HEAD"},
		{"DELETE", "/api/v1/whoami", "GET, HEAD"},
		{"POST", "/api/v1/objects/var-123", "GET, PUT, DELETE, HEAD"},
		{"GET", "/api/v1/deployments/dep-1/start", "POST"},
	} {
		r := rawString(t, env, c.method, c.path, adminAuth, "")
		wantProblem(t, r, http.StatusMethodNotAllowed, "method_not_allowed")
		if got := r.header.Get("Allow"); got != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, got, c.allow)
		}
	}
	wantProblem(t, rawString(t, env, "GET", "/api/v1/nothing-here", adminAuth, ""), http.StatusNotFound, api.CodeNotFound)
}

// Item 15: the Bearer scheme is required and matched case-insensitively.
func TestAuthorizationHeaderNeedsBearerScheme(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	for _, auth := range []string{"Bearer " + enginetest.AdminToken, "bearer " + enginetest.AdminToken, "BEARER  " + enginetest.AdminToken} {
		if r := rawString(t, env, "GET", "/api/v1/whoami", auth, ""); r.status != http.StatusOK {
			t.Errorf("%q: got %d %s, want 200", auth[:7], r.status, r.body)
		}
	}
	for _, auth := range []string{enginetest.AdminToken, "Basic " + enginetest.AdminToken, "Token " + enginetest.AdminToken, ""} {
		r := rawString(t, env, "GET", "/api/v1/whoami", auth, "")
		wantProblem(t, r, http.StatusUnauthorized, api.CodeUnauthenticated)
		if r.header.Get("WWW-Authenticate") != "Bearer" {
			t.Errorf("a 401 should name the Bearer scheme in WWW-Authenticate, got %q", r.header.Get("WWW-Authenticate"))
		}
	}
}

// Item 15: a caller without access hears that first, whatever is wrong with its input.
func TestAuthorizationRunsBeforeInputValidation(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	admin := env.Admin()
	ws := admin.Workspace(t, "ws")
	ns := admin.Namespace(t, ws.ID, "ns")
	dep := admin.Deployment(t, ns.ID, "dep", enginetest.SQLDeployment("SELECT 1"))
	viewer := "Bearer " + userToken(t, env, "vera")
	admin.Must(t, "PUT", "/namespaces/"+ns.ID+"/members/vera", api.MemberInput{Role: api.RoleViewer}, nil)
	stranger := "Bearer " + userToken(t, env, "sam")

	for _, c := range []struct {
		who, auth, method, path, body string
		status                        int
	}{
		{"viewer, malformed body", viewer, "POST", "/api/v1/namespaces/" + ns.ID + "/objects/variables", `{"name":`, http.StatusForbidden},
		{"viewer, unknown field", viewer, "POST", "/api/v1/namespaces/" + ns.ID + "/objects/variables", `{"nope":1}`, http.StatusForbidden},
		{"viewer, bad name", viewer, "POST", "/api/v1/namespaces/" + ns.ID + "/objects/variables", `{"name":" bad "}`, http.StatusForbidden},
		{"viewer, bad kind", viewer, "POST", "/api/v1/namespaces/" + ns.ID + "/objects/nonsense", `{"name":"v"}`, http.StatusForbidden},
		{"viewer, malformed start", viewer, "POST", "/api/v1/deployments/" + dep.ID + "/start", `{{`, http.StatusForbidden},
		{"viewer, malformed update", viewer, "PUT", "/api/v1/objects/" + dep.ID, `null`, http.StatusForbidden},
		{"stranger, bad namespace name", stranger, "POST", "/api/v1/workspaces/" + ws.ID + "/namespaces", `{"name":"\u0001"}`, http.StatusForbidden},
		{"non-admin, malformed token request", viewer, "POST", "/api/v1/tokens", `[1,2`, http.StatusForbidden},
		{"viewer, member change", viewer, "PUT", "/api/v1/namespaces/" + ns.ID + "/members/x", `"OWNER"`, http.StatusForbidden},
		{"viewer, bad role", viewer, "PUT", "/api/v1/namespaces/" + ns.ID + "/members/x", `{"role":"KING"}`, http.StatusForbidden},
		{"viewer, bad policy", viewer, "PUT", "/api/v1/deployments/" + dep.ID + "/snapshot-policy", `{"schedule":{"enabled":true,"cron":"?"}}`, http.StatusForbidden},
	} {
		if r := rawString(t, env, c.method, c.path, c.auth, c.body); r.status != c.status {
			t.Errorf("%s: got %d %s, want %d", c.who, r.status, r.body, c.status)
		}
	}
}
