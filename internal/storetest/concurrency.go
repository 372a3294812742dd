package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// Read-modify-write in concurrent Updates loses no update: Updates are serialised (PostgreSQL runs
// them SERIALIZABLE and runs a loser again).
func testSerialisedUpdates(t *testing.T, url string) {
	ctx := context.Background()
	s := open(t, url)
	update(t, s, func(tx store.Tx) error { return tx.Put(store.Policies, "counter", nil, doc{ID: "counter"}) })
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for range each {
				err := s.Update(ctx, func(tx store.Tx) error {
					var c doc
					if err := tx.Get(store.Policies, "counter", &c); err != nil {
						return err
					}
					c.Count++
					return tx.Put(store.Policies, "counter", nil, c)
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var c doc
	_ = s.View(ctx, func(tx store.Tx) error { return tx.Get(store.Policies, "counter", &c) })
	if c.Count != workers*each {
		t.Fatalf("counter = %d after %d serialised increments", c.Count, workers*each)
	}
}

// A View reads one snapshot: a write committed while it runs is not half-visible to it.
func testViewSnapshot(t *testing.T, url string) {
	ctx := context.Background()
	s := open(t, url)
	update(t, s, func(tx store.Tx) error { return tx.Put(store.Policies, "p", nil, doc{ID: "p", Count: 1}) })
	var before, after int
	err := s.View(ctx, func(tx store.Tx) error {
		var d doc
		if err := tx.Get(store.Policies, "p", &d); err != nil {
			return err
		}
		before = d.Count
		if err := s.Update(ctx, func(tx store.Tx) error { return tx.Put(store.Policies, "p", nil, doc{ID: "p", Count: 2}) }); err != nil {
			return err
		}
		if err := tx.Get(store.Policies, "p", &d); err != nil {
			return err
		}
		after = d.Count
		return nil
	})
	if err != nil || before != 1 || after != 1 {
		t.Fatalf("inside one View: %d then %d (%v); want 1 both times", before, after, err)
	}
}

// Now is UTC and close to this machine's clock (the database runs on loopback here); leases expire by it.
func testNow(t *testing.T, url string) {
	s := open(t, url)
	var first, second time.Time
	update(t, s, func(tx store.Tx) (err error) {
		if first, err = tx.Now(); err != nil {
			return err
		}
		time.Sleep(2 * time.Millisecond)
		second, err = tx.Now()
		return err
	})
	if first.Location() != time.UTC {
		t.Fatalf("Now is in %s, want UTC", first.Location())
	}
	if d := time.Since(first); d < -time.Minute || d > time.Minute {
		t.Fatalf("Now = %s, %s away from this machine's clock", first, d)
	}
	if !second.After(first) {
		t.Fatalf("Now did not advance within a transaction: %s then %s (a lease renewed late must see the time it is)", first, second)
	}
}

// Replicas starting together on one new database each apply every migration once, without failing.
func testConcurrentMigrations(t *testing.T, url string) {
	const replicas = 4
	var wg sync.WaitGroup
	stores := make([]store.Store, replicas)
	errs := make([]error, replicas)
	for i := range replicas {
		wg.Go(func() { stores[i], errs[i] = store.Open(context.Background(), url) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	for i, s := range stores {
		v, ok := s.(interface {
			SchemaVersion(context.Context) (int, error)
		})
		if !ok {
			t.Fatalf("%T does not report its schema version", s)
		}
		n, err := v.SchemaVersion(context.Background())
		if err != nil || n != store.SchemaVersion {
			t.Fatalf("replica %d: schema version %d (%v), want %d", i, n, err, store.SchemaVersion)
		}
	}
}
