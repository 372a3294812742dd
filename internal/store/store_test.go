package store_test

import (
	"context"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/pgtest"
	"github.com/streamstate/terraform-provider-flink/internal/store"
	"github.com/streamstate/terraform-provider-flink/internal/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestSQLite(t *testing.T) { storetest.Run(t, storetest.SQLiteDatabase) }

func TestPostgres(t *testing.T) { storetest.Run(t, pgtest.NewDatabase) }

type doc struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func open(t *testing.T, path string) store.Store {
	t.Helper()
	s, err := store.OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
