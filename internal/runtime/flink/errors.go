package flink

import (
	"strings"
)

// maxMessage bounds a root cause kept in a job's failure; Flink's "was expecting one of" lists are long.
const maxMessage = 4000

// rootCause reduces a Java stack trace (or a plain message) to the innermost cause's message, without
// frames and with the exception class's package dropped: "SqlParseException: Encountered ... at line 1,
// column 6." A text without frames is returned as it is (trimmed and bounded).
func rootCause(trace string) string {
	s := strings.ReplaceAll(trace, "\r\n", "\n")
	if i := strings.LastIndex(s, "\nCaused by: "); i >= 0 {
		s = s[i+len("\nCaused by: "):]
	}
	// The message ends where the frames begin.
	for _, marker := range []string{"\n\tat ", "\n\t... ", "\n    at "} {
		if i := strings.Index(s, marker); i >= 0 {
			s = s[:i]
		}
	}
	s = strings.TrimSpace(s)
	s = dropPackage(s)
	if len(s) > maxMessage {
		s = s[:maxMessage] + "…"
	}
	return s
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
