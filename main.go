// Command terraform-provider-flink is the Terraform provider for flink-engine.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime/pprof"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/streamstate/terraform-provider-flink/internal/provider"
)

//go:generate tfplugindocs generate --provider-name flink --rendered-provider-name Flink

// version is set at build time: -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	defer profileCPU()()
	provider.QuietUnseenLogs()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: provider.Address,
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

// profileCPU writes a CPU profile of this plugin process to $FLINK_PROVIDER_CPUPROFILE.<pid> when that is
// set, until Terraform shuts the plugin down: Terraform starts the provider several times per command, and
// a profile of the plugin is how its per-RPC cost is found (BenchmarkPlan, issue #14).
func profileCPU() (stop func()) {
	prefix := os.Getenv("FLINK_PROVIDER_CPUPROFILE")
	if prefix == "" {
		return func() {}
	}
	f, err := os.Create(fmt.Sprintf("%s.%d", prefix, os.Getpid()))
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		log.Printf("FLINK_PROVIDER_CPUPROFILE: %v", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
