// Package stack runs docker-compose.yml's production topology on one
// machine without Docker: PostgreSQL, Temporal's schema job, the Temporal
// server on PostgreSQL, the namespace job, `verval migrate`, and replicas of
// `verval worker` and `verval api`, each a process given the environment
// the compose file gives its service (Env; internal/deploy checks that the
// two agree). `verval stack` runs it; the end-to-end test of the topology
// (cmd/verval/topology_e2e_test.go) drives it through faults.
package stack

import (
	"strconv"
	"strings"
)

// The compose file's service names, which Env's keys are.
const (
	Postgres  = "postgresql"
	Schema    = "temporal-schema-setup"
	Temporal  = "temporal"
	Namespace = "temporal-namespace-setup"
	Migrate   = "migrate"
	API       = "api"
	Worker    = "worker"
	// Objects is the S3-compatible object store (the photos). The stack
	// runs none: its api replicas keep photos in a directory (ObjectsDir).
	Objects = "objects"
)

// Network is where the services find each other: in docker-compose.yml the
// service names and container ports (ComposeNetwork), here this machine's
// loopback and the stack's own ports.
type Network struct {
	PostgresHost string
	PostgresPort int
	TemporalHost string
	TemporalPort int
	// BindIP is the address the Temporal server binds (BIND_ON_IP).
	BindIP string
	// HTTPAddr is an api replica's listen address (HTTP_ADDR).
	HTTPAddr string
	// DynamicConfig is deploy/temporal/dynamicconfig/development-sql.yaml
	// as the server sees it (DYNAMIC_CONFIG_FILE_PATH).
	DynamicConfig string
	// SchemaDir holds the Temporal release's schema files
	// (TEMPORAL_SCHEMA_DIR; the module's schema/ directory here).
	SchemaDir string
	// ObjectsHost is the object store's host:port (docker-compose.yml's
	// objects service); ObjectsDir, when set, replaces it with a
	// directory on this machine (VERVAL_OBJECT_STORE=dir:...).
	ObjectsHost string
	ObjectsDir  string
	// ServerPorts are the Temporal server's own ports, set only when its
	// services share a host with other programs (the template's
	// FRONTEND_GRPC_PORT, HISTORY_GRPC_PORT, ... variables); a container has
	// its own network and keeps the defaults.
	ServerPorts map[string]string
}

// ComposeNetwork is docker-compose.yml's network: Env with it is exactly
// the environment the compose file gives each service.
var ComposeNetwork = Network{
	PostgresHost: Postgres, PostgresPort: 5432,
	TemporalHost: Temporal, TemporalPort: 7233,
	BindIP:        "0.0.0.0",
	HTTPAddr:      ":8080",
	DynamicConfig: "/etc/temporal/config/dynamicconfig/development-sql.yaml",
	SchemaDir:     "/etc/temporal/schema",
	ObjectsHost:   Objects + ":7070",
}

// Env is the environment of each service, keyed by the compose file's
// service names, from the operator's variables (vars; the ones the compose
// file interpolates, with its defaults) on network n. The secrets must be
// set: the compose file refuses to start without them, and the stack
// generates its own.
func Env(vars func(string) string, n Network) map[string]map[string]string {
	v := func(key, def string) string {
		if s := vars(key); s != "" {
			return s
		}
		return def
	}
	pgUser, pgPassword, pgDB := v("POSTGRES_USER", "verval"), vars("POSTGRES_PASSWORD"), v("POSTGRES_DB", "verval")
	pgPort := strconv.Itoa(n.PostgresPort)
	temporal := n.TemporalHost + ":" + strconv.Itoa(n.TemporalPort)
	namespace := v("TEMPORAL_NAMESPACE", "default")
	s3Access, s3Secret := v("VERVAL_S3_ACCESS_KEY", "verval"), vars("VERVAL_S3_SECRET_KEY")
	objects := "http://" + n.ObjectsHost + "/" + v("VERVAL_S3_BUCKET", "verval-photos")
	if n.ObjectsDir != "" {
		objects = "dir:" + n.ObjectsDir
	}
	verval := func(extra map[string]string) map[string]string {
		e := map[string]string{
			"DATABASE_URL":            "postgres://" + pgUser + ":" + pgPassword + "@" + n.PostgresHost + ":" + pgPort + "/" + pgDB + "?sslmode=disable",
			"TEMPORAL_ADDRESS":        temporal,
			"TEMPORAL_NAMESPACE":      namespace,
			"LOG_LEVEL":               v("LOG_LEVEL", "info"),
			"VERVAL_SHUTDOWN_TIMEOUT": v("VERVAL_SHUTDOWN_TIMEOUT", "30s"),
			"VERVAL_PII_KEYS":         vars("VERVAL_PII_KEYS"),
			"VERVAL_PII_HASH_KEY":     vars("VERVAL_PII_HASH_KEY"),
			"VERVAL_CODEC_AUTH_TOKEN": vars("VERVAL_CODEC_AUTH_TOKEN"),
			"VERVAL_DEV_USERS":        "false",
			"GOMEMLIMIT":              v("VERVAL_GOMEMLIMIT", "400MiB"),
		}
		for k, x := range extra {
			e[k] = x
		}
		return e
	}
	server := map[string]string{
		"DB":                       "postgres12",
		"DB_PORT":                  pgPort,
		"POSTGRES_SEEDS":           n.PostgresHost,
		"POSTGRES_USER":            pgUser,
		"POSTGRES_PWD":             pgPassword,
		"NUM_HISTORY_SHARDS":       v("TEMPORAL_NUM_HISTORY_SHARDS", "512"),
		"BIND_ON_IP":               n.BindIP,
		"DYNAMIC_CONFIG_FILE_PATH": n.DynamicConfig,
		"LOG_LEVEL":                v("TEMPORAL_LOG_LEVEL", "info"),
	}
	for k, x := range n.ServerPorts {
		server[k] = x
	}
	return map[string]map[string]string{
		Postgres: {"POSTGRES_USER": pgUser, "POSTGRES_PASSWORD": pgPassword, "POSTGRES_DB": pgDB},
		Schema: {
			"SQL_PLUGIN": "postgres12", "SQL_HOST": n.PostgresHost, "SQL_PORT": pgPort,
			"SQL_USER": pgUser, "SQL_PASSWORD": pgPassword, "TEMPORAL_SCHEMA_DIR": n.SchemaDir,
		},
		Temporal: server,
		Namespace: {
			"TEMPORAL_ADDRESS": temporal, "NAMESPACE": namespace,
			"RETENTION": v("TEMPORAL_NAMESPACE_RETENTION", "30d"),
		},
		Migrate: verval(nil),
		API: verval(map[string]string{
			"HTTP_ADDR":              n.HTTPAddr,
			"TEMPORAL_UI_URL":        v("TEMPORAL_UI_PUBLIC_URL", "http://localhost:8233"),
			"VERVAL_OBJECT_STORE":    objects,
			"VERVAL_S3_ACCESS_KEY":   s3Access,
			"VERVAL_S3_SECRET_KEY":   s3Secret,
			"VERVAL_PHOTOS_REQUIRED": vars("VERVAL_PHOTOS_REQUIRED"),
		}),
		Objects: {"ROOT_ACCESS_KEY": s3Access, "ROOT_SECRET_KEY": s3Secret},
		Worker:  verval(nil),
	}
}

// PostgresSettings are the compose file's `-c name=value` settings of
// PostgreSQL, all of them durable (fsync and synchronous_commit stay on):
//
//   - max_connections: the Temporal server alone opens up to ~30
//     connections per role, and verval's replicas have pools of their own
//     (store.PostgresMaxConns each);
//   - shared_buffers: the default 128 MB is PostgreSQL's minimum-memory
//     default; a quarter of the host's memory is usual, and at 512 MB
//     wal_buffers follows to 16 MB (a 32nd of it, its maximum) by itself;
//   - random_page_cost: the tables live in memory or on SSD; at the default
//     (4, for spinning disks) the planner joined all 50,000 households to
//     sort a desa's deep task-list page (83 ms) instead of reading the
//     page's households by key (19 ms).
//
// docs/performance.md has the runs behind each value.
func PostgresSettings(vars func(string) string) []string {
	v := func(key, def string) string {
		if s := strings.TrimSpace(vars(key)); s != "" {
			return s
		}
		return def
	}
	return []string{
		"max_connections=" + v("POSTGRES_MAX_CONNECTIONS", "300"),
		"shared_buffers=" + v("POSTGRES_SHARED_BUFFERS", "512MB"),
		"random_page_cost=1.1",
	}
}
