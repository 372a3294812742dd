package provider

import (
	"os"
	"strings"
)

// QuietUnseenLogs turns off the trace logs of the plugin SDK, the framework and this provider when nobody
// can see them.
// Without a level in the environment they log every RPC, attribute, default, validator and plan modifier
// at TRACE as JSON on stderr, and Terraform parses each line only to drop it unless TF_LOG (or
// TF_LOG_PROVIDER, ...) asks for it: in a plan over 300 snapshots that was about 30 % of the plugin's CPU
// and more of Terraform's (issue #14). When any TF_LOG* variable is set, nothing changes, so a user who
// turns logging on sees every line as before. Call it before serving.
func QuietUnseenLogs() {
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TF_LOG") {
			return
		}
	}
	// The names terraform-plugin-go and terraform-plugin-framework read their levels from, and this
	// provider's own (TF_LOG_PROVIDER_ and the name in Address: the client logs every request).
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_FLINK"} {
		_ = os.Setenv(name, "off")
	}
}
