package provider

import (
	"os"
	"strings"
	"testing"
)

// clearLogEnv removes every TF_LOG* variable for the test (t.Setenv restores them afterwards).
func clearLogEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "TF_LOG") {
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
	}
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_FLINK"} {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
}

func TestQuietUnseenLogsTurnsOffLogsNobodyAskedFor(t *testing.T) {
	clearLogEnv(t)
	QuietUnseenLogs()
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_FLINK"} {
		if got := os.Getenv(name); got != "off" {
			t.Errorf("%s = %q without any TF_LOG in the environment, want off", name, got)
		}
	}
}

func TestQuietUnseenLogsKeepsEveryLevelWhenLoggingIsAskedFor(t *testing.T) {
	for _, asked := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_PATH"} {
		t.Run(asked, func(t *testing.T) {
			clearLogEnv(t)
			t.Setenv(asked, "TRACE")
			QuietUnseenLogs()
			for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_FLINK"} {
				if got, set := os.LookupEnv(name); set {
					t.Errorf("with %s set, %s = %q; want it left unset so the SDK logs as before", asked, name, got)
				}
			}
		})
	}
}
