package engine

import (
	"strings"
	"testing"
)

func TestCatalogReferencesAreFoundInCodeOnly(t *testing.T) {
	r := &cloneRun{renames: map[string]map[string]string{}}
	r.clone.Request.CatalogMapping = map[string]string{"prod": "dr"}
	sql := `-- prod.db.t in a comment stays
CREATE TEMPORARY TABLE src (seq BIGINT) WITH ('connector' = 'datagen', 'fields.seq.kind' = 'sequence', 'x' = 'it''s.a.b');
/* prod.db.t */ INSERT INTO prod.db.sink SELECT * FROM ext.db.t; USE CATALOG prod;`
	got, att := r.rewriteCatalogs("job", sql, nil)
	want := `-- prod.db.t in a comment stays
CREATE TEMPORARY TABLE src (seq BIGINT) WITH ('connector' = 'datagen', 'fields.seq.kind' = 'sequence', 'x' = 'it''s.a.b');
/* prod.db.t */ INSERT INTO dr.db.sink SELECT * FROM ext.db.t; USE CATALOG dr;`
	if got != want {
		t.Fatalf("rewritten SQL:\n%s\nwant:\n%s", got, want)
	}
	var names []string
	for _, a := range att {
		names = append(names, a.Kind+":"+a.Name)
	}
	if strings.Join(names, " ") != "catalog_reference:ext catalog_rewritten:prod" {
		t.Fatalf("attention %v: want ext referenced and prod rewritten, nothing from literals or comments", names)
	}
}
