// Package lease gives each piece of background work (a clone, a running job's watch) one owner among the
// engine's replicas. A lease is a row in the store: its name, the replica that owns it, its expiry by the
// database's clock and a generation that grows at every acquisition. The owner renews it while the work
// runs; when a replica dies its leases lapse and another replica acquires them, with a new generation.
//
// Fencing: a replica can be paused (GC, a suspended VM) past its lease's expiry and wake up believing it
// still owns the work. So every transaction done under a lease first checks, inside that transaction,
// that the lease still carries the generation it was acquired with (Temporal checks a shard's range id
// the same way); a replica that lost its lease cannot commit anything. Fenced wraps a store so that every
// Update whose context carries a lease (Run's fn gets one) does this check first.
package lease

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// DefaultPeriod is how long a lease lasts without renewal. A dead replica's work moves to another within
// about one period (plus a third of one, the interval at which waiting replicas look).
const DefaultPeriod = 10 * time.Second

// ErrLost is the cause of a lease context's cancellation, and what a fenced transaction returns, when
// another replica acquired the lease (or it could not be renewed in time).
var ErrLost = errors.New("lease: lost to another replica")

// ErrRunning is returned by Run when this manager already runs (or waits for) the lease of that name.
var ErrRunning = errors.New("lease: already running here")

// ErrHeld is returned by Claim when another replica holds the lease.
var ErrHeld = errors.New("lease: held by another replica")

// Record is a lease: who owns it at which generation (a row of store.Leases, written only when the
// owner changes) and until when (a row of store.LeaseExpiries, written at every renewal). Fencing reads
// only the first, so renewals never conflict with the transactions they fence (on PostgreSQL's
// SERIALIZABLE isolation a shared row would make them abort each other).
type Record struct {
	Name  string `json:"name"`
	Owner string `json:"owner"` // "" once released
	// Expiry is by the database's clock: replicas' own clocks never decide who owns what.
	Expiry     time.Time `json:"-"`
	Generation int64     `json:"generation"`
}

type expiryDoc struct {
	Name   string    `json:"name"`
	Expiry time.Time `json:"expiry"`
}

func (r Record) free(now time.Time) bool { return r.Owner == "" || !now.Before(r.Expiry) }

// getOwner reads who owns a lease (not its expiry); a lease never taken has no owner.
func getOwner(tx store.Tx, name string) (Record, error) {
	r := Record{Name: name}
	err := tx.Get(store.Leases, name, &r)
	if errors.Is(err, store.ErrNotFound) {
		return Record{Name: name}, nil
	}
	return r, err
}

// get reads a whole lease, its expiry included.
func get(tx store.Tx, name string) (Record, error) {
	r, err := getOwner(tx, name)
	if err != nil || r.Owner == "" {
		return r, err
	}
	var e expiryDoc
	if err := tx.Get(store.LeaseExpiries, name, &e); err != nil && !errors.Is(err, store.ErrNotFound) {
		return r, err
	}
	r.Expiry = e.Expiry
	return r, nil
}

// put writes a whole lease (a change of owner).
func put(tx store.Tx, r Record) error {
	if err := tx.Put(store.Leases, r.Name, store.Cols{"owner": r.Owner}, r); err != nil {
		return err
	}
	return putExpiry(tx, r.Name, r.Expiry)
}

// putExpiry moves a lease's expiry (a renewal).
func putExpiry(tx store.Tx, name string, expiry time.Time) error {
	return tx.Put(store.LeaseExpiries, name, nil, expiryDoc{Name: name, Expiry: expiry})
}

// dbNow is the database's clock when the store offers one (PostgreSQL's now()); a store in one file on
// one machine (SQLite) shares the machine's clock with every process that opens it.
func dbNow(tx store.Tx) (time.Time, error) {
	switch c := any(tx).(type) {
	case interface{ Now() (time.Time, error) }:
		return c.Now()
	case interface{ Now() time.Time }:
		return c.Now(), nil
	}
	return time.Now(), nil
}

// Free returns a predicate telling whether a lease is free to acquire: never taken, released, or
// expired (by the database's clock), as of tx. It reads every lease in two statements (a released lease
// has no rows, so the tables hold the live ones only). Replicas look before they wait, so work with a
// live owner costs them nothing.
func Free(tx store.Tx) (func(name string) bool, error) {
	now, err := dbNow(tx)
	if err != nil {
		return nil, err
	}
	var owners []Record
	if err := tx.List(store.Leases, store.Query{}, &owners); err != nil {
		return nil, err
	}
	expiries := map[string]time.Time{}
	var exp []expiryDoc
	if err := tx.List(store.LeaseExpiries, store.Query{}, &exp); err != nil {
		return nil, err
	}
	for _, e := range exp {
		expiries[e.Name] = e.Expiry
	}
	taken := map[string]bool{}
	for _, r := range owners {
		r.Expiry = expiries[r.Name]
		taken[r.Name] = !r.free(now)
	}
	return func(name string) bool { return !taken[name] }, nil
}

// Check fails with ErrLost unless owner still holds the lease name at generation gen. Call it first in a
// transaction done on a lease's behalf (Fenced does it for every Update under a lease's context).
func Check(tx store.Tx, name, owner string, gen int64) error {
	r, err := getOwner(tx, name)
	if err != nil {
		return err
	}
	if r.Owner != owner || r.Generation != gen {
		return fmt.Errorf("lease %s (generation %d): %w", name, gen, ErrLost)
	}
	return nil
}

type fence struct {
	name, owner string
	gen         int64
}

type fenceKey struct{}

// withFence returns ctx carrying one more lease to check.
func withFence(ctx context.Context, f fence) context.Context {
	prev, _ := ctx.Value(fenceKey{}).([]fence)
	return context.WithValue(ctx, fenceKey{}, append(prev[:len(prev):len(prev)], f))
}

// CheckContext checks every lease ctx carries (none: nothing to check).
func CheckContext(ctx context.Context, tx store.Tx) error {
	fences, _ := ctx.Value(fenceKey{}).([]fence)
	for _, f := range fences {
		if err := Check(tx, f.name, f.owner, f.gen); err != nil {
			return err
		}
	}
	return nil
}

// Held reports whether ctx carries a lease (it was derived from a Run's context).
func Held(ctx context.Context) bool {
	fences, _ := ctx.Value(fenceKey{}).([]fence)
	return len(fences) > 0
}

// Fenced wraps st so that every transaction whose context carries leases checks them first, in the same
// transaction: work done on behalf of a lost lease cannot commit (Update), and stops at its next read
// (View) rather than going on with side effects outside the store.
func Fenced(st store.Store) store.Store { return fencedStore{st} }

type fencedStore struct{ store.Store }

func (f fencedStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	return f.Store.Update(ctx, func(tx store.Tx) error {
		if err := CheckContext(ctx, tx); err != nil {
			return err
		}
		return fn(tx)
	})
}

func (f fencedStore) View(ctx context.Context, fn func(store.Tx) error) error {
	return f.Store.View(ctx, func(tx store.Tx) error {
		if err := CheckContext(ctx, tx); err != nil {
			return err
		}
		return fn(tx)
	})
}

// IsLost reports whether err, or the cause of ctx's end, is the loss of a lease: the work belongs to
// another replica now, so it must not clean up after itself either (what it would remove is the new
// owner's).
func IsLost(ctx context.Context, err error) bool {
	return errors.Is(err, ErrLost) || errors.Is(context.Cause(ctx), ErrLost)
}

// Unwrap returns the wrapped store (for optional capabilities such as backups).
func (f fencedStore) Unwrap() store.Store { return f.Store }
