package flink

import (
	"regexp"
	"strings"
)

// maxMessage bounds a root cause kept in a job's failure; Flink's "was expecting one of" lists are long.
const maxMessage = 4000

// rootCause reduces a Java stack trace (or a plain message) to one cause's message, without frames and
// with the exception class's package dropped: "SqlParseException: Encountered ... at line 1, column 6."
// It is the innermost cause, unless an outer one names a line and column and the innermost does not
// (parsers wrap their position into an outer exception). Long lists of expected tokens are cut.
func rootCause(trace string) string {
	s := strings.ReplaceAll(trace, "\r\n", "\n")
	causes := strings.Split(s, "\nCaused by: ")
	for i, c := range causes {
		causes[i] = causeMessage(c)
	}
	pick := causes[len(causes)-1]
	if !lineColumn.MatchString(pick) {
		for i := len(causes) - 2; i >= 0; i-- {
			if lineColumn.MatchString(causes[i]) {
				pick = causes[i]
				break
			}
		}
	}
	pick = cutExpected(dropPackage(pick))
	if len(pick) > maxMessage {
		pick = pick[:maxMessage] + "…"
	}
	return pick
}

var lineColumn = regexp.MustCompile(`line \d+, column \d+`)

// causeMessage is one cause's text up to its first frame.
func causeMessage(c string) string {
	for _, marker := range []string{"\n\tat ", "\n\t... ", "\n    at ", "\nEnd of exception on server side>"} {
		if i := strings.Index(c, marker); i >= 0 {
			c = c[:i]
		}
	}
	return strings.TrimPrefix(strings.TrimSpace(c), "Caused by: ")
}

// cutExpected keeps the first few entries of a parser's "Was expecting one of:" list.
func cutExpected(s string) string {
	const keep = 5
	i := strings.Index(s, "Was expecting one of:")
	if i < 0 {
		return s
	}
	lines := strings.Split(s[i:], "\n")
	if len(lines) <= keep+1 {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:i])
	for _, l := range lines[:keep+1] {
		b.WriteString(strings.TrimSpace(l))
		b.WriteString(" ")
	}
	b.WriteString("...")
	return strings.TrimSpace(b.String())
}

// dropPackage turns "org.apache.flink.table.api.ValidationException: msg" into "ValidationException: msg".
func dropPackage(s string) string {
	head, rest, ok := strings.Cut(s, ": ")
	if !ok {
		head, rest = s, ""
	}
	if strings.ContainsAny(head, " \n\t") || !strings.Contains(head, ".") {
		return s
	}
	head = head[strings.LastIndex(head, ".")+1:]
	if rest == "" {
		return head
	}
	return head + ": " + rest
}

// Flink's wording when restore state does not match the job (Checkpoints.loadAndValidateCheckpoint,
// CheckpointCoordinator.restoreSavepoint), and when the restore path is missing (AbstractFsCheckpointStorageAccess).
var (
	incompatibleMarkers = []string{"Cannot map checkpoint/savepoint state", "Failed to rollback to checkpoint/savepoint"}
	missingMarkers      = []string{"Cannot find checkpoint or savepoint file/directory", "Cannot find meta data file"}
)

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
