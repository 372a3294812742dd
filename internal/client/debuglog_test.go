package client

import (
	"strings"
	"testing"
)

// Secrets never reach a log line, at any depth of a body; other fields stay readable.
func TestRedactBody(t *testing.T) {
	body := `{"name":"db","spec":{"kind":"ENCRYPTED","value":"s3cret"},"storage":{"secret_access_key":"k3y","bucket":"b"},"token":"tok-x","items":[{"password":"pw"}]}`
	got := redactBody([]byte(body))
	for _, secret := range []string{"s3cret", "k3y", "tok-x", "pw\""} {
		if strings.Contains(got, secret) {
			t.Errorf("redacted body %s still holds %q", got, secret)
		}
	}
	for _, kept := range []string{`"name":"db"`, `"bucket":"b"`, `"kind":"ENCRYPTED"`} {
		if !strings.Contains(got, kept) {
			t.Errorf("redacted body %s lost %s", got, kept)
		}
	}
	if got := redactBody([]byte("not json")); got != "(8 bytes, not JSON)" {
		t.Errorf("non-JSON body logged as %q", got)
	}
}

func TestUserAgentCarriesTerraformVersion(t *testing.T) {
	c, err := New(Config{Endpoint: "http://127.0.0.1:8480", Token: "t", Version: "1.2.3", TerraformVersion: "1.11.4"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.UserAgent(), "Terraform/1.11.4 (+https://www.terraform.io) terraform-provider-flink/1.2.3"; got != want {
		t.Fatalf("User-Agent %q, want %q", got, want)
	}
}

// Configuration errors name the setting, so the provider can point at the attribute.
func TestConfigErrorsNameTheField(t *testing.T) {
	for field, cfg := range map[string]Config{
		"endpoint": {Endpoint: "127.0.0.1:8480", Token: "t"},
		"ca_file":  {Endpoint: "https://127.0.0.1:8480", Token: "t", CAFile: "/nonexistent/ca.pem"},
	} {
		_, err := New(cfg)
		ce, ok := err.(*ConfigError)
		if !ok || ce.Field != field {
			t.Errorf("config with a bad %s: got %v, want a ConfigError on %s", field, err, field)
		}
	}
}
