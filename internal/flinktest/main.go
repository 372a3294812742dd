package flinktest

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"
)

// Main is a TestMain body: it starts one cluster for the whole test package, hands it to setup
// (which keeps it, typically in a package variable), runs the tests, stops the cluster and exits.
// A cluster that does not start fails the package (no skipping). Interrupts stop the cluster; a
// test binary that dies anyway takes its JVMs along (Pdeathsig).
//
//	func TestMain(m *testing.M) { flinktest.Main(m, flinktest.Options{}, func(c *flinktest.Cluster) { cluster = c }) }
func Main(m *testing.M, opts Options, setup func(*Cluster)) {
	os.Exit(run(m, opts, setup))
}

func run(m *testing.M, opts Options, setup func(*Cluster)) int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute) // includes a first Maven download
	started := time.Now()
	c, err := Start(ctx, opts)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "flinktest: starting the Flink cluster:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "flinktest: Flink %s cluster ready in %s (REST %s, SQL Gateway %s, dir %s)\n",
		c.Version, time.Since(started).Round(100*time.Millisecond), c.RESTURL, c.SQLGatewayURL, c.Dir)
	defer c.Stop()

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-signals
		c.Stop()
		os.Exit(2)
	}()
	defer signal.Stop(signals)

	setup(c)
	return m.Run()
}
