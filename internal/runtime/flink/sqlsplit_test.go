package flink

import (
	"reflect"
	"testing"
)

func TestSplitSQL(t *testing.T) {
	sql := `-- a leading comment; with a semicolon
CREATE TEMPORARY TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence; not a split');

/* block; comment */ CREATE TEMPORARY VIEW "weird;name" AS SELECT 'it''s; quoted' AS s, ` + "`col;umn`" + ` FROM src;
SET 'table.exec.state.ttl' = '36 h';
EXECUTE STATEMENT SET BEGIN
  INSERT INTO a SELECT CASE WHEN id > 1 THEN 1 ELSE 0 END FROM src;
  INSERT INTO b SELECT id FROM src; -- trailing; comment
END;
INSERT INTO c SELECT * FROM src
;  -- only a comment here;
/* and here; */`
	got := splitSQL(sql)
	want := []statement{
		{"-- a leading comment; with a semicolon\nCREATE TEMPORARY TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence; not a split')", 1},
		{"/* block; comment */ CREATE TEMPORARY VIEW \"weird;name\" AS SELECT 'it''s; quoted' AS s, `col;umn` FROM src", 4},
		{"SET 'table.exec.state.ttl' = '36 h'", 5},
		{"EXECUTE STATEMENT SET BEGIN\n  INSERT INTO a SELECT CASE WHEN id > 1 THEN 1 ELSE 0 END FROM src;\n  INSERT INTO b SELECT id FROM src; -- trailing; comment\nEND", 6},
		{"INSERT INTO c SELECT * FROM src", 10},
	}
	if !reflect.DeepEqual(got, want) {
		for i := range got {
			t.Logf("got %d: line %d %q", i, got[i].Line, got[i].Text)
		}
		t.Fatalf("splitSQL gave %d statements, want %d", len(got), len(want))
	}
	jobs := 0
	for _, s := range got {
		if submitsJob(s.Text) {
			jobs++
		}
	}
	if jobs != 2 {
		t.Errorf("submitsJob counted %d job statements, want 2 (the statement set and the INSERT)", jobs)
	}
}

func TestSplitSQLEdgeCases(t *testing.T) {
	cases := map[string][]string{
		"":                              nil,
		"  ;; -- nothing\n ;":           nil,
		"SELECT 1":                      {"SELECT 1"},
		"SELECT 'a;b' ; SELECT 2;":      {"SELECT 'a;b'", "SELECT 2"},
		"SELECT 'unterminated; quote":   {"SELECT 'unterminated; quote"},
		"SELECT 1 /* unterminated; ":    {"SELECT 1 /* unterminated;"},
		"select x_end from t; select 2": {"select x_end from t", "select 2"},
		"execute statement set begin insert into a select 1; end; select 3": {"execute statement set begin insert into a select 1; end", "select 3"},
	}
	for in, want := range cases {
		var got []string
		for _, s := range splitSQL(in) {
			got = append(got, s.Text)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("splitSQL(%q) = %q, want %q", in, got, want)
		}
	}
}
