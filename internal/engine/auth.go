package engine

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// AdminUser is the built-in user the admin token authenticates as.
const AdminUser = "admin"

// Principal is an authenticated caller.
type Principal struct {
	User  string
	Admin bool
}

// system is the engine acting on its own behalf (scheduler, clone executor): it passes every check.
var system = Principal{User: "system", Admin: true}

type userRecord struct {
	Name      string `json:"name"`
	CreatedAt string `json:"created_at"`
}

type tokenRecord struct {
	api.Token
	Hash string `json:"hash"`
}

// Authenticate resolves a bearer token.
func (e *Engine) Authenticate(ctx context.Context, bearer string) (Principal, error) {
	if bearer == "" {
		return Principal{}, errf(api.CodeUnauthenticated, "missing bearer token: send Authorization: Bearer <token>")
	}
	if subtle.ConstantTimeCompare([]byte(bearer), []byte(e.admin)) == 1 {
		return Principal{User: AdminUser, Admin: true}, nil
	}
	var toks []tokenRecord
	err := e.store.View(ctx, func(tx store.Tx) error {
		return tx.List(store.Tokens, store.Query{Where: store.Cols{"hash": hashToken(bearer)}}, &toks)
	})
	if err != nil {
		return Principal{}, err
	}
	if len(toks) == 0 {
		return Principal{}, errf(api.CodeUnauthenticated, "invalid or revoked token")
	}
	return Principal{User: toks[0].User}, nil
}

func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func requireAdmin(p Principal) error {
	if !p.Admin {
		return errf(api.CodeForbidden, "user %q is not the engine admin: managing users and tokens needs the admin token", p.User)
	}
	return nil
}

// ensureUser records a user the first time it gets a token or a membership.
func (e *Engine) ensureUser(tx store.Tx, name string) error {
	if err := api.ValidateUserName(name); err != nil {
		return invalid("user", "%v", err)
	}
	err := tx.Insert(store.Users, name, nil, userRecord{Name: name, CreatedAt: store.TimeKey(e.now())})
	if errors.Is(err, store.ErrConflict) {
		return nil
	}
	return err
}

// CreateToken issues an API token for a user (admin only). The secret is returned once.
func (e *Engine) CreateToken(ctx context.Context, p Principal, in api.TokenRequest) (api.Token, error) {
	if err := requireAdmin(p); err != nil {
		return api.Token{}, err
	}
	if in.User == AdminUser {
		return api.Token{}, invalid("user", "%q is reserved for the admin token; choose another user name", AdminUser)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return api.Token{}, err
	}
	secret := "fet_" + base64.RawURLEncoding.EncodeToString(raw)
	rec := tokenRecord{Token: api.Token{ID: newID("tok"), User: in.User, Description: in.Description, CreatedAt: e.now()},
		Hash: hashToken(secret)}
	err := e.store.Update(ctx, func(tx store.Tx) error {
		if err := e.ensureUser(tx, in.User); err != nil {
			return err
		}
		return tx.Insert(store.Tokens, rec.ID, store.Cols{"user": rec.User, "hash": rec.Hash}, rec)
	})
	if err != nil {
		return api.Token{}, err
	}
	out := rec.Token
	out.Secret = secret
	return out, nil
}

// ListTokens lists tokens without their secrets (admin only).
func (e *Engine) ListTokens(ctx context.Context, p Principal, pg Paging) (api.Page[api.Token], error) {
	if err := requireAdmin(p); err != nil {
		return api.Page[api.Token]{}, err
	}
	var recs []tokenRecord
	err := e.store.View(ctx, func(tx store.Tx) error {
		return tx.List(store.Tokens, pg.query(nil, "id", false), &recs)
	})
	out := make([]api.Token, len(recs))
	for i, r := range recs {
		out[i] = r.Token
	}
	return pageOf(out, pg), err
}

// GetToken returns a token without its secret (admin only).
func (e *Engine) GetToken(ctx context.Context, p Principal, id string) (api.Token, error) {
	if err := requireAdmin(p); err != nil {
		return api.Token{}, err
	}
	var rec tokenRecord
	err := e.store.View(ctx, func(tx store.Tx) error { return get(tx, store.Tokens, "token", id, &rec) })
	return rec.Token, err
}

// DeleteToken revokes a token (admin only).
func (e *Engine) DeleteToken(ctx context.Context, p Principal, id string) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	return e.store.Update(ctx, func(tx store.Tx) error {
		var rec tokenRecord
		if err := get(tx, store.Tokens, "token", id, &rec); err != nil {
			return err
		}
		return tx.Delete(store.Tokens, id)
	})
}

var roleRank = map[string]int{api.RoleViewer: 1, api.RoleEditor: 2, api.RoleOwner: 3}

// roleOn returns the caller's role on a namespace ("" when none). The admin is Owner everywhere.
func roleOn(tx store.Tx, p Principal, nsID string) (string, error) {
	if p.Admin {
		return api.RoleOwner, nil
	}
	var m api.Member
	err := tx.Get(store.Members, memberID(nsID, p.User), &m)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	return m.Role, err
}

// requireRole loads the namespace and checks the caller holds at least role on it.
func requireRole(tx store.Tx, p Principal, nsID, role string) (api.Namespace, error) {
	var ns api.Namespace
	if err := get(tx, store.Namespaces, "namespace", nsID, &ns); err != nil {
		return ns, err
	}
	have, err := roleOn(tx, p, nsID)
	if err != nil {
		return ns, err
	}
	if roleRank[have] >= roleRank[role] {
		return ns, nil
	}
	if have == "" {
		// Nothing about a namespace the caller has no role on is revealed, not even its name.
		return ns, errf(api.CodeForbidden, "user %q has no role on the namespace this request names; this needs %s or higher: ask a namespace Owner to add you",
			p.User, role)
	}
	return ns, errf(api.CodeForbidden, "user %q has role %s on namespace %q (%s); this needs %s or higher: ask a namespace Owner",
		p.User, have, ns.Name, ns.ID, role)
}

func memberID(nsID, user string) string { return nsID + "/" + user }
