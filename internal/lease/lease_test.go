package lease_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/lease"
	"github.com/streamstate/terraform-provider-flink/internal/pgtest"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

const period = 300 * time.Millisecond

func TestMain(m *testing.M) { pgtest.Main(m) }

// backends runs a test on each store backend: one SQLite file, one PostgreSQL database.
func backends(t *testing.T, test func(t *testing.T, url string)) {
	t.Run("sqlite", func(t *testing.T) { test(t, filepath.Join(t.TempDir(), "engine.db")) })
	t.Run("postgres", func(t *testing.T) { test(t, pgtest.NewDatabase(t)) })
}

// replicas opens n stores on one database, as n replicas would.
func replicas(t *testing.T, url string, n int) []store.Store {
	t.Helper()
	var out []store.Store
	for range n {
		st, err := store.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		out = append(out, st)
	}
	return out
}

func manager(t *testing.T, st store.Store, owner string, maintain bool) *lease.Manager {
	m := lease.New(st, lease.Options{Owner: owner, Period: period})
	if maintain {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); m.Maintain(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
	}
	return m
}

func within(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func TestOneReplicaRunsTheWorkAtATimeAndTheNextTakesItOnRelease(t *testing.T) {
	backends(t, testOneReplicaRunsTheWorkAtATimeAndTheNextTakesItOnRelease)
}

func testOneReplicaRunsTheWorkAtATimeAndTheNextTakesItOnRelease(t *testing.T, url string) {
	stores := replicas(t, url, 2)
	a, b := manager(t, stores[0], "a", true), manager(t, stores[1], "b", true)
	var holders atomic.Int32
	var overlap atomic.Bool
	aHolds, releaseA, bRan := make(chan struct{}), make(chan struct{}), make(chan struct{})
	work := func(started chan struct{}, until <-chan struct{}) func(context.Context, int64) error {
		return func(ctx context.Context, gen int64) error {
			if holders.Add(1) > 1 {
				overlap.Store(true)
			}
			defer holders.Add(-1)
			close(started)
			if until != nil {
				<-until
			}
			return nil
		}
	}
	go a.Run(context.Background(), "clone/1", work(aHolds, releaseA))
	within(t, aHolds, "a to acquire")
	errB := make(chan error, 1)
	go func() { errB <- b.Run(context.Background(), "clone/1", work(bRan, nil)) }()
	// b waits through several renewals of a's lease.
	for range 3 {
		select {
		case <-bRan:
			t.Fatal("b ran while a held the lease")
		case <-time.After(period):
		}
	}
	if err := a.Run(context.Background(), "clone/1", nil); !errors.Is(err, lease.ErrRunning) {
		t.Fatalf("a second Run of a held name here = %v, want ErrRunning", err)
	}
	close(releaseA)
	within(t, bRan, "b to acquire after a released")
	if err := <-errB; err != nil {
		t.Fatal(err)
	}
	if overlap.Load() {
		t.Fatal("both replicas ran the work at once")
	}
	if s := b.Stats(); s.Failovers != 0 || s.Acquired != 1 {
		t.Fatalf("b stats after a clean handover = %+v, want 1 acquired, 0 failovers", s)
	}
}

func TestAPausedOwnerLosesTheLeaseAndCannotCommit(t *testing.T) {
	backends(t, testAPausedOwnerLosesTheLeaseAndCannotCommit)
}

func testAPausedOwnerLosesTheLeaseAndCannotCommit(t *testing.T, url string) {
	stores := replicas(t, url, 2)
	// a never renews (its Maintain is not running): it is paused, as a stopped VM would be.
	a, b := manager(t, stores[0], "a", false), manager(t, stores[1], "b", true)
	fencedA := lease.Fenced(stores[0])
	aCtx := make(chan context.Context, 1)
	aGen := make(chan int64, 1)
	aDone := make(chan struct{})
	go func() {
		_ = a.Run(context.Background(), "scheduler", func(ctx context.Context, gen int64) error {
			aCtx <- ctx
			aGen <- gen
			<-aDone
			return nil
		})
	}()
	ctxA := <-aCtx
	if gen := <-aGen; gen != 1 {
		t.Fatalf("first generation = %d, want 1", gen)
	}
	bRan := make(chan struct{})
	var bGen int64
	go b.Run(context.Background(), "scheduler", func(ctx context.Context, gen int64) error {
		bGen = gen
		close(bRan)
		<-ctx.Done()
		return nil
	})
	within(t, bRan, "b to take over the expired lease")
	if bGen != 2 {
		t.Fatalf("b's generation = %d, want 2", bGen)
	}
	if s := b.Stats(); s.Failovers != 1 {
		t.Fatalf("b failovers = %d, want 1", s.Failovers)
	}
	// a wakes up and tries to act on its old lease (a write already under way, which does not look at
	// the context's end): the fence refuses the transaction.
	err := fencedA.Update(context.WithoutCancel(ctxA), func(tx store.Tx) error {
		return tx.Put(store.Policies, "p", nil, map[string]string{"by": "a"})
	})
	if !errors.Is(err, lease.ErrLost) {
		t.Fatalf("a's fenced write after losing the lease = %v, want ErrLost", err)
	}
	var doc map[string]string
	if err := stores[1].View(context.Background(), func(tx store.Tx) error { return tx.Get(store.Policies, "p", &doc) }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a's write is visible (%v, %v)", doc, err)
	}
	// a's work is cancelled with ErrLost: its period ran out unrenewed (and its renewal loop would see the
	// new generation).
	mctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go a.Maintain(mctx)
	lost := make(chan struct{})
	go func() { <-ctxA.Done(); close(lost) }()
	within(t, lost, "a's work to be cancelled")
	if !errors.Is(context.Cause(ctxA), lease.ErrLost) {
		t.Fatalf("cause = %v, want ErrLost", context.Cause(ctxA))
	}
	close(aDone)
}

func TestClaimRecordsTheOwnerWithTheWork(t *testing.T) {
	backends(t, testClaimRecordsTheOwnerWithTheWork)
}

func testClaimRecordsTheOwnerWithTheWork(t *testing.T, url string) {
	stores := replicas(t, url, 2)
	a, b := manager(t, stores[0], "a", true), manager(t, stores[1], "b", true)
	var gen int64
	err := stores[0].Update(context.Background(), func(tx store.Tx) error {
		var err error
		gen, err = a.Claim(tx, "job/1")
		return err
	})
	if err != nil || gen != 1 {
		t.Fatalf("claim = %d, %v", gen, err)
	}
	err = stores[1].Update(context.Background(), func(tx store.Tx) error {
		_, err := b.Claim(tx, "job/1")
		return err
	})
	if !errors.Is(err, lease.ErrHeld) {
		t.Fatalf("second claim = %v, want ErrHeld", err)
	}
	// Until RunClaimed, no other Run of the claiming replica starts for the name (it would see the lease
	// held and wait for it, leaving the claimed one unrenewed).
	if err := a.Run(context.Background(), "job/1", nil); !errors.Is(err, lease.ErrRunning) {
		t.Fatalf("Run of a claimed name = %v, want ErrRunning", err)
	}
	ran := make(chan struct{})
	if err := a.RunClaimed(context.Background(), "job/1", gen, func(ctx context.Context, g int64) error {
		if g != gen || !lease.Held(ctx) {
			t.Errorf("RunClaimed gave generation %d (held %v), want %d", g, lease.Held(ctx), gen)
		}
		close(ran)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	within(t, ran, "the claimed work")
}

func TestAFencedUpdateWithoutALeaseIsUnchecked(t *testing.T) {
	backends(t, testAFencedUpdateWithoutALeaseIsUnchecked)
}

func testAFencedUpdateWithoutALeaseIsUnchecked(t *testing.T, url string) {
	st := lease.Fenced(replicas(t, url, 1)[0])
	if err := st.Update(context.Background(), func(tx store.Tx) error {
		return tx.Put(store.Policies, "p", nil, map[string]string{})
	}); err != nil {
		t.Fatal(err)
	}
}
