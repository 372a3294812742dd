package api

import "time"

// Clone policies.
const (
	StateStateful  = "STATEFUL"
	StateStateless = "STATELESS"

	RunningSkip      = "SKIP"
	RunningDoNotSkip = "DO_NOT_SKIP"

	ErrorSkipAndContinue = "SKIP_AND_CONTINUE"
	ErrorStop            = "STOP"
	ErrorAllowStateless  = "ALLOW_STATELESS"

	ConflictRename = "RENAME"
	ConflictSkip   = "SKIP"
	ConflictFail   = "FAIL"
)

// Clone statuses.
const (
	ClonePending            = "PENDING"
	CloneRunning            = "RUNNING"
	CloneSucceeded          = "SUCCEEDED"
	ClonePartiallySucceeded = "PARTIALLY_SUCCEEDED"
	CloneFailed             = "FAILED"
	CloneCancelled          = "CANCELLED"
)

// Clone item outcomes.
const (
	ItemPending   = "PENDING"
	ItemSucceeded = "SUCCEEDED"
	ItemFailed    = "FAILED"
	ItemSkipped   = "SKIPPED"
)

// CloneRequest starts a namespace clone (POST /clones).
type CloneRequest struct {
	SourceNamespaceID string            `json:"source_namespace_id"`
	TargetNamespaceID string            `json:"target_namespace_id"`
	Objects           []string          `json:"objects"` // kinds from CloneableKinds
	DeploymentFilter  *DeploymentFilter `json:"deployment_filter,omitempty"`
	StatePolicy       string            `json:"state_policy,omitempty"`   // default STATELESS
	RunningPolicy     string            `json:"running_policy,omitempty"` // default SKIP
	ErrorPolicy       string            `json:"error_policy,omitempty"`   // default SKIP_AND_CONTINUE
	NameConflict      string            `json:"name_conflict,omitempty"`  // default RENAME
	// CatalogMapping and the filter's lists keep an empty value apart from an absent one (no omitempty):
	// a clone read back (a Terraform import) must say what the request said, {} or [] included.
	CatalogMapping map[string]string `json:"catalog_mapping"`
	// ClientToken, when set, makes the create idempotent beyond one call: while the caller's clone with
	// this token into this target is in use (not deleted), the same request gets that clone back instead
	// of starting a second copy, and another request with the token is refused. The provider sets it, so
	// an apply killed between the engine's answer and the state save does not clone twice.
	ClientToken string `json:"client_token,omitempty"`
}

// MaxClientToken bounds CloneRequest.ClientToken.
const MaxClientToken = 128

// DeploymentFilter narrows which deployments a clone copies. Empty fields match everything.
type DeploymentFilter struct {
	Names            []string   `json:"names"` // globs (path.Match)
	Types            []string   `json:"types"`
	EngineVersions   []string   `json:"engine_versions"`
	Statuses         []string   `json:"statuses"`
	LastClonedBefore *time.Time `json:"last_cloned_before,omitempty"`
	LastClonedAfter  *time.Time `json:"last_cloned_after,omitempty"`
}

// Clone is a clone task and, once it ended, its history entry.
type Clone struct {
	ID                string            `json:"id"`
	SourceNamespaceID string            `json:"source_namespace_id"`
	TargetNamespaceID string            `json:"target_namespace_id"`
	Request           CloneRequest      `json:"request"`
	Status            string            `json:"status"`
	Failure           string            `json:"failure,omitempty"`
	ObjectTypes       []string          `json:"object_types"`
	Progress          CloneProgress     `json:"progress"`
	TotalCount        int               `json:"total_count"`
	FailedCount       int               `json:"failed_count"`
	SkippedCount      int               `json:"skipped_count"`
	Renames           []Rename          `json:"renames"`
	Attention         []AttentionItem   `json:"attention"`
	StartedBy         string            `json:"started_by"`
	CreatedAt         time.Time         `json:"created_at"`
	StartedAt         *time.Time        `json:"started_at,omitempty"`
	FinishedAt        *time.Time        `json:"finished_at,omitempty"`
	Deleted           *CloneDeletion    `json:"deleted,omitempty"`
	Extra             map[string]string `json:"extra,omitempty"`
}

// CloneProgress counts items per kind while a clone runs and after.
type CloneProgress struct {
	Percent int                   `json:"percent"`
	Counts  map[string]KindCounts `json:"counts"`
}

// KindCounts are the counts of one object kind in a clone.
type KindCounts struct {
	Total   int `json:"total"`
	Done    int `json:"done"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
}

// Rename records a name taken in the target. Kind is as in CloneRequest.Objects.
type Rename struct {
	Kind       string `json:"kind"`
	SourceName string `json:"source_name"`
	TargetName string `json:"target_name"`
}

// AttentionItem is something a person must fix after a clone: a catalog referenced in job code, a
// catalog reference rewritten by catalog_mapping, or a dependency missing in the target.
type AttentionItem struct {
	Kind       string `json:"kind"` // catalog_reference | catalog_rewritten | missing_dependency
	Deployment string `json:"deployment"`
	Name       string `json:"name"`
	Detail     string `json:"detail"`
}

// CloneItem is the outcome of one object in a clone.
type CloneItem struct {
	CloneID    string `json:"clone_id"`
	Seq        int    `json:"seq"`
	Kind       string `json:"kind"`
	SourceID   string `json:"source_id"`
	SourceName string `json:"source_name"`
	TargetID   string `json:"target_id,omitempty"`
	TargetName string `json:"target_name,omitempty"`
	Status     string `json:"status"`
	Stateful   bool   `json:"stateful"`
	SnapshotID string `json:"snapshot_id,omitempty"` // the COPIED snapshot in the target
	Message    string `json:"message,omitempty"`
}

// CloneDeletion reports what deleting a clone task with delete_created removed and kept.
type CloneDeletion struct {
	Deleted []string `json:"deleted"`
	Kept    []string `json:"kept"` // objects changed since the clone
}
