package lease

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// Options configure a Manager.
type Options struct {
	// Owner names this replica in lease rows; default host-pid-random, unique per process.
	Owner string
	// Period is how long a lease lasts without renewal (default DefaultPeriod). Leases are renewed, and
	// free ones looked for, every third of it.
	Period time.Duration
	Logger *slog.Logger
}

// Manager holds one replica's leases. One loop (Maintain) renews every held lease and tries every wanted
// one in a single transaction per tick, so the cost does not grow with a transaction per lease.
type Manager struct {
	st     store.Store
	owner  string
	period time.Duration
	log    *slog.Logger

	mu      sync.Mutex
	active  map[string]bool       // names a Run of this manager is handling
	held    map[string]*holding   // names held, with their generation
	waiting map[string]chan int64 // names wanted: the tick sends the generation it acquired
	lastOK  time.Time             // local time of the last successful tick
	lastErr error                 // the last tick's failure, nil once one succeeds again

	acquired, failovers, lost atomic.Int64
}

type holding struct {
	gen    int64
	cancel context.CancelCauseFunc
	// expiry fires one period (by this replica's monotonic clock) after the last renewal began: the
	// work stops here even before any transaction sees the fence, so a replica that wakes from a pause
	// past its lease stops at once instead of at its next renewal. Each renewal pushes it back.
	expiry *time.Timer
}

// New builds a Manager over st (the unfenced store). Call Maintain in a goroutine.
func New(st store.Store, opts Options) *Manager {
	if opts.Period <= 0 {
		opts.Period = DefaultPeriod
	}
	if opts.Owner == "" {
		opts.Owner = defaultOwner()
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Manager{st: st, owner: opts.Owner, period: opts.Period, log: opts.Logger,
		active: map[string]bool{}, held: map[string]*holding{}, waiting: map[string]chan int64{}}
}

func defaultOwner() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

// Owner is this replica's name in lease rows.
func (m *Manager) Owner() string { return m.owner }

// Period is the lease period.
func (m *Manager) Period() time.Duration { return m.period }

// Maintain renews held leases and acquires wanted ones every third of the period until ctx ends.
func (m *Manager) Maintain(ctx context.Context) {
	t := time.NewTicker(m.period / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			m.tick(ctx)
		}
	}
}

// Run runs fn while this replica holds the lease name: it waits until the lease is free (released, or
// expired because its owner died), runs fn with a context that carries the lease (for Fenced) and is
// cancelled with cause ErrLost if the lease is lost, and releases the lease when fn returns. After a loss
// it waits for the lease again and runs fn anew, so fn must pick up where the work stands (every job
// here resumes from the store). Run returns fn's error, ctx's error, or ErrRunning when this manager
// already handles name.
func (m *Manager) Run(ctx context.Context, name string, fn func(ctx context.Context, gen int64) error) error {
	if !m.begin(name) {
		return ErrRunning
	}
	defer m.end(name)
	return m.run(ctx, name, fn)
}

// Unclaim drops the reservation of a Claim whose transaction did not commit.
func (m *Manager) Unclaim(name string) { m.end(name) }

// RunClaimed is Run for a lease just taken with Claim (and reserved by it), at generation gen.
func (m *Manager) RunClaimed(ctx context.Context, name string, gen int64, fn func(ctx context.Context, gen int64) error) error {
	m.counted(name, gen, false)
	defer m.end(name)
	if err, lost := m.hold(ctx, name, gen, fn); !lost {
		return err
	}
	return m.run(ctx, name, fn)
}

func (m *Manager) run(ctx context.Context, name string, fn func(ctx context.Context, gen int64) error) error {
	for {
		gen, err := m.acquire(ctx, name)
		if err != nil {
			return err
		}
		if err, lost := m.hold(ctx, name, gen, fn); !lost {
			return err
		}
	}
}

// Handling reports whether a Run of this manager handles name (holds it or waits for it).
func (m *Manager) Handling(name string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.active[name]
}

func (m *Manager) begin(name string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.active[name] {
		return false
	}
	m.active[name] = true
	return true
}

func (m *Manager) end(name string) {
	m.mu.Lock()
	delete(m.active, name)
	m.mu.Unlock()
}

// Claim takes the lease name inside the caller's transaction when it is free, so the work and its owner
// are recorded together (no other replica can see the work without an owner). It also reserves name in
// this manager, so no Run here starts for it in between: after the transaction commits, run the work
// with RunClaimed; if it fails, call Unclaim.
func (m *Manager) Claim(tx store.Tx, name string) (int64, error) {
	m.mu.Lock()
	m.active[name] = true // idempotent: a retried transaction claims again
	m.mu.Unlock()
	now, err := dbNow(tx)
	if err != nil {
		return 0, err
	}
	gen, ok, _, err := m.take(tx, name, now)
	if err == nil && !ok {
		err = fmt.Errorf("lease %s: %w", name, ErrHeld)
	}
	return gen, err
}

// take acquires name in tx when it is free; failover means a live owner's lease had lapsed.
func (m *Manager) take(tx store.Tx, name string, now time.Time) (gen int64, ok, failover bool, err error) {
	r, err := get(tx, name)
	if err != nil || !r.free(now) {
		return 0, false, false, err
	}
	failover = r.Owner != "" && r.Owner != m.owner
	r.Owner, r.Expiry, r.Generation = m.owner, now.Add(m.period), r.Generation+1
	if err := put(tx, r); err != nil {
		return 0, false, false, err
	}
	return r.Generation, true, failover, nil
}

// acquire waits until name is acquired: at once when free, else at the tick that finds it free.
func (m *Manager) acquire(ctx context.Context, name string) (int64, error) {
	var gen int64
	var ok, failover bool
	err := m.st.Update(ctx, func(tx store.Tx) error {
		now, err := dbNow(tx)
		if err != nil {
			return err
		}
		gen, ok, failover, err = m.take(tx, name, now)
		return err
	})
	if err == nil && ok {
		m.counted(name, gen, failover)
		return gen, nil
	}
	if err != nil && ctx.Err() != nil {
		return 0, ctx.Err()
	}
	ch := make(chan int64, 1)
	m.mu.Lock()
	m.waiting[name] = ch
	m.mu.Unlock()
	select {
	case gen := <-ch:
		return gen, nil
	case <-ctx.Done():
		m.mu.Lock()
		if m.waiting[name] == ch {
			delete(m.waiting, name)
		}
		m.mu.Unlock()
		select {
		case gen := <-ch: // acquired as ctx ended: give it back
			m.release(context.WithoutCancel(ctx), name, gen)
		default:
		}
		return 0, ctx.Err()
	}
}

func (m *Manager) counted(name string, gen int64, failover bool) {
	m.acquired.Add(1)
	if failover {
		m.failovers.Add(1)
		m.log.Warn("lease taken over from a replica that stopped renewing it", "lease", name, "generation", gen, "owner", m.owner)
	}
}

// hold runs fn under the lease and releases it after, unless it was lost; lost reports a loss while
// ctx still runs (the caller waits for the lease again).
func (m *Manager) hold(ctx context.Context, name string, gen int64, fn func(context.Context, int64) error) (err error, lost bool) {
	lctx, cancel := context.WithCancelCause(ctx)
	lctx = withFence(lctx, fence{name: name, owner: m.owner, gen: gen})
	h := &holding{gen: gen, cancel: cancel}
	m.mu.Lock()
	m.held[name] = h
	h.expiry = time.AfterFunc(m.period, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.held[name] == h {
			m.loseLocked(name, h, "not renewed within its period")
		}
	})
	m.mu.Unlock()
	err = fn(lctx, gen)
	lost = errors.Is(context.Cause(lctx), ErrLost)
	m.mu.Lock()
	h.expiry.Stop()
	if m.held[name] == h {
		delete(m.held, name)
	}
	m.mu.Unlock()
	cancel(nil)
	if !lost {
		m.release(context.WithoutCancel(ctx), name, gen)
	}
	return err, lost && ctx.Err() == nil
}

// release frees a lease this replica holds at gen, so another replica may take it at once. Its rows go:
// the tables hold live leases only. A holder that lost the lease earlier is still fenced off, as a lease
// without rows has no owner (and a name taken again starts over at generation 1 with another owner, or
// with this one after its own earlier Run ended).
func (m *Manager) release(ctx context.Context, name string, gen int64) {
	err := m.st.Update(ctx, func(tx store.Tx) error {
		r, err := getOwner(tx, name)
		if err != nil || r.Owner != m.owner || r.Generation != gen {
			return err
		}
		if err := tx.Delete(store.LeaseExpiries, name); err != nil {
			return err
		}
		return tx.Delete(store.Leases, name)
	})
	if err != nil {
		m.log.Warn("release lease (it will expire instead)", "lease", name, "err", err)
	}
}

// tick renews every held lease and tries every wanted one, in one transaction.
func (m *Manager) tick(ctx context.Context) {
	m.mu.Lock()
	held := make(map[string]int64, len(m.held))
	for name, h := range m.held {
		held[name] = h.gen
	}
	wanted := make([]string, 0, len(m.waiting))
	for name := range m.waiting {
		wanted = append(wanted, name)
	}
	m.mu.Unlock()
	started := time.Now()
	var renewed, lostNames []string
	won := map[string]int64{}
	failedOver := map[string]bool{}
	err := m.st.Update(ctx, func(tx store.Tx) error {
		renewed, lostNames = renewed[:0], lostNames[:0]
		clear(won)
		clear(failedOver)
		now, err := dbNow(tx)
		if err != nil {
			return err
		}
		// Two statements whatever the number of leases: the rows this replica owns, then every expiry.
		var mine []Record
		if len(held) > 0 {
			if err := tx.List(store.Leases, store.Query{Where: store.Cols{"owner": m.owner}}, &mine); err != nil {
				return err
			}
		}
		owned := make(map[string]int64, len(mine))
		for _, r := range mine {
			owned[r.Name] = r.Generation
		}
		rows := make([]store.Row, 0, len(held))
		for name, gen := range held {
			if g, ok := owned[name]; !ok || g != gen {
				lostNames = append(lostNames, name)
				continue
			}
			rows = append(rows, store.Row{ID: name, Doc: expiryDoc{Name: name, Expiry: now.Add(m.period)}})
			renewed = append(renewed, name)
		}
		if len(rows) > 0 {
			if err := tx.PutMany(store.LeaseExpiries, rows); err != nil {
				return err
			}
		}
		for _, name := range wanted {
			gen, ok, failover, err := m.take(tx, name, now)
			if err != nil {
				return err
			}
			if ok {
				won[name], failedOver[name] = gen, failover
			}
		}
		return nil
	})
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		m.lastErr = err
		m.log.Warn("renew leases (held leases stop their work when their period runs out)", "held", len(held), "err", err)
		return
	}
	m.lastOK, m.lastErr = time.Now(), nil
	if took := time.Since(started); took > m.period/3 {
		m.log.Warn("lease renewal is slow: leases may lapse and move to another replica; lengthen --lease-period or lighten the database's load",
			"took", took, "period", m.period, "held", len(held), "wanted", len(wanted))
	}
	for _, name := range renewed {
		if h := m.held[name]; h != nil && h.gen == held[name] {
			h.expiry.Reset(time.Until(started.Add(m.period)))
		}
	}
	for _, name := range lostNames {
		if h := m.held[name]; h != nil && h.gen == held[name] {
			m.loseLocked(name, h, "another replica acquired it")
		}
	}
	for name, gen := range won {
		m.counted(name, gen, failedOver[name])
		if ch, ok := m.waiting[name]; ok {
			delete(m.waiting, name)
			ch <- gen
			continue
		}
		go m.release(context.WithoutCancel(ctx), name, gen) // the waiter left meanwhile
	}
}

func (m *Manager) loseLocked(name string, h *holding, why string) {
	m.lost.Add(1)
	h.expiry.Stop()
	delete(m.held, name)
	m.log.Warn("lease lost: its work stops here", "lease", name, "generation", h.gen, "why", why)
	h.cancel(ErrLost)
}

// Stats describe a manager's leases, for /readyz and /metrics.
type Stats struct {
	Owner  string        `json:"owner"`
	Period time.Duration `json:"-"`
	Held   int           `json:"held"`
	// HeldByKind counts held leases by the part of their name before "/" (clone, job), or the whole
	// name for a singleton (idempotency-sweep).
	HeldByKind map[string]int `json:"held_by_kind"`
	Waiting    int            `json:"waiting"`
	// Acquired, Failovers (acquired from a replica that stopped renewing) and Lost count since start.
	Acquired  int64 `json:"acquired"`
	Failovers int64 `json:"failovers"`
	Lost      int64 `json:"lost"`
	// RenewError is the last tick's failure ("" when the last one succeeded).
	RenewError string `json:"renew_error,omitempty"`
}

// Stats returns the manager's current counts.
func (m *Manager) Stats() Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := Stats{Owner: m.owner, Period: m.period, Held: len(m.held), HeldByKind: map[string]int{}, Waiting: len(m.waiting),
		Acquired: m.acquired.Load(), Failovers: m.failovers.Load(), Lost: m.lost.Load()}
	for name := range m.held {
		kind, _, _ := strings.Cut(name, "/")
		s.HeldByKind[kind]++
	}
	if m.lastErr != nil {
		s.RenewError = m.lastErr.Error()
	}
	return s
}
