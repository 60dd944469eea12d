package deploy

import (
	"context"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/verval/verval/internal/config"
	"github.com/verval/verval/internal/stack"
	"github.com/verval/verval/workflows"
)

// repoRoot is the repository root as seen from this package's directory,
// which is the working directory of `go test`.
const repoRoot = "../.."

// Service names the rest of the system (docs, scripts, the lead's
// runbooks) rely on.
const (
	svcPostgres   = "postgresql"
	svcSchema     = "temporal-schema-setup"
	svcTemporal   = "temporal"
	svcNamespace  = "temporal-namespace-setup"
	svcTemporalUI = "temporal-ui"
	svcMigrate    = "migrate"
	svcAPI        = "api"
	svcWorker     = "worker"
)

// requiredSecrets are the variables docker-compose.yml marks with `:?`:
// loading must fail while any of them is unset.
var requiredSecrets = []string{
	"POSTGRES_PASSWORD",
	"VERVAL_PII_KEYS",
	"VERVAL_PII_HASH_KEY",
	"VERVAL_CODEC_AUTH_TOKEN",
	"VERVAL_S3_SECRET_KEY",
}

// testEnv is a complete environment for loading the compose file. The values
// are recognisable fakes so the tests can see that they are passed through.
func testEnv() map[string]string {
	return map[string]string{
		"POSTGRES_PASSWORD":       "pg-secret-for-tests",
		"VERVAL_PII_KEYS":         "k2:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,k1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=",
		"VERVAL_PII_HASH_KEY":     "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC=",
		"VERVAL_CODEC_AUTH_TOKEN": "codec-token-for-tests",
		"VERVAL_S3_SECRET_KEY":    "s3-secret-for-tests",
	}
}

// loadCompose loads ../../docker-compose.yml the way `docker compose config`
// would (interpolation, schema validation, normalization, consistency
// checks), with exactly env as the environment: neither the process
// environment nor a .env file is read, so results do not depend on the
// machine.
func loadCompose(t *testing.T, env map[string]string) (*types.Project, error) {
	t.Helper()
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	var envList []string
	for _, k := range slices.Sorted(maps.Keys(env)) {
		envList = append(envList, k+"="+env[k])
	}
	opts, err := cli.NewProjectOptions(
		[]string{filepath.Join(root, "docker-compose.yml")},
		cli.WithWorkingDirectory(root),
		cli.WithEnv(envList),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		t.Fatal(err)
	}
	return opts.LoadProject(context.Background())
}

// mustLoadCompose loads the compose file with testEnv and fails the test if
// that does not work.
func mustLoadCompose(t *testing.T) *types.Project {
	t.Helper()
	p, err := loadCompose(t, testEnv())
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	return p
}

func service(t *testing.T, p *types.Project, name string) types.ServiceConfig {
	t.Helper()
	s, ok := p.Services[name]
	if !ok {
		t.Fatalf("service %q missing from docker-compose.yml (have %v)", name, slices.Sorted(maps.Keys(p.Services)))
	}
	return s
}

func envValue(t *testing.T, s types.ServiceConfig, key string) string {
	t.Helper()
	v, ok := s.Environment[key]
	if !ok || v == nil {
		t.Fatalf("service %q: environment %s is not set", s.Name, key)
	}
	return *v
}

// script returns a one-shot service's shell script: the compose file runs
// a file of deploy/temporal/setup, mounted read-only, as
// `entrypoint: ["/bin/sh", FILE]` (the file `verval stack` runs too).
func script(t *testing.T, s types.ServiceConfig) string {
	t.Helper()
	if len(s.Entrypoint) != 2 || s.Entrypoint[0] != "/bin/sh" || len(s.Command) != 0 {
		t.Fatalf("service %q: want entrypoint [/bin/sh FILE] and no command, got entrypoint %q command %q",
			s.Name, s.Entrypoint, s.Command)
	}
	host := hostPath(t, s, s.Entrypoint[1])
	root, _ := filepath.Abs(repoRoot)
	if dir := filepath.Join(root, "deploy", "temporal", "setup"); filepath.Dir(host) != dir {
		t.Errorf("service %q runs %s, want a script of %s", s.Name, host, dir)
	}
	b, err := os.ReadFile(host)
	if err != nil {
		t.Fatalf("service %q: %v", s.Name, err)
	}
	return string(b)
}

// hostPath is the file on the host that path inside service s's container
// is, through a read-only bind mount.
func hostPath(t *testing.T, s types.ServiceConfig, path string) string {
	t.Helper()
	for _, v := range s.Volumes {
		target := strings.TrimSuffix(v.Target, "/") + "/"
		if v.Type == types.VolumeTypeBind && strings.HasPrefix(path, target) {
			if !v.ReadOnly {
				t.Errorf("service %q: mount %s is writable, want :ro", s.Name, v.Target)
			}
			return filepath.Join(v.Source, strings.TrimPrefix(path, target))
		}
	}
	t.Fatalf("service %q: %s is not inside a bind mount", s.Name, path)
	return ""
}

func requireDependsOn(t *testing.T, s types.ServiceConfig, on, condition string) {
	t.Helper()
	d, ok := s.DependsOn[on]
	if !ok {
		t.Errorf("service %q: no depends_on %q", s.Name, on)
		return
	}
	if d.Condition != condition {
		t.Errorf("service %q: depends_on %q has condition %q, want %q", s.Name, on, d.Condition, condition)
	}
}

// TestComposeLoads checks that the file is valid compose (schema and
// consistency) and has every service the deployment is made of.
func TestComposeLoads(t *testing.T) {
	p := mustLoadCompose(t)
	if p.Name != "verval" {
		t.Errorf("project name = %q, want verval", p.Name)
	}
	for _, name := range []string{svcPostgres, svcSchema, svcTemporal, svcNamespace, svcTemporalUI, svcMigrate, svcAPI, svcWorker} {
		service(t, p, name)
	}
	for name, s := range p.Services {
		if s.ContainerName != "" {
			t.Errorf("service %q sets container_name: that prevents scaling and clashes between stacks", name)
		}
	}
}

// TestComposeMissingSecretsFail checks that every secret is required: with
// one of them unset, loading fails and names the variable.
func TestComposeMissingSecretsFail(t *testing.T) {
	for _, key := range requiredSecrets {
		t.Run(key, func(t *testing.T) {
			env := testEnv()
			delete(env, key)
			_, err := loadCompose(t, env)
			if err == nil {
				t.Fatalf("docker-compose.yml loaded without %s; it must be marked required (${%s:?...})", key, key)
			}
			if !strings.Contains(err.Error(), key) {
				t.Errorf("error does not name %s: %v", key, err)
			}
		})
	}
	t.Run("empty", func(t *testing.T) {
		env := testEnv()
		env["VERVAL_PII_KEYS"] = ""
		if _, err := loadCompose(t, env); err == nil {
			t.Fatal("docker-compose.yml loaded with VERVAL_PII_KEYS set to empty; use :? (unset or empty), not ?")
		}
	})
}

// TestComposeAppServices checks that migrate, api and worker are the repo's
// image running the right subcommand with the right restart policy.
func TestComposeAppServices(t *testing.T) {
	p := mustLoadCompose(t)
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		service string
		command []string
		restart string
	}{
		{svcMigrate, []string{"migrate"}, "on-failure:5"},
		{svcAPI, []string{"api"}, types.RestartPolicyUnlessStopped},
		{svcWorker, []string{"worker"}, types.RestartPolicyUnlessStopped},
	}
	var images []string
	for _, tc := range tests {
		t.Run(tc.service, func(t *testing.T) {
			s := service(t, p, tc.service)
			if s.Build == nil {
				t.Fatal("no build section: must be built from the repository Dockerfile")
			}
			if s.Build.Context != root {
				t.Errorf("build context = %q, want the repository root %q", s.Build.Context, root)
			}
			if s.Build.Dockerfile != "Dockerfile" {
				t.Errorf("build dockerfile = %q, want Dockerfile", s.Build.Dockerfile)
			}
			if len(s.Entrypoint) != 0 {
				t.Errorf("entrypoint overridden to %q: the image's /verval entrypoint must be used", s.Entrypoint)
			}
			if !slices.Equal([]string(s.Command), tc.command) {
				t.Errorf("command = %q, want %q", s.Command, tc.command)
			}
			if s.Restart != tc.restart {
				t.Errorf("restart = %q, want %q", s.Restart, tc.restart)
			}
			images = append(images, s.Image)
		})
	}
	if len(images) == len(tests) && (images[0] == "" || images[0] != images[1] || images[1] != images[2]) {
		t.Errorf("migrate, api and worker must share one image name, got %q", images)
	}
}

// TestComposeRestartPolicies checks that long-running services come back
// after a crash or reboot and that one-shot jobs are not restarted forever.
func TestComposeRestartPolicies(t *testing.T) {
	p := mustLoadCompose(t)
	tests := []struct {
		service string
		oneShot bool
	}{
		{svcPostgres, false},
		{svcTemporal, false},
		{svcTemporalUI, false},
		{svcAPI, false},
		{svcWorker, false},
		{svcSchema, true},
		{svcNamespace, true},
		{svcMigrate, true},
	}
	for _, tc := range tests {
		s := service(t, p, tc.service)
		switch {
		case tc.oneShot && !strings.HasPrefix(s.Restart, types.RestartPolicyOnFailure):
			t.Errorf("one-shot service %q: restart = %q, want on-failure[:N]", tc.service, s.Restart)
		case !tc.oneShot && s.Restart != types.RestartPolicyUnlessStopped:
			t.Errorf("service %q: restart = %q, want unless-stopped", tc.service, s.Restart)
		}
	}
}

// TestComposePostgres checks the database service: pinned major version,
// data on a named volume, a pg_isready health check.
func TestComposePostgres(t *testing.T) {
	p := mustLoadCompose(t)
	s := service(t, p, svcPostgres)
	if !strings.HasPrefix(s.Image, "postgres:16") {
		t.Errorf("image = %q, want postgres:16...", s.Image)
	}
	if got := envValue(t, s, "POSTGRES_PASSWORD"); got != testEnv()["POSTGRES_PASSWORD"] {
		t.Errorf("POSTGRES_PASSWORD = %q, want the value from the environment", got)
	}
	var dataVolume string
	for _, v := range s.Volumes {
		if v.Target == "/var/lib/postgresql/data" {
			if v.Type != types.VolumeTypeVolume {
				t.Errorf("data directory is a %s mount, want a named volume", v.Type)
			}
			dataVolume = v.Source
		}
	}
	if dataVolume == "" {
		t.Fatal("no volume at /var/lib/postgresql/data: data would be lost with the container")
	}
	if _, ok := p.Volumes[dataVolume]; !ok {
		t.Errorf("volume %q is not declared under top-level volumes", dataVolume)
	}
	if s.HealthCheck == nil || s.HealthCheck.Disable {
		t.Fatal("no healthcheck: dependents could not wait for service_healthy")
	}
	if !strings.Contains(strings.Join(s.HealthCheck.Test, " "), "pg_isready") {
		t.Errorf("healthcheck %q does not use pg_isready", s.HealthCheck.Test)
	}
	if len(s.Ports) != 0 {
		t.Errorf("postgresql publishes ports %v: the database must stay on the compose network", s.Ports)
	}
}

// talksToPostgres reports whether a service is configured with an address on
// the postgresql service, in any of the forms used by verval and Temporal.
func talksToPostgres(s types.ServiceConfig) bool {
	for key, v := range s.Environment {
		if v == nil {
			continue
		}
		switch key {
		case "DATABASE_URL":
			if u, err := url.Parse(*v); err == nil && u.Hostname() == svcPostgres {
				return true
			}
		case "POSTGRES_SEEDS", "SQL_HOST":
			if *v == svcPostgres {
				return true
			}
		}
	}
	return false
}

// TestComposePostgresDependentsWaitForHealth checks that every service with
// a PostgreSQL address in its environment waits for the database to be
// healthy, not merely started.
func TestComposePostgresDependentsWaitForHealth(t *testing.T) {
	p := mustLoadCompose(t)
	var clients []string
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		s := p.Services[name]
		if name == svcPostgres || !talksToPostgres(s) {
			continue
		}
		clients = append(clients, name)
		requireDependsOn(t, s, svcPostgres, types.ServiceConditionHealthy)
	}
	// Guard against the check passing vacuously (e.g. renamed variables).
	want := []string{svcAPI, svcMigrate, svcTemporal, svcSchema, svcWorker}
	slices.Sort(want)
	if !slices.Equal(clients, want) {
		t.Errorf("services talking to PostgreSQL = %v, want %v", clients, want)
	}
}

// TestComposeStartupOrder checks the dependency chain: schema before the
// Temporal server, server before the namespace job and the UI, and the
// migrations and search attributes before api and worker.
func TestComposeStartupOrder(t *testing.T) {
	p := mustLoadCompose(t)
	tests := []struct {
		service, on, condition string
	}{
		{svcTemporal, svcSchema, types.ServiceConditionCompletedSuccessfully},
		{svcNamespace, svcTemporal, types.ServiceConditionHealthy},
		{svcTemporalUI, svcTemporal, types.ServiceConditionHealthy},
		{svcAPI, svcMigrate, types.ServiceConditionCompletedSuccessfully},
		{svcAPI, svcTemporal, types.ServiceConditionHealthy},
		{svcAPI, svcNamespace, types.ServiceConditionCompletedSuccessfully},
		{svcWorker, svcMigrate, types.ServiceConditionCompletedSuccessfully},
		{svcWorker, svcTemporal, types.ServiceConditionHealthy},
		{svcWorker, svcNamespace, types.ServiceConditionCompletedSuccessfully},
	}
	for _, tc := range tests {
		requireDependsOn(t, service(t, p, tc.service), tc.on, tc.condition)
	}
	temporal := service(t, p, svcTemporal)
	if temporal.HealthCheck == nil || temporal.HealthCheck.Disable || len(temporal.HealthCheck.Test) == 0 {
		t.Error("temporal has no healthcheck, so service_healthy on it could never be met")
	}
}

// TestComposePublishedPorts checks the ports people and browsers use.
func TestComposePublishedPorts(t *testing.T) {
	p := mustLoadCompose(t)
	tests := []struct {
		service   string
		published string
		target    uint32
	}{
		{svcAPI, "8080", 8080},
		{svcTemporalUI, "8233", 8080},
	}
	for _, tc := range tests {
		s := service(t, p, tc.service)
		found := false
		for _, port := range s.Ports {
			if port.Published == tc.published && port.Target == tc.target {
				found = true
			}
		}
		if !found {
			t.Errorf("service %q: port %s:%d not published (ports: %+v)", tc.service, tc.published, tc.target, s.Ports)
		}
	}
	if ports := service(t, p, svcWorker).Ports; len(ports) != 0 {
		t.Errorf("worker publishes %v: it must publish nothing so that replicas can run side by side", ports)
	}
}

// TestComposeAppEnvironment checks that verval's processes reach Temporal
// and PostgreSQL through the compose services and get the secrets.
func TestComposeAppEnvironment(t *testing.T) {
	p := mustLoadCompose(t)
	env := testEnv()
	for _, name := range []string{svcMigrate, svcAPI, svcWorker} {
		t.Run(name, func(t *testing.T) {
			s := service(t, p, name)

			host, port, err := net.SplitHostPort(envValue(t, s, "TEMPORAL_ADDRESS"))
			if err != nil {
				t.Fatalf("TEMPORAL_ADDRESS: %v", err)
			}
			if host != svcTemporal || port != "7233" {
				t.Errorf("TEMPORAL_ADDRESS = %s:%s, want %s:7233", host, port, svcTemporal)
			}

			u, err := url.Parse(envValue(t, s, "DATABASE_URL"))
			if err != nil {
				t.Fatalf("DATABASE_URL: %v", err)
			}
			if u.Scheme != "postgres" && u.Scheme != "postgresql" {
				t.Errorf("DATABASE_URL scheme = %q, want postgres", u.Scheme)
			}
			if u.Hostname() != svcPostgres || u.Port() != "5432" {
				t.Errorf("DATABASE_URL host = %q, want %s:5432", u.Host, svcPostgres)
			}
			if pw, _ := u.User.Password(); pw != env["POSTGRES_PASSWORD"] {
				t.Errorf("DATABASE_URL password = %q, want POSTGRES_PASSWORD", pw)
			}
			pg := service(t, p, svcPostgres)
			if u.User.Username() != envValue(t, pg, "POSTGRES_USER") {
				t.Errorf("DATABASE_URL user %q differs from postgresql's POSTGRES_USER", u.User.Username())
			}
			if db := strings.TrimPrefix(u.Path, "/"); db != envValue(t, pg, "POSTGRES_DB") {
				t.Errorf("DATABASE_URL database %q differs from postgresql's POSTGRES_DB", db)
			}

			for _, key := range []string{"VERVAL_PII_KEYS", "VERVAL_PII_HASH_KEY", "VERVAL_CODEC_AUTH_TOKEN"} {
				if got := envValue(t, s, key); got != env[key] {
					t.Errorf("%s = %q, want the value from the environment", key, got)
				}
			}
			if got := envValue(t, s, "VERVAL_DEV_USERS"); got != "false" {
				t.Errorf("VERVAL_DEV_USERS = %q, want false on the production stack", got)
			}
			if got := envValue(t, s, "TEMPORAL_NAMESPACE"); got != "default" {
				t.Errorf("TEMPORAL_NAMESPACE = %q, want default", got)
			}
		})
	}
	if got := envValue(t, service(t, p, svcAPI), "HTTP_ADDR"); got != ":8080" {
		t.Errorf("api HTTP_ADDR = %q, want :8080 (the published container port)", got)
	}
}

// TestComposeWorkerReplicas checks that the worker count is set by
// WORKER_REPLICAS and defaults to more than one.
func TestComposeWorkerReplicas(t *testing.T) {
	tests := []struct {
		name string
		set  string
		want int
	}{
		{"default", "", 2},
		{"WORKER_REPLICAS=6", "6", 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv()
			if tc.set != "" {
				env["WORKER_REPLICAS"] = tc.set
			}
			p, err := loadCompose(t, env)
			if err != nil {
				t.Fatal(err)
			}
			s := service(t, p, svcWorker)
			if s.Deploy == nil || s.Deploy.Replicas == nil {
				t.Fatal("worker has no deploy.replicas")
			}
			if *s.Deploy.Replicas != tc.want {
				t.Errorf("replicas = %d, want %d", *s.Deploy.Replicas, tc.want)
			}
		})
	}
}

// TestComposeTemporalServer checks the server and its schema job: pinned
// and matching image tags, both databases set up, PostgreSQL persistence,
// shard count and the mounted dynamic config.
func TestComposeTemporalServer(t *testing.T) {
	p := mustLoadCompose(t)
	server := service(t, p, svcTemporal)
	serverTag := imageTag(t, server.Image, "temporalio/server")
	for _, name := range []string{svcSchema, svcNamespace} {
		if tag := imageTag(t, service(t, p, name).Image, "temporalio/admin-tools"); tag != serverTag {
			t.Errorf("%s uses admin-tools %s but the server is %s: the schema must match the server", name, tag, serverTag)
		}
	}
	imageTag(t, service(t, p, svcTemporalUI).Image, "temporalio/ui")
	// Before 1.31 an Update to a workflow evicted from the worker's cache
	// fails a workflow task (temporalio/temporal#7741): households carry more
	// events and result submissions get slower. Do not go back below it.
	var major, minor, patch int
	if _, err := fmt.Sscanf(serverTag, "%d.%d.%d", &major, &minor, &patch); err != nil || major < 1 || (major == 1 && minor < 31) {
		t.Errorf("temporal server %s: want 1.31.0 or later (temporalio/temporal#7741)", serverTag)
	}

	sh := script(t, service(t, p, svcSchema))
	for _, db := range []string{"temporal", "temporal_visibility"} {
		for _, step := range []string{"create", "setup-schema", "update-schema"} {
			re := regexp.MustCompile(`(?m)^\s*temporal-sql-tool\b.*--db ` + db + `\s+` + step + `\b`)
			if !re.MatchString(sh) {
				t.Errorf("schema job does not run `temporal-sql-tool --db %s %s`", db, step)
			}
		}
	}
	schemaJob := service(t, p, svcSchema)
	if got := envValue(t, schemaJob, "SQL_PLUGIN"); got != "postgres12" {
		t.Errorf("schema job SQL_PLUGIN = %q, want postgres12", got)
	}

	for key, want := range map[string]string{
		"DB":                 "postgres12",
		"POSTGRES_SEEDS":     svcPostgres,
		"POSTGRES_PWD":       testEnv()["POSTGRES_PASSWORD"],
		"NUM_HISTORY_SHARDS": "512",
		"BIND_ON_IP":         "0.0.0.0",
	} {
		if got := envValue(t, server, key); got != want {
			t.Errorf("temporal %s = %q, want %q", key, got, want)
		}
	}

	hostFile := hostPath(t, server, envValue(t, server, "DYNAMIC_CONFIG_FILE_PATH"))
	root, _ := filepath.Abs(repoRoot)
	if want := filepath.Join(root, "deploy", "temporal", "dynamicconfig", "development-sql.yaml"); hostFile != want {
		t.Errorf("dynamic config resolves to %s, want %s", hostFile, want)
	}
	if _, err := os.Stat(hostFile); err != nil {
		t.Errorf("dynamic config file: %v", err)
	}
}

// imageTag returns the tag of image, which must be repo:tag with a real,
// pinned version (not latest).
func imageTag(t *testing.T, image, repo string) string {
	t.Helper()
	name, tag, ok := strings.Cut(image, ":")
	if name != repo || !ok || tag == "" {
		t.Errorf("image = %q, want %s:<version>", image, repo)
		return ""
	}
	if !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(tag) {
		t.Errorf("image %q is not pinned to an exact version", image)
	}
	return tag
}

// TestComposeSearchAttributes checks that the namespace job creates every
// custom search attribute verval's workflows use (workflows.SearchAttributes),
// with its type.
func TestComposeSearchAttributes(t *testing.T) {
	p := mustLoadCompose(t)
	job := service(t, p, svcNamespace)
	sh := script(t, job)

	if !strings.Contains(sh, "temporal operator search-attribute create") {
		t.Fatal("namespace job never runs `temporal operator search-attribute create`")
	}
	if !strings.Contains(sh, "temporal operator namespace create") {
		t.Error("namespace job never creates the namespace")
	}
	// create_sa NAME TYPE lines; create_sa is the idempotent wrapper above.
	got := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s*create_sa\s+(\S+)\s+(\S+)\s*$`).FindAllStringSubmatch(sh, -1) {
		got[m[1]] = m[2]
	}
	// The list the workflows upsert and `verval dev` registers.
	want := map[string]string{}
	for _, sa := range workflows.SearchAttributes() {
		want[sa.Name] = sa.Type
	}
	if !maps.Equal(got, want) {
		t.Errorf("search attributes created = %v, want %v", got, want)
	}
	if !strings.Contains(sh, "already exists") {
		t.Error("namespace job does not tolerate an attribute that already exists: it must be re-runnable")
	}
	if got := envValue(t, job, "TEMPORAL_ADDRESS"); got != "temporal:7233" {
		t.Errorf("namespace job TEMPORAL_ADDRESS = %q, want temporal:7233", got)
	}
	if got := envValue(t, job, "NAMESPACE"); got != "default" {
		t.Errorf("namespace job NAMESPACE = %q, want default (TEMPORAL_NAMESPACE)", got)
	}
	// The same namespace everywhere, also when it is changed.
	env := testEnv()
	env["TEMPORAL_NAMESPACE"] = "verval-2026"
	p2, err := loadCompose(t, env)
	if err != nil {
		t.Fatal(err)
	}
	for name, key := range map[string]string{
		svcNamespace:  "NAMESPACE",
		svcAPI:        "TEMPORAL_NAMESPACE",
		svcWorker:     "TEMPORAL_NAMESPACE",
		svcTemporalUI: "TEMPORAL_DEFAULT_NAMESPACE",
	} {
		if got := envValue(t, service(t, p2, name), key); got != "verval-2026" {
			t.Errorf("%s %s = %q with TEMPORAL_NAMESPACE=verval-2026", name, key, got)
		}
	}
}

// TestComposeTemporalUI checks the UI's server address and its codec
// endpoint, which is a browser-facing URL of the api.
func TestComposeTemporalUI(t *testing.T) {
	p := mustLoadCompose(t)
	ui := service(t, p, svcTemporalUI)
	if got := envValue(t, ui, "TEMPORAL_ADDRESS"); got != "temporal:7233" {
		t.Errorf("TEMPORAL_ADDRESS = %q, want temporal:7233", got)
	}
	codec, err := url.Parse(envValue(t, ui, "TEMPORAL_CODEC_ENDPOINT"))
	if err != nil {
		t.Fatal(err)
	}
	if codec.String() != "http://localhost:8080/codec" {
		t.Errorf("TEMPORAL_CODEC_ENDPOINT = %q, want http://localhost:8080/codec by default", codec)
	}
	if _, ok := p.Services[codec.Hostname()]; ok {
		t.Errorf("TEMPORAL_CODEC_ENDPOINT host %q is a compose service name: the browser, not the UI container, calls it", codec.Hostname())
	}
	if _, ok := ui.Environment["TEMPORAL_CODEC_PASS_ACCESS_TOKEN"]; !ok {
		t.Error("TEMPORAL_CODEC_PASS_ACCESS_TOKEN is not set explicitly")
	}
	// The api links cases to the UI at the URL people open it at, the one
	// the UI accepts as its origin, by default and when it is changed.
	for _, public := range []string{"", "https://temporal.dinsos.example.go.id"} {
		env := testEnv()
		if public != "" {
			env["TEMPORAL_UI_PUBLIC_URL"] = public
		}
		p, err := loadCompose(t, env)
		if err != nil {
			t.Fatal(err)
		}
		origin := envValue(t, service(t, p, svcTemporalUI), "TEMPORAL_CORS_ORIGINS")
		if got := envValue(t, service(t, p, svcAPI), "TEMPORAL_UI_URL"); got != origin {
			t.Errorf("TEMPORAL_UI_PUBLIC_URL=%q: api TEMPORAL_UI_URL = %q, temporal-ui TEMPORAL_CORS_ORIGINS = %q; want the same", public, got, origin)
		}
		if public != "" && origin != public {
			t.Errorf("TEMPORAL_CORS_ORIGINS = %q with TEMPORAL_UI_PUBLIC_URL=%q", origin, public)
		}
	}
}

// TestComposeStopGracePeriod: Docker kills api and worker containers
// stop_grace_period after SIGTERM; it must leave VERVAL_SHUTDOWN_TIMEOUT
// for requests and activities to finish, and time to close connections.
func TestComposeStopGracePeriod(t *testing.T) {
	const margin = 10 * time.Second
	p := mustLoadCompose(t)
	for _, name := range []string{svcAPI, svcWorker} {
		s := service(t, p, name)
		cfg, err := config.Load(func(k string) string {
			if v, ok := s.Environment[k]; ok && v != nil {
				return *v
			}
			return ""
		}, false)
		if err != nil {
			t.Fatalf("%s: its environment does not load: %v", name, err)
		}
		if s.StopGracePeriod == nil {
			t.Errorf("%s has no stop_grace_period: Docker's 10 s default is below VERVAL_SHUTDOWN_TIMEOUT %s", name, cfg.ShutdownTimeout)
			continue
		}
		if grace := time.Duration(*s.StopGracePeriod); grace < cfg.ShutdownTimeout+margin {
			t.Errorf("%s: stop_grace_period %s, VERVAL_SHUTDOWN_TIMEOUT %s: want the grace period at least %s longer", name, grace, cfg.ShutdownTimeout, margin)
		}
	}
}

// TestComposeMemoryLimits: the api and the worker run under a hard memory
// limit with Go's soft limit (GOMEMLIMIT) below it, so the garbage
// collector works harder before the kernel kills the process.
func TestComposeMemoryLimits(t *testing.T) {
	p := mustLoadCompose(t)
	for _, name := range []string{svcAPI, svcWorker} {
		s := service(t, p, name)
		if s.Deploy == nil || s.Deploy.Resources.Limits == nil || s.Deploy.Resources.Limits.MemoryBytes <= 0 {
			t.Errorf("%s has no memory limit", name)
			continue
		}
		hard := int64(s.Deploy.Resources.Limits.MemoryBytes)
		soft, err := parseGoMemLimit(envValue(t, s, "GOMEMLIMIT"))
		if err != nil {
			t.Errorf("%s GOMEMLIMIT: %v", name, err)
			continue
		}
		if soft <= 0 || soft > hard*9/10 {
			t.Errorf("%s: GOMEMLIMIT %d bytes, hard limit %d: want the soft limit at most 90%% of the hard one", name, soft, hard)
		}
	}
}

// parseGoMemLimit reads GOMEMLIMIT's syntax: a number of bytes with an
// optional B, KiB, MiB, GiB or TiB suffix.
func parseGoMemLimit(v string) (int64, error) {
	units := []struct {
		suffix string
		mul    int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
	for _, u := range units {
		if n, ok := strings.CutSuffix(v, u.suffix); ok {
			x, err := strconv.ParseInt(n, 10, 64)
			return x * u.mul, err
		}
	}
	return strconv.ParseInt(v, 10, 64)
}

// TestStackEnvironmentIsCompose: `verval stack` gives each process the
// environment docker-compose.yml gives its service. stack.Env on the
// compose network (service names, container ports) must be exactly the
// compose file's environment, for the defaults and for changed variables;
// on the stack's own network it differs only in addresses and in the
// Temporal server's port variables (its four services share one host).
func TestStackEnvironmentIsCompose(t *testing.T) {
	variants := []map[string]string{testEnv(), testEnv()}
	for k, v := range map[string]string{
		"POSTGRES_USER": "dinsos", "POSTGRES_DB": "verval_blitar", "TEMPORAL_NAMESPACE": "verval-2026",
		"LOG_LEVEL": "debug", "VERVAL_SHUTDOWN_TIMEOUT": "20s", "VERVAL_GOMEMLIMIT": "300MiB",
		"TEMPORAL_NUM_HISTORY_SHARDS": "16", "TEMPORAL_LOG_LEVEL": "warn", "TEMPORAL_NAMESPACE_RETENTION": "90d",
		"TEMPORAL_UI_PUBLIC_URL": "https://temporal.example.go.id", "POSTGRES_MAX_CONNECTIONS": "200",
		"POSTGRES_SHARED_BUFFERS": "2GB",
		"VERVAL_S3_ACCESS_KEY":    "dinsos-foto", "VERVAL_S3_BUCKET": "foto-kunjungan", "VERVAL_PHOTOS_REQUIRED": "not_poor=front+inside",
	} {
		variants[1][k] = v
	}
	services := []string{stack.Postgres, stack.Schema, stack.Temporal, stack.Namespace, stack.Migrate, stack.API, stack.Worker, stack.Objects}
	for i, env := range variants {
		p, err := loadCompose(t, env)
		if err != nil {
			t.Fatal(err)
		}
		got := stack.Env(func(k string) string { return env[k] }, stack.ComposeNetwork)
		for _, name := range services {
			want := map[string]string{}
			for k, v := range service(t, p, name).Environment {
				if v != nil {
					want[k] = *v
				}
			}
			if !maps.Equal(got[name], want) {
				t.Errorf("variant %d, %s: stack.Env differs from docker-compose.yml\n stack:   %v\n compose: %v", i, name, got[name], want)
			}
		}
		cmd := service(t, p, svcPostgres).Command
		var settings []string
		for j, arg := range cmd {
			if j > 0 && cmd[j-1] == "-c" {
				settings = append(settings, arg)
			}
		}
		if want := stack.PostgresSettings(func(k string) string { return env[k] }); !slices.Equal(settings, want) {
			t.Errorf("variant %d: postgresql's command sets %q, the stack %q", i, settings, want)
		}
	}

	local := stack.Network{
		PostgresHost: "127.0.0.1", PostgresPort: 15432, TemporalHost: "127.0.0.1", TemporalPort: 7233,
		BindIP: "127.0.0.1", HTTPAddr: "127.0.0.1:8080", DynamicConfig: "/repo/deploy/temporal/dynamicconfig/development-sql.yaml",
		SchemaDir: "/go/pkg/mod/go.temporal.io/server@v1.31.2/schema", ServerPorts: map[string]string{"FRONTEND_GRPC_PORT": "7233"},
		ObjectsDir: "/srv/verval-stack/objects",
	}
	env := testEnv()
	onCompose := stack.Env(func(k string) string { return env[k] }, stack.ComposeNetwork)
	for name, e := range stack.Env(func(k string) string { return env[k] }, local) {
		keys := slices.Sorted(maps.Keys(e))
		want := slices.Sorted(maps.Keys(onCompose[name]))
		if name == stack.Temporal {
			want = slices.Sorted(slices.Values(append(want, "FRONTEND_GRPC_PORT")))
		}
		if !slices.Equal(keys, want) {
			t.Errorf("%s on this machine sets %v, compose %v", name, keys, want)
		}
	}
}

// TestComposeObjectStore: the photos' S3-compatible store is a service of
// its own with a licence the project can ship (not MinIO's AGPL server),
// keeps its data on a named volume, publishes no port, and the api
// reaches its bucket on the compose network with the credentials the
// store is given; the api waits for it to start.
func TestComposeObjectStore(t *testing.T) {
	p := mustLoadCompose(t)
	s := service(t, p, "objects")
	if !strings.HasPrefix(s.Image, "versity/versitygw:v") {
		t.Errorf("objects image %q: want a pinned versity/versitygw (Apache-2.0) release", s.Image)
	}
	if strings.Contains(s.Image, "minio/minio") {
		t.Errorf("objects runs MinIO's server (AGPL-3.0): %q", s.Image)
	}
	if s.Restart != types.RestartPolicyUnlessStopped {
		t.Errorf("objects restart = %q", s.Restart)
	}
	if len(s.Ports) != 0 {
		t.Errorf("objects publishes %v: only the api may reach it", s.Ports)
	}
	cmd := strings.Join(s.Command, " ")
	if !strings.Contains(cmd, "posix /data") || !strings.Contains(cmd, "--port :7070") {
		t.Errorf("objects command %q: want the posix backend on /data, port 7070", cmd)
	}
	mounted := false
	for _, v := range s.Volumes {
		if v.Type == types.VolumeTypeVolume && v.Source == "objects-data" && v.Target == "/data" {
			mounted = true
		}
	}
	if !mounted {
		t.Errorf("objects keeps /data on no named volume: %+v", s.Volumes)
	}
	if _, ok := p.Volumes["objects-data"]; !ok {
		t.Error("volume objects-data is not declared")
	}
	api := service(t, p, svcAPI)
	if got := envValue(t, api, "VERVAL_OBJECT_STORE"); got != "http://objects:7070/verval-photos" {
		t.Errorf("api VERVAL_OBJECT_STORE = %q", got)
	}
	if a, b := envValue(t, api, "VERVAL_S3_ACCESS_KEY"), envValue(t, s, "ROOT_ACCESS_KEY"); a != b || a == "" {
		t.Errorf("api's access key %q, the store's %q", a, b)
	}
	if a, b := envValue(t, api, "VERVAL_S3_SECRET_KEY"), envValue(t, s, "ROOT_SECRET_KEY"); a != b || a != testEnv()["VERVAL_S3_SECRET_KEY"] {
		t.Errorf("api's secret key %q, the store's %q", a, b)
	}
	if d, ok := api.DependsOn["objects"]; !ok || d.Condition != types.ServiceConditionStarted {
		t.Errorf("api depends on objects: %+v", api.DependsOn)
	}
	for _, dep := range []string{svcPostgres, svcMigrate, svcTemporal, svcNamespace} {
		if _, ok := api.DependsOn[dep]; !ok {
			t.Errorf("api no longer depends on %s: %+v", dep, api.DependsOn)
		}
	}
	// The api's configuration takes the compose file's values.
	env := map[string]string{}
	for k, v := range api.Environment {
		if v != nil {
			env[k] = *v
		}
	}
	c, err := config.Load(func(k string) string { return env[k] }, false)
	if err != nil {
		t.Fatalf("the api's environment does not load: %v", err)
	}
	if c.ObjectStore != "http://objects:7070/verval-photos" || c.S3SecretKey != testEnv()["VERVAL_S3_SECRET_KEY"] {
		t.Errorf("config: object store %q", c.ObjectStore)
	}
}
