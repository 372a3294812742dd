package engine

import (
	"net"
	"net/url"
	"path"
	"strings"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// checkEndpoint refuses a URL the engine must not contact: one that is not http(s), or whose host[:port]
// matches none of the operator's --allow-endpoint patterns (when any are set). field names the setting in
// the error (storage.endpoint, runtime.rest_url, ...). Patterns are host[:port]; the host may use
// path.Match wildcards ("*.aliyuncs.com"); without a port every port of the host matches.
func (e *Engine) checkEndpoint(field, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalid(field, "%q is not an http(s) URL such as https://oss-cn-hangzhou.aliyuncs.com", excerpt(rawURL, 200))
	}
	if len(e.allowEndpoints) == 0 {
		return nil
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	for _, pattern := range e.allowEndpoints {
		if endpointMatches(pattern, host, port) {
			return nil
		}
	}
	return errf(api.CodeForbidden, "%s: host %s is not allowed by this engine's --allow-endpoint list: ask the operator to allow it", field, net.JoinHostPort(host, port))
}

func endpointMatches(pattern, host, port string) bool {
	pattern = strings.ToLower(strings.TrimSpace(pattern))
	pHost, pPort := pattern, ""
	if h, p, err := net.SplitHostPort(pattern); err == nil {
		pHost, pPort = h, p
	}
	if pPort != "" && pPort != port {
		return false
	}
	ok, err := path.Match(pHost, host)
	return err == nil && ok
}

// ValidateEndpointPattern checks one --allow-endpoint value, for the command line.
func ValidateEndpointPattern(pattern string) error {
	p := strings.TrimSpace(pattern)
	host := p
	if h, _, err := net.SplitHostPort(p); err == nil {
		host = h
	}
	if host == "" || strings.Contains(p, "/") {
		return invalid("--allow-endpoint", "%q: want host[:port], such as oss-cn-hangzhou.aliyuncs.com, *.example.com or 127.0.0.1:9000", pattern)
	}
	if _, err := path.Match(host, ""); err != nil {
		return invalid("--allow-endpoint", "%q is not a valid pattern: %v", pattern, err)
	}
	return nil
}

// excerpt shortens a text before it is quoted back in an error.
func excerpt(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

// checkRuntimeEndpoints applies checkEndpoint to a flink runtime's URLs.
func (e *Engine) checkRuntimeEndpoints(r api.Runtime) error {
	if r.Type != api.RuntimeFlink {
		return nil
	}
	if err := e.checkEndpoint("runtime.rest_url", r.RESTURL); err != nil {
		return err
	}
	if r.SQLGatewayURL == "" {
		return nil
	}
	return e.checkEndpoint("runtime.sql_gateway_url", r.SQLGatewayURL)
}
