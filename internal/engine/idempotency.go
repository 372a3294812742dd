package engine

import (
	"context"
	"errors"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// IdempotencyTTL is how long a key's first response is replayed.
const IdempotencyTTL = 24 * time.Hour

// inFlightTimeout is how long a key stays reserved by a request that never finished (a crash): after it,
// a retry runs the request again.
const inFlightTimeout = time.Minute

// StoredResponse is the first response given to an idempotent request.
type StoredResponse struct {
	RequestHash string    `json:"request_hash"`
	Done        bool      `json:"done"`
	Status      int       `json:"status"`
	Body        []byte    `json:"body"`
	CreatedAt   time.Time `json:"created_at"`
}

func idemID(p Principal, key string) string { return p.User + "\x00" + key }

// BeginIdempotent reserves key for a request whose method, path and body hash to requestHash. It returns
// the stored response when the key was used before with the same request; an error when it was used
// with another request (422) or is still in flight (409); nil, nil when the caller should proceed and
// then call FinishIdempotent.
func (e *Engine) BeginIdempotent(ctx context.Context, p Principal, key, requestHash string) (*StoredResponse, error) {
	var replay *StoredResponse
	err := e.store.Update(ctx, func(tx store.Tx) error {
		var prev StoredResponse
		err := tx.Get(store.IdempotencyKeys, idemID(p, key), &prev)
		now := e.now()
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		case now.Sub(prev.CreatedAt) > IdempotencyTTL || (!prev.Done && now.Sub(prev.CreatedAt) > inFlightTimeout):
		case prev.RequestHash != requestHash:
			return errf(api.CodeIdempotencyMismatch, "Idempotency-Key %q was already used for a different request: use a new key for a new request", key)
		case !prev.Done:
			return errf(api.CodeConflict, "a request with Idempotency-Key %q is still in progress: retry shortly", key)
		default:
			replay = &prev
			return nil
		}
		return tx.Put(store.IdempotencyKeys, idemID(p, key), store.Cols{"created_at": store.TimeKey(now)},
			StoredResponse{RequestHash: requestHash, CreatedAt: now})
	})
	return replay, err
}

// FinishIdempotent stores the response of a reserved key. A failed request (status >= 500) releases the
// key instead, so a retry runs again.
func (e *Engine) FinishIdempotent(ctx context.Context, p Principal, key, requestHash string, status int, body []byte) error {
	return e.store.Update(context.WithoutCancel(ctx), func(tx store.Tx) error {
		if status >= 500 {
			return tx.Delete(store.IdempotencyKeys, idemID(p, key))
		}
		now := e.now()
		return tx.Put(store.IdempotencyKeys, idemID(p, key), store.Cols{"created_at": store.TimeKey(now)},
			StoredResponse{RequestHash: requestHash, Done: true, Status: status, Body: body, CreatedAt: now})
	})
}
