package engine

import (
	"context"
	"errors"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// DefaultIdempotencyTTL is how long a key's first response is replayed (Options.IdempotencyTTL).
const DefaultIdempotencyTTL = 24 * time.Hour

// inFlightTimeout is how long a key stays reserved by a request that never finished (a crash): after it,
// a retry runs the request again.
const inFlightTimeout = time.Minute

// sweepBatch bounds the records one sweep transaction deletes, so a sweep never holds the write lock long.
const sweepBatch = 500

// StoredResponse is the first response given to an idempotent request.
type StoredResponse struct {
	RequestHash string `json:"request_hash"`
	Done        bool   `json:"done"`
	Status      int    `json:"status"`
	// Body is the response as replayed. It is never stored in clear: a response may carry a secret
	// (POST /tokens returns the token's secret), so the record keeps it sealed with the engine's key.
	Body      []byte    `json:"body,omitempty"`
	Sealed    string    `json:"sealed,omitempty"`
	CreatedAt time.Time `json:"created_at"`
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
		case now.Sub(prev.CreatedAt) > e.idemTTL || (!prev.Done && now.Sub(prev.CreatedAt) > inFlightTimeout):
		case prev.RequestHash != requestHash:
			return errf(api.CodeIdempotencyMismatch, "Idempotency-Key %s was already used for a different request: use a new key for a new request", api.Excerpt(key))
		case !prev.Done:
			return errf(api.CodeConflict, "a request with Idempotency-Key %s is still in progress: retry shortly", api.Excerpt(key))
		default:
			replay = &prev
			return nil
		}
		return tx.Put(store.IdempotencyKeys, idemID(p, key), store.Cols{"created_at": store.TimeKey(now)},
			StoredResponse{RequestHash: requestHash, CreatedAt: now})
	})
	if err != nil || replay == nil {
		return nil, err
	}
	if replay.Sealed != "" {
		body, err := e.secrets.Open(replay.Sealed)
		if err != nil {
			return nil, err
		}
		replay.Body, replay.Sealed = []byte(body), ""
	}
	return replay, nil
}

// FinishIdempotent stores the response of a reserved key, sealed. A failed request (status >= 500)
// releases the key instead, so a retry runs again.
func (e *Engine) FinishIdempotent(ctx context.Context, p Principal, key, requestHash string, status int, body []byte) error {
	sealed, err := e.secrets.Seal(string(body))
	if err != nil {
		return err
	}
	return e.store.Update(context.WithoutCancel(ctx), func(tx store.Tx) error {
		if status >= 500 {
			return tx.Delete(store.IdempotencyKeys, idemID(p, key))
		}
		now := e.now()
		return tx.Put(store.IdempotencyKeys, idemID(p, key), store.Cols{"created_at": store.TimeKey(now)},
			StoredResponse{RequestHash: requestHash, Done: true, Status: status, Sealed: sealed, CreatedAt: now})
	})
}

// SweepIdempotency deletes the records older than the TTL, oldest first, and returns how many went.
// Records are deleted by their indexed created_at (the document does not repeat its id), in batches so a
// sweep never holds the write lock for long.
func (e *Engine) SweepIdempotency(ctx context.Context) (int, error) {
	cutoff := store.TimeKey(e.now().Add(-e.idemTTL))
	total := 0
	for {
		more := false
		err := e.store.Update(ctx, func(tx store.Tx) error {
			var oldest []StoredResponse
			if err := tx.List(store.IdempotencyKeys, store.Query{OrderBy: "created_at", Limit: sweepBatch}, &oldest); err != nil {
				return err
			}
			done := map[string]bool{}
			for _, r := range oldest {
				at := store.TimeKey(r.CreatedAt)
				if at >= cutoff {
					return nil
				}
				if done[at] {
					continue
				}
				done[at] = true
				n, err := tx.DeleteWhere(store.IdempotencyKeys, store.Cols{"created_at": at})
				if err != nil {
					return err
				}
				total += n
			}
			more = len(oldest) == sweepBatch
			return nil
		})
		if err != nil || !more {
			return total, err
		}
	}
}

// sweepIdempotencyLoop sweeps expired idempotency records at start and then every tenth of the TTL
// (between a second and ten minutes), until the engine closes.
func (e *Engine) sweepIdempotencyLoop(ctx context.Context) {
	every := min(max(e.idemTTL/10, time.Second), 10*time.Minute)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := e.SweepIdempotency(ctx); err != nil && ctx.Err() == nil {
			e.log.Warn("sweep expired idempotency records", "err", err)
		} else if n > 0 {
			e.log.Debug("swept expired idempotency records", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
