package store

import (
	"context"
	"fmt"
	"strings"
)

// Open opens the store a URL names:
//
//	/var/lib/flink-engine/engine.db               SQLite (a path, or sqlite:PATH / sqlite:///abs/path)
//	postgres://user:password@host:5432/database   PostgreSQL (also postgresql://)
func Open(ctx context.Context, url string) (Store, error) {
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return OpenPostgres(ctx, url)
	case strings.HasPrefix(url, "sqlite://"):
		return OpenSQLite(ctx, strings.TrimPrefix(url, "sqlite://"))
	case strings.HasPrefix(url, "sqlite:"):
		return OpenSQLite(ctx, strings.TrimPrefix(url, "sqlite:"))
	case url == "":
		return nil, fmt.Errorf("store: no database given; use a SQLite file path or postgres://user@host/database")
	case strings.Contains(url, "://"):
		scheme, _, _ := strings.Cut(url, "://")
		return nil, fmt.Errorf("store: database URL scheme %q is not supported; use postgres:// or a SQLite file path", scheme)
	default:
		return OpenSQLite(ctx, url)
	}
}
