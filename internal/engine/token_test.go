package engine_test

import (
	"net/http"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// A revoked token stops working at once, and only the admin revokes.
func TestRevokedTokenIsRefused(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	admin := env.Admin()
	var tok api.Token
	admin.Must(t, "POST", "/tokens", api.TokenRequest{User: "rita", Description: "to revoke"}, &tok)
	other := env.As(admin.NewToken(t, "otto"))
	rita := env.As(tok.Secret)
	var who api.WhoAmI
	rita.Must(t, "GET", "/whoami", nil, &who)
	if who.User != "rita" {
		t.Fatalf("whoami = %+v, want rita", who)
	}
	other.Fails(t, http.StatusForbidden, api.CodeForbidden, "DELETE", "/tokens/"+tok.ID, nil)
	rita.Must(t, "GET", "/whoami", nil, nil)

	if status, _ := admin.Do(t, "DELETE", "/tokens/"+tok.ID, nil, nil); status != http.StatusNoContent {
		t.Fatalf("DELETE /tokens/%s: status %d, want 204", tok.ID, status)
	}
	rita.Fails(t, http.StatusUnauthorized, api.CodeUnauthenticated, "GET", "/whoami", nil)
	admin.Fails(t, http.StatusNotFound, api.CodeNotFound, "GET", "/tokens/"+tok.ID, nil)
	admin.Fails(t, http.StatusNotFound, api.CodeNotFound, "DELETE", "/tokens/"+tok.ID, nil)
	other.Must(t, "GET", "/whoami", nil, nil) // revoking one token leaves the others alone
}
