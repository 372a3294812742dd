package server_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/server"
)

// FuzzDecodeJSON: the body decoder never panics, accepts only one JSON object (or nothing), and its
// errors never quote more than a short excerpt of the input. The seeds run in every `go test`.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{
		``, ` `, `{}`, `null`, `[]`, `"x"`, `1`, `{"name":"a"}`, `{"name":"a"} `, `{"name":"a"}{}`, `{"name":"a"}x`,
		`{"name":`, `{"nope":1}`, `{"spec":{"x":1}}`, `{"name":"a","version":"1"}`, "{\"name\":\"\x00\"}",
		`{"` + strings.Repeat("k", 5000) + `":1}`, `{"name":"` + strings.Repeat("n", 5000) + `"`, "\xff\xfe{}", `{"version":1e400}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in api.ObjectInput
		err := server.DecodeJSON(bytes.NewReader(body), &in)
		trimmed := bytes.TrimSpace(body)
		if err == nil && len(trimmed) > 0 && trimmed[0] != '{' {
			t.Fatalf("accepted a body that is not an object: %q", body)
		}
		if err != nil && len(err.Error()) > 400 {
			t.Fatalf("error of %d bytes quotes too much input: %.100s", len(err.Error()), err)
		}
	})
}
