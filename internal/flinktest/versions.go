// Package flinktest starts a real Apache Flink session cluster (JobManager, one TaskManager, SQL
// Gateway) on loopback for tests and demos. flink-dist is not on Maven Central, so the cluster is
// assembled from the jars flink/pom.xml lists and started with Flink's own main classes, the way
// Flink's bin/*.sh scripts start them.
package flinktest

import (
	"fmt"
	"os"
	"strings"
)

// The Flink versions the harness supports: the newest 1.20 (LTS) and the newest 2.x patch
// releases whose every jar (flink-sql-gateway and flink-table-planner-loader included) is on
// Maven Central.
const (
	Version120 = "1.20.3"
	Version2   = "2.3.0"
	// DefaultVersion is used when neither Options.Version nor FLINK_VERSION says otherwise.
	DefaultVersion = Version120
)

// SupportedVersions lists every version Start accepts, oldest first.
var SupportedVersions = []string{Version120, Version2}

// s3PluginVersions maps a Flink version to the flink-s3-fs-presto release loaded as its plugin:
// Maven Central has the plugin for 1.20.0 only among the 1.20 patch releases, and a plugin of
// another patch release of the same minor version loads fine.
var s3PluginVersions = map[string]string{
	Version120: "1.20.0",
	Version2:   Version2,
}

// resolveVersion picks the version to run: the explicit one, else FLINK_VERSION, else the default.
// Short forms ("1.20", "2.3", "2") name the supported release of that line.
func resolveVersion(v string) (string, error) {
	if v == "" {
		v = os.Getenv("FLINK_VERSION")
	}
	if v == "" {
		return DefaultVersion, nil
	}
	for _, s := range SupportedVersions {
		if v == s || strings.HasPrefix(s, v+".") {
			return s, nil
		}
	}
	return "", fmt.Errorf("flinktest: Flink version %q is not supported; set Options.Version or FLINK_VERSION to one of %s",
		v, strings.Join(SupportedVersions, ", "))
}
