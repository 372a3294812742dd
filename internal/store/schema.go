package store

// Table names.
const (
	Users           = "users"
	Tokens          = "tokens"
	Workspaces      = "workspaces"
	Namespaces      = "namespaces"
	Members         = "members"
	Objects         = "objects"
	ObjectVersions  = "object_versions"
	Jobs            = "jobs"
	Checkpoints     = "checkpoints"
	Snapshots       = "snapshots"
	Policies        = "snapshot_policies"
	Clones          = "clones"
	CloneItems      = "clone_items"
	IdempotencyKeys = "idempotency_keys"
	// Meta holds the engine's own records, such as the value that proves the secret key (secretbox).
	Meta = "engine_meta"
	// Leases say which replica owns which piece of background work, at which generation; LeaseExpiries
	// say until when (internal/lease: renewals write only the latter).
	Leases        = "leases"
	LeaseExpiries = "lease_expiries"
)

// tableColumns lists each table's indexed columns (besides id and doc). A column not listed here cannot be
// queried; Tx methods reject it, so a typo fails loudly instead of matching nothing.
var tableColumns = map[string][]string{
	Users:           {},
	Tokens:          {"user", "hash"},
	Workspaces:      {"name"},
	Namespaces:      {"workspace_id", "name"},
	Members:         {"namespace_id", "user"},
	Objects:         {"namespace_id", "kind", "name", "clone_id"},
	ObjectVersions:  {"object_id", "version"},
	Jobs:            {"deployment_id", "namespace_id", "status", "started_at"},
	Checkpoints:     {"deployment_id", "job_id", "status", "seq"},
	Snapshots:       {"deployment_id", "namespace_id", "job_id", "origin", "status", "created_at"},
	Policies:        {},
	Clones:          {"source_namespace_id", "target_namespace_id", "status", "created_at"},
	CloneItems:      {"clone_id", "seq", "status"},
	IdempotencyKeys: {"created_at"},
	Meta:            {},
	Leases:          {"owner"},
	LeaseExpiries:   {},
}

// migrations are applied in order, once each; never edit one that has shipped, append a new one. They are
// written for SQLite and adapted to PostgreSQL by its dialect (ddl). Migration 1 quotes "user", a reserved
// word in PostgreSQL: to SQLite that is the same column as shipped.
var migrations = []string{
	// 1: the tables.
	`CREATE TABLE users (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
	 CREATE TABLE tokens (id TEXT PRIMARY KEY, "user" TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, doc TEXT NOT NULL);
	 CREATE INDEX tokens_user ON tokens("user");
	 CREATE TABLE workspaces (id TEXT PRIMARY KEY, name TEXT NOT NULL, doc TEXT NOT NULL);
	 CREATE TABLE namespaces (id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
	   UNIQUE (workspace_id, name));
	 CREATE TABLE members (id TEXT PRIMARY KEY, namespace_id TEXT NOT NULL, "user" TEXT NOT NULL, doc TEXT NOT NULL,
	   UNIQUE (namespace_id, "user"));
	 CREATE INDEX members_user ON members("user");
	 CREATE TABLE objects (id TEXT PRIMARY KEY, namespace_id TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
	   clone_id TEXT NOT NULL DEFAULT '', doc TEXT NOT NULL, UNIQUE (namespace_id, kind, name));
	 CREATE INDEX objects_clone ON objects(clone_id);
	 CREATE TABLE object_versions (id TEXT PRIMARY KEY, object_id TEXT NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL);
	 CREATE INDEX object_versions_object ON object_versions(object_id, version);
	 CREATE TABLE jobs (id TEXT PRIMARY KEY, deployment_id TEXT NOT NULL, namespace_id TEXT NOT NULL, status TEXT NOT NULL,
	   started_at TEXT NOT NULL, doc TEXT NOT NULL);
	 CREATE INDEX jobs_deployment ON jobs(deployment_id, started_at);
	 CREATE INDEX jobs_status ON jobs(status);
	 CREATE TABLE checkpoints (id TEXT PRIMARY KEY, deployment_id TEXT NOT NULL, job_id TEXT NOT NULL, status TEXT NOT NULL,
	   seq INTEGER NOT NULL, doc TEXT NOT NULL);
	 CREATE INDEX checkpoints_deployment ON checkpoints(deployment_id, seq);
	 CREATE INDEX checkpoints_job ON checkpoints(job_id, seq);
	 CREATE TABLE snapshots (id TEXT PRIMARY KEY, deployment_id TEXT NOT NULL, namespace_id TEXT NOT NULL, job_id TEXT NOT NULL,
	   origin TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, doc TEXT NOT NULL);
	 CREATE INDEX snapshots_deployment ON snapshots(deployment_id, created_at);
	 CREATE INDEX snapshots_namespace ON snapshots(namespace_id);
	 CREATE TABLE snapshot_policies (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
	 CREATE TABLE clones (id TEXT PRIMARY KEY, source_namespace_id TEXT NOT NULL, target_namespace_id TEXT NOT NULL,
	   status TEXT NOT NULL, created_at TEXT NOT NULL, doc TEXT NOT NULL);
	 CREATE INDEX clones_source ON clones(source_namespace_id, created_at);
	 CREATE INDEX clones_target ON clones(target_namespace_id, created_at);
	 CREATE INDEX clones_status ON clones(status);
	 CREATE TABLE clone_items (id TEXT PRIMARY KEY, clone_id TEXT NOT NULL, seq INTEGER NOT NULL, status TEXT NOT NULL,
	   doc TEXT NOT NULL);
	 CREATE INDEX clone_items_clone ON clone_items(clone_id, seq);
	 CREATE TABLE idempotency_keys (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, doc TEXT NOT NULL);
	 CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);`,
	// 2: the engine's own records (the secret key's check value).
	`CREATE TABLE engine_meta (id TEXT PRIMARY KEY, doc TEXT NOT NULL);`,
	// 3: leases of background work shared by replicas (internal/lease).
	`CREATE TABLE leases (id TEXT PRIMARY KEY, owner TEXT NOT NULL, doc TEXT NOT NULL);
	 CREATE INDEX leases_owner ON leases(owner);
	 CREATE TABLE lease_expiries (id TEXT PRIMARY KEY, doc TEXT NOT NULL);`,
}
