package flink

import (
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/streamstate/terraform-provider-flink/internal/blob"
)

// normalizeLocation brings a path Flink wrote and a location a blob.Store renders to one form: Flink
// writes "file:/abs/dir" and unescaped characters, stores render "file:///abs/dir" URL-escaped.
func normalizeLocation(loc string) string {
	s := strings.TrimSpace(loc)
	if u, err := url.PathUnescape(s); err == nil {
		s = u
	}
	switch {
	case strings.HasPrefix(s, "file:"):
		p := "/" + strings.TrimLeft(strings.TrimPrefix(s, "file:"), "/")
		return "file://" + path.Clean(p)
	case strings.HasPrefix(s, "/"):
		return "file://" + path.Clean(s)
	}
	for _, scheme := range []string{"s3a://", "s3p://", "s3n://"} {
		if strings.HasPrefix(s, scheme) {
			s = "s3://" + strings.TrimPrefix(s, scheme)
		}
	}
	return strings.TrimRight(s, "/")
}

// keyFor turns a location Flink reported (a checkpoint's external_path, a savepoint's location) into a key
// of store, or an error when Flink wrote outside the store.
func keyFor(store blob.Store, loc string) (string, error) {
	root := strings.TrimRight(normalizeLocation(store.Location("")), "/") + "/"
	l := normalizeLocation(loc)
	if l+"/" == root {
		return "", nil
	}
	if !strings.HasPrefix(l, root) {
		return "", fmt.Errorf("Flink reported the location %s, which is outside the storage %s", loc, store.Location(""))
	}
	return strings.TrimPrefix(l, root), nil
}
