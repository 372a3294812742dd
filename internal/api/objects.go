package api

import (
	"encoding/json"
	"time"
)

// Object kinds inside a namespace, as they appear in paths (/namespaces/{id}/objects/{kind}) and in a
// clone's `objects`. The last three are never cloned.
const (
	KindDraft             = "drafts"
	KindDeployment        = "deployments"
	KindFileResource      = "file_resources"
	KindCatalog           = "catalogs"
	KindUDF               = "udfs"
	KindConnector         = "connectors"
	KindFormat            = "formats"
	KindVariable          = "variables"
	KindSessionCluster    = "session_clusters"
	KindTaskOrchestration = "task_orchestrations"
	KindQueue             = "queues"
	KindAlertConfig       = "alert_configs"
)

// AllKinds lists every object kind.
var AllKinds = []string{KindVariable, KindFileResource, KindConnector, KindUDF, KindCatalog, KindFormat,
	KindSessionCluster, KindDraft, KindDeployment, KindTaskOrchestration, KindQueue, KindAlertConfig}

// CloneableKinds lists the kinds a clone may copy, in dependency order (what is cloned first comes first).
var CloneableKinds = []string{KindVariable, KindFileResource, KindConnector, KindUDF, KindCatalog, KindFormat,
	KindSessionCluster, KindDraft, KindDeployment}

// Object is any object inside a namespace. Spec holds the kind's own document (DeploymentSpec,
// VariableSpec, ...). Version moves on every change and guards updates (412 on a stale one).
type Object struct {
	ID          string          `json:"id"`
	NamespaceID string          `json:"namespace_id"`
	Kind        string          `json:"kind"`
	Name        string          `json:"name"`
	Spec        json.RawMessage `json:"spec"`
	Version     int64           `json:"version"`
	// Status is a deployment's job status (or "CREATED" when it never ran) and a session cluster's state.
	Status string `json:"status,omitempty"`
	// ClonedFrom and CloneID are set on objects a clone created.
	ClonedFrom   string     `json:"cloned_from,omitempty"`
	CloneID      string     `json:"clone_id,omitempty"`
	LastClonedAt *time.Time `json:"last_cloned_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// ObjectInput creates (POST) or replaces (PUT) an object. On PUT, Version must equal the current version
// (0 skips the check). The name cannot change on PUT.
type ObjectInput struct {
	Name    string          `json:"name"`
	Spec    json.RawMessage `json:"spec"`
	Version int64           `json:"version,omitempty"`
}

// ObjectVersion is one entry of an object's history (drafts keep every version).
type ObjectVersion struct {
	ObjectID  string          `json:"object_id"`
	Version   int64           `json:"version"`
	Spec      json.RawMessage `json:"spec"`
	CreatedAt time.Time       `json:"created_at"`
}

// Deployment types, execution modes and statuses.
const (
	DeploymentSQL    = "SQL"
	DeploymentJAR    = "JAR"
	DeploymentPython = "PYTHON"

	ModeStreaming = "STREAMING"
	ModeBatch     = "BATCH"

	// StatusCreated is the Status of a deployment that never ran.
	StatusCreated = "CREATED"
)

// DeploymentSpec is the spec of a "deployments" object.
type DeploymentSpec struct {
	Type          string   `json:"type"`
	ExecutionMode string   `json:"execution_mode"`
	EngineVersion string   `json:"engine_version"`
	SQL           string   `json:"sql,omitempty"`
	Jar           *JarSpec `json:"jar,omitempty"`
	// No omitempty on FlinkConfiguration and JarSpec.Args: {} and [] stay apart from absent, so an
	// imported deployment reads back as written.
	FlinkConfiguration map[string]string  `json:"flink_configuration"`
	Checkpoint         CheckpointSettings `json:"checkpoint"`
	// Parallelism of the job; 0 takes the cluster's default.
	Parallelism    int      `json:"parallelism,omitempty"`
	FileResources  []string `json:"file_resources,omitempty"`
	UDFs           []string `json:"udfs,omitempty"`
	Connectors     []string `json:"connectors,omitempty"`
	Variables      []string `json:"variables,omitempty"`
	Catalogs       []string `json:"catalogs,omitempty"`
	SessionCluster string   `json:"session_cluster,omitempty"`
	Queue          string   `json:"queue,omitempty"`
	// RestorePoint is the snapshot a start with restore strategy LATEST_STATE uses when the deployment has
	// no state of its own (a clone sets it to the copied snapshot).
	RestorePoint string `json:"restore_point,omitempty"`
}

// JarSpec is the artifact of a JAR (or PYTHON) deployment. URI is the id of a file resource of the
// deployment's namespace (file-...), or an http(s) URL the engine fetches when the job starts on Flink.
type JarSpec struct {
	URI        string   `json:"uri"`
	EntryClass string   `json:"entry_class,omitempty"`
	Args       []string `json:"args"`
}

// CheckpointSettings configure system checkpoints. Zero values take the defaults: interval 3m, timeout
// 10m, min pause 0, retained 1.
type CheckpointSettings struct {
	Interval Duration `json:"interval,omitzero"`
	Timeout  Duration `json:"timeout,omitzero"`
	MinPause Duration `json:"min_pause,omitzero"`
	Retained int      `json:"retained,omitempty"`
}

// Variable kinds.
const (
	VariablePlain     = "PLAIN"
	VariableEncrypted = "ENCRYPTED"
)

// VariableSpec is the spec of a "variables" object. An ENCRYPTED value is encrypted at rest and never
// returned: responses leave Value empty.
type VariableSpec struct {
	Kind  string `json:"kind"`
	Value string `json:"value,omitempty"`
}

// DraftSpec is the spec of a "drafts" object: the latest version is current, history is kept.
type DraftSpec struct {
	Type          string `json:"type"`
	EngineVersion string `json:"engine_version,omitempty"`
	SQL           string `json:"sql,omitempty"`
}

// FileResourceSpec is the spec of a "file_resources" object. On create, Content (base64) carries the
// bytes; the engine stores them in namespace storage and fills Size, SHA256 and Location.
type FileResourceSpec struct {
	Content  []byte `json:"content,omitempty"`
	Size     int64  `json:"size"`
	SHA256   string `json:"sha256,omitempty"`
	Location string `json:"location,omitempty"`
	// Origin is where the uploader says the current bytes came from; nil when it did not say.
	Origin *FileOrigin `json:"origin,omitempty"`
}

// FileOrigin records where a file resource's current bytes came from, as the uploader described them:
// the provider's `source` path and `source_hash`, or inline `content`. The engine keeps it with the bytes
// (a clone copies it, new bytes replace it) and never reads the path: it lets an import give back what a
// configuration set, so the plan after an import is empty. An upload sets it with the query parameters
// source, source_hash and inline=true.
type FileOrigin struct {
	Source     string `json:"source,omitempty"`
	SourceHash string `json:"source_hash,omitempty"`
	Inline     bool   `json:"inline,omitempty"`
}

// MaxOriginText bounds FileOrigin's strings.
const MaxOriginText = 4096

// GenericSpec is the spec of catalogs, UDFs, connectors, formats, task orchestrations, queues and alert
// configurations: a type and its properties.
type GenericSpec struct {
	Type       string            `json:"type,omitempty"`
	Properties map[string]string `json:"properties,omitempty"`
	// Functions lists the functions a UDF artifact provides.
	Functions []string `json:"functions,omitempty"`
	// FileResourceID is the id of the file resource of the same namespace holding a UDF's or connector's
	// JAR. A file resource that a UDF or connector names cannot be deleted; a clone points the copy at
	// the copied file resource.
	FileResourceID string `json:"file_resource_id,omitempty"`
}

// SessionClusterSpec is the spec of a "session_clusters" object.
type SessionClusterSpec struct {
	EngineVersion      string            `json:"engine_version,omitempty"`
	State              string            `json:"state"` // STOPPED | RUNNING
	FlinkConfiguration map[string]string `json:"flink_configuration,omitempty"`
}
