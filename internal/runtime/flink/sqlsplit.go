package flink

import (
	"strings"
	"unicode"
)

// statement is one SQL statement of a deployment, without its terminating semicolon.
type statement struct {
	Text string
	Line int // 1-based line of the deployment's SQL where the statement begins, for error messages
}

// splitSQL splits a deployment's SQL into statements at semicolons, as Flink's SQL client does: a
// semicolon inside '...' (with ” escapes), "..." or `...` quotes, or inside a -- or /* */ comment, does
// not end a statement, and neither does one inside EXECUTE STATEMENT SET BEGIN ... END (whose inner
// INSERTs end with semicolons; a CASE ... END inside them is told apart by counting CASEs). Statements
// holding only whitespace and comments are dropped.
func splitSQL(sql string) []statement {
	var (
		out   []statement
		start = 0 // byte offset of the current statement
		line  = 1
		// Word tracking outside quotes and comments, for EXECUTE STATEMENT SET BEGIN ... END.
		words      []string // the statement's first four words, upper case
		caseDepth  int
		blockEnded bool // the last token was an END that closes the BEGIN block
		word       strings.Builder
	)
	flushWord := func() {
		if word.Len() == 0 {
			return
		}
		w := strings.ToUpper(word.String())
		word.Reset()
		if len(words) < 4 {
			words = append(words, w)
		}
		blockEnded = false
		switch w {
		case "CASE":
			caseDepth++
		case "END":
			if caseDepth > 0 {
				caseDepth--
			} else {
				blockEnded = true
			}
		}
	}
	inStatementSet := func() bool {
		return len(words) == 4 && words[0] == "EXECUTE" && words[1] == "STATEMENT" && words[2] == "SET" && words[3] == "BEGIN"
	}
	emit := func(end int) {
		text := sql[start:end]
		if t := strings.TrimSpace(stripComments(text)); t != "" {
			lead := len(text) - len(strings.TrimLeftFunc(text, unicode.IsSpace))
			out = append(out, statement{Text: strings.TrimSpace(text), Line: line - strings.Count(sql[start+lead:end], "\n")})
		}
		words, caseDepth, blockEnded = nil, 0, false
	}

	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			flushWord()
			blockEnded = false
			// A doubled quote inside is an escaped quote; the scan resumes after the closing one.
			j := i + 1
			for j < len(sql) {
				if sql[j] == c {
					if j+1 < len(sql) && sql[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			line += strings.Count(sql[i:min(j+1, len(sql))], "\n")
			i = j
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			flushWord()
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				i = len(sql)
				continue
			}
			i += j - 1 // the newline itself is counted on the next turn
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			flushWord()
			j := strings.Index(sql[i+2:], "*/")
			end := len(sql)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			line += strings.Count(sql[i:end], "\n")
			i = end - 1
		case c == ';':
			flushWord()
			if inStatementSet() && !blockEnded {
				continue
			}
			emit(i)
			start = i + 1
		case c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80:
			word.WriteByte(c)
		default:
			flushWord()
			if c == '\n' {
				line++
			}
			if !unicode.IsSpace(rune(c)) {
				blockEnded = false
			}
		}
	}
	flushWord()
	emit(len(sql))
	return out
}

// stripComments removes -- and /* */ comments outside quotes (used to tell empty statements apart and to
// read a statement's leading keyword).
func stripComments(sql string) string {
	var b strings.Builder
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for j < len(sql) {
				if sql[j] == c {
					if j+1 < len(sql) && sql[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			b.WriteString(sql[i:min(j+1, len(sql))])
			i = j
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				return b.String()
			}
			i += j - 1
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			j := strings.Index(sql[i+2:], "*/")
			if j < 0 {
				return b.String()
			}
			b.WriteByte(' ')
			i = i + 2 + j + 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// submitsJob reports whether a statement submits a Flink job: INSERT, EXECUTE (STATEMENT SET, INSERT,
// PLAN) or a query.
func submitsJob(stmt string) bool {
	fields := strings.Fields(strings.ToUpper(stripComments(stmt)))
	if len(fields) == 0 {
		return false
	}
	switch strings.TrimLeft(fields[0], "(") {
	case "INSERT", "EXECUTE", "SELECT", "WITH", "VALUES":
		return true
	}
	return false
}
