package engine

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

var catalogName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Catalog references in SQL: the first part of a three-part name (catalog.database.table, each part
// optionally in backquotes) and the name after USE CATALOG. Group 1 is what precedes the reference.
var (
	qualifiedRef  = regexp.MustCompile("(^|[^A-Za-z0-9_.`])(`?)([A-Za-z_][A-Za-z0-9_]*)(`?\\.`?[A-Za-z_][A-Za-z0-9_]*`?\\.`?[A-Za-z_][A-Za-z0-9_]*`?)")
	useCatalogRef = regexp.MustCompile("(?i)(\\bUSE\\s+CATALOG\\s+)(`?)([A-Za-z_][A-Za-z0-9_]*)(`?)")
)

// rewriteCatalogs rewrites the catalog names in sql that catalog_mapping (or a catalog this clone
// renamed) maps, and reports each catalog referenced: catalog_rewritten when it was rewritten,
// catalog_reference when a person must check it. declared lists the catalogs the object names besides.
func (r *cloneRun) rewriteCatalogs(owner, sql string, declared []string) (string, []api.AttentionItem) {
	seen := map[string]bool{}
	var att []api.AttentionItem
	note := func(name string) string {
		to := r.mappedCatalog(name)
		if !seen[name] {
			seen[name] = true
			if to != name {
				att = append(att, api.AttentionItem{Kind: "catalog_rewritten", Deployment: owner, Name: name,
					Detail: fmt.Sprintf("catalog %q was rewritten to %q in %q", name, to, owner)})
			} else {
				att = append(att, api.AttentionItem{Kind: "catalog_reference", Deployment: owner, Name: name,
					Detail: fmt.Sprintf("%q references catalog %q, which a clone does not rewrite: check that the target has it or set catalog_mapping", owner, name)})
			}
		}
		return to
	}
	replace := func(re *regexp.Regexp) func(string) string {
		return func(m string) string {
			g := re.FindStringSubmatch(m)
			return g[1] + g[2] + note(g[3]) + g[4]
		}
	}
	sql = mapSQLCode(sql, func(code string) string {
		code = useCatalogRef.ReplaceAllStringFunc(code, replace(useCatalogRef))
		return qualifiedRef.ReplaceAllStringFunc(code, replace(qualifiedRef))
	})
	for _, c := range declared {
		note(c)
	}
	slices.SortStableFunc(att, func(a, b api.AttentionItem) int { return strings.Compare(a.Name, b.Name) })
	return sql, att
}

// mapSQLCode applies fn to the parts of sql that are code, leaving string literals (quoted with ', a
// doubled quote inside) and comments (-- to the end of the line, /* ... */) as they are: an option such as
// 'fields.seq.kind' is no catalog reference.
func mapSQLCode(sql string, fn func(string) string) string {
	var out strings.Builder
	code := 0 // start of the current code part
	for i := 0; i < len(sql); {
		end := -1
		switch {
		case sql[i] == '\'':
			end = i + 1
			for end < len(sql) {
				if sql[end] == '\'' {
					if end+1 < len(sql) && sql[end+1] == '\'' {
						end += 2
						continue
					}
					end++
					break
				}
				end++
			}
		case strings.HasPrefix(sql[i:], "--"):
			if end = strings.IndexByte(sql[i:], '\n'); end < 0 {
				end = len(sql)
			} else {
				end += i
			}
		case strings.HasPrefix(sql[i:], "/*"):
			if end = strings.Index(sql[i+2:], "*/"); end < 0 {
				end = len(sql)
			} else {
				end += i + 4
			}
		}
		if end < 0 {
			i++
			continue
		}
		out.WriteString(fn(sql[code:i]))
		out.WriteString(sql[i:end])
		i, code = end, end
	}
	out.WriteString(fn(sql[code:]))
	return out.String()
}
