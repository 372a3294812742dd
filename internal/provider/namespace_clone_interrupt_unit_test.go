package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// The warning says why the wait stopped, that the clone goes on, and what the next plan does.
func TestWarnCloneGoesOn(t *testing.T) {
	c := api.Clone{ID: "clone-1", Status: api.CloneRunning, Progress: api.CloneProgress{Percent: 40}}
	for err, why := range map[error]string{
		fmt.Errorf("gave up: %w", context.DeadlineExceeded): "timeouts.create (30m0s) ran out",
		fmt.Errorf("gave up: %w", context.Canceled):         "apply was interrupted",
		errors.New("connection refused"):                    "reading its progress failed (connection refused)",
	} {
		var diags diag.Diagnostics
		warnCloneGoesOn(&diags, err, 30*time.Minute, c)
		if diags.HasError() || len(diags) != 1 {
			t.Fatalf("want one warning, got %v", diags)
		}
		for _, want := range []string{why, "RUNNING, 40% done", "goes on in the engine", "not tainted",
			"next plan does not start a second clone", "destroy cancels a running clone"} {
			if !strings.Contains(diags[0].Detail(), want) {
				t.Errorf("warning %q does not say %q", diags[0].Detail(), want)
			}
		}
	}
}

func TestWarnCloneEnded(t *testing.T) {
	var diags diag.Diagnostics
	warnCloneEnded(&diags, api.CloneSucceeded, api.Clone{Status: api.CloneFailed}) // not one create left running
	warnCloneEnded(&diags, api.CloneRunning, api.Clone{Status: api.CloneSucceeded})
	warnCloneEnded(&diags, api.CloneRunning, api.Clone{Status: api.CloneRunning})
	if len(diags) != 0 {
		t.Fatalf("no warning expected, got %v", diags)
	}
	warnCloneEnded(&diags, api.ClonePending, api.Clone{ID: "clone-2", Status: api.CloneFailed, FailedCount: 2, TotalCount: 5})
	if len(diags) != 1 || !strings.Contains(diags[0].Detail(), "2 of 5 objects failed") {
		t.Fatalf("want one warning with the counts, got %v", diags)
	}
}

// The derived client token names the request, not the order a set's elements came in: the same
// configuration asked again gets the same token; another target or policy gets another; a token the
// configuration sets is used as it is.
func TestDerivedClientTokenNamesTheRequest(t *testing.T) {
	req := api.CloneRequest{SourceNamespaceID: "ns-a", TargetNamespaceID: "ns-b", Objects: []string{"variables", "deployments"},
		NameConflict: api.ConflictRename}
	token := derivedClientToken(req)
	reordered := req
	reordered.Objects = []string{"deployments", "variables"}
	if derivedClientToken(reordered) != token || !strings.HasPrefix(token, "tf-") || len(token) > api.MaxClientToken {
		t.Fatalf("tokens %q and %q for one request", token, derivedClientToken(reordered))
	}
	if req.Objects[0] != "variables" {
		t.Fatal("deriving the token reordered the caller's objects")
	}
	other := req
	other.TargetNamespaceID = "ns-c"
	skip := req
	skip.NameConflict = api.ConflictSkip
	withToken := req
	withToken.ClientToken = "earlier"
	if derivedClientToken(other) == token || derivedClientToken(skip) == token || derivedClientToken(withToken) != token {
		t.Fatal("the token must change with the request and ignore a token already set")
	}
}
