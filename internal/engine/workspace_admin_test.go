package engine_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

func ossInput(name, owner, endpoint string) api.WorkspaceInput {
	return api.WorkspaceInput{Name: name, Region: "r1", Architecture: api.ArchX86, Owner: owner,
		Storage: api.Storage{Type: api.StorageOSS, Endpoint: endpoint, Bucket: "b", AccessKeyID: "AKID", SecretAccessKey: "s3cr3t"}}
}

// TestOnlyTheAdminCreatesWorkspacesAndChangesTheirStorage (issue 11, items 2 and 4).
func TestOnlyTheAdminCreatesWorkspacesAndChangesTheirStorage(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	admin := env.Admin()
	olga := env.As(admin.NewToken(t, "olga"))
	vic := env.As(admin.NewToken(t, "vic"))

	// A token holder cannot make the engine call a host of their choosing.
	prob := olga.Fails(t, http.StatusForbidden, api.CodeForbidden, "POST", "/workspaces", ossInput("mine", "", "http://127.0.0.1:9"))
	if !strings.Contains(prob.Detail, "admin") {
		t.Fatalf("the refusal should say who creates workspaces: %s", prob.Detail)
	}

	// The admin names the owner; the owner manages name, clone switch and namespaces, not storage.
	var ws api.Workspace
	admin.Must(t, "POST", "/workspaces", ossInput("team", "olga", "http://127.0.0.1:9"), &ws)
	if ws.Owner != "olga" {
		t.Fatalf("owner = %q, want olga", ws.Owner)
	}
	in := ossInput("team-renamed", "", "http://127.0.0.1:9")
	in.CloneEnabled = true
	olga.Must(t, "PUT", "/workspaces/"+ws.ID, in, &ws)
	if !ws.CloneEnabled || ws.Name != "team-renamed" || ws.Storage.Endpoint != "http://127.0.0.1:9" {
		t.Fatalf("owner's update = %+v", ws)
	}
	for _, change := range []func(*api.WorkspaceInput){
		func(in *api.WorkspaceInput) { in.Storage.Endpoint = "http://127.0.0.1:10" },
		func(in *api.WorkspaceInput) { in.Storage.Bucket = "other" },
		func(in *api.WorkspaceInput) { in.Storage.SecretAccessKey = "another-secret" },
		func(in *api.WorkspaceInput) { in.Owner = "vic" },
	} {
		in := ossInput("team-renamed", "", "http://127.0.0.1:9")
		change(&in)
		olga.Fails(t, http.StatusForbidden, api.CodeForbidden, "PUT", "/workspaces/"+ws.ID, in)
	}
	in = ossInput("team-renamed", "vic", "http://127.0.0.1:10")
	admin.Must(t, "PUT", "/workspaces/"+ws.ID, in, &ws)
	if ws.Owner != "vic" || ws.Storage.Endpoint != "http://127.0.0.1:10" {
		t.Fatalf("admin's update = %+v", ws)
	}

	// A namespace member sees the storage type, not where it is nor with which key.
	ns := vic.Namespace(t, ws.ID, "ns")
	admin.Member(t, ns.ID, "olga", api.RoleViewer)
	var seen api.Workspace
	olga.Must(t, "GET", "/workspaces/"+ws.ID, nil, &seen)
	if seen.Storage != (api.Storage{Type: api.StorageOSS}) {
		t.Fatalf("a VIEWER sees storage %+v, want the type only", seen.Storage)
	}
	var page api.Page[api.Workspace]
	olga.Must(t, "GET", "/workspaces", nil, &page)
	if len(page.Items) != 1 || page.Items[0].Storage.Bucket != "" || page.Items[0].Storage.AccessKeyID != "" {
		t.Fatalf("a VIEWER lists %+v", page.Items)
	}
	vic.Must(t, "GET", "/workspaces/"+ws.ID, nil, &seen)
	if seen.Storage.Bucket != "b" || seen.Storage.AccessKeyID != "AKID" || !seen.Storage.HasSecret || seen.Storage.SecretAccessKey != "" {
		t.Fatalf("the owner sees storage %+v", seen.Storage)
	}
}

// TestAllowEndpointRestrictsStorageEndpoints (issue 11, item 2).
func TestAllowEndpointRestrictsStorageEndpoints(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{AllowEndpoints: []string{"*.example.com", "127.0.0.1:9000"}})
	admin := env.Admin()
	for endpoint, allowed := range map[string]bool{
		"https://oss.example.com": true, "http://127.0.0.1:9000": true, "https://bucket.oss.example.com:8443": true,
		"http://127.0.0.1:9001": false, "http://localhost:9000": false, "https://example.com.evil.net": false,
		"http://169.254.169.254": false, "ftp://oss.example.com": false,
	} {
		code, prob := admin.Do(t, "POST", "/workspaces", ossInput("ws", "", endpoint), nil)
		switch {
		case allowed && code != http.StatusCreated:
			t.Errorf("%s: got %d %s, want it allowed", endpoint, code, prob.Detail)
		case !allowed && code == http.StatusCreated:
			t.Errorf("%s: created, want it refused", endpoint)
		case !allowed && !strings.Contains(prob.Detail, "storage.endpoint"):
			t.Errorf("%s: the refusal should name the field: %s", endpoint, prob.Detail)
		}
		if code == http.StatusCreated {
			var page api.Page[api.Workspace]
			admin.Must(t, "GET", "/workspaces", nil, &page)
			for _, w := range page.Items {
				admin.Must(t, "DELETE", "/workspaces/"+w.ID, nil, nil)
			}
		}
	}
}

// TestTheLastOwnerStays (issue 11, item 3).
func TestTheLastOwnerStays(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	admin := env.Admin()
	ns := admin.Namespace(t, admin.Workspace(t, "ws").ID, "ns")
	olga := env.As(admin.NewToken(t, "olga"))
	admin.Member(t, ns.ID, "olga", api.RoleOwner)
	path := "/namespaces/" + ns.ID + "/members/olga"
	olga.Fails(t, http.StatusConflict, api.CodeConflict, "DELETE", path, nil)
	prob := olga.Fails(t, http.StatusConflict, api.CodeConflict, "PUT", path, api.MemberInput{Role: api.RoleEditor})
	if !strings.Contains(prob.Detail, "last OWNER") {
		t.Fatalf("the refusal should say why: %s", prob.Detail)
	}
	admin.Fails(t, http.StatusConflict, api.CodeConflict, "DELETE", path, nil)
	// With a second OWNER either may leave.
	olga.Member(t, ns.ID, "vic", api.RoleOwner)
	olga.Must(t, "PUT", path, api.MemberInput{Role: api.RoleViewer}, nil)
	admin.Fails(t, http.StatusConflict, api.CodeConflict, "DELETE", "/namespaces/"+ns.ID+"/members/vic", nil)
}

// TestAllowEndpointRestrictsJarURLs: the engine fetches an http(s) jar itself, so the URL is held to the
// same list (issue 11, item 2).
func TestAllowEndpointRestrictsJarURLs(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{AllowEndpoints: []string{"repo.example.com"}})
	admin := env.Admin()
	ns := admin.Namespace(t, admin.Workspace(t, "ws").ID, "ns")
	jar := func(uri string) api.ObjectInput {
		raw, _ := json.Marshal(api.DeploymentSpec{Type: api.DeploymentJAR, EngineVersion: "vvr-8.0.9-flink-1.17", Jar: &api.JarSpec{URI: uri}})
		return api.ObjectInput{Name: "j", Spec: raw}
	}
	prob := admin.Fails(t, http.StatusForbidden, api.CodeForbidden, "POST", "/namespaces/"+ns.ID+"/objects/deployments", jar("http://169.254.169.254/latest/meta-data.jar"))
	if !strings.Contains(prob.Detail, "spec.jar.uri") {
		t.Fatalf("the refusal should name the field: %s", prob.Detail)
	}
	admin.Must(t, "POST", "/namespaces/"+ns.ID+"/objects/deployments", jar("https://repo.example.com/app.jar"), nil)
}
