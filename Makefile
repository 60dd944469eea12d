# The two commands a new user needs: `make dev` runs the whole stack,
# `make test` runs every test (unit, store on SQLite and PostgreSQL,
# end-to-end against a real Temporal dev server, brief fuzzing).

GO ?= go
# Fuzzing budget: a number of inputs per target (go test -fuzztime Nx), not
# a duration. With a duration, Go 1.26's fuzz coordinator can fail a clean
# run with a bare "context deadline exceeded" when time runs out while a
# worker is mid-input (golang/go#75804, fixed in Go 1.27); a count has no
# deadline to race. Targets that parse whole files get fewer inputs, so
# each target takes a few seconds here.
FUZZEXECS ?= 100000
FUZZEXECS_FILES ?= 5000

.PHONY: dev test unit fuzz tools vet bench

# dev builds the binary and runs it (not `go run`: on Ctrl-C `go run`
# exits 1 even when verval shut down cleanly, and make reported an error).
dev:
	$(GO) build -o bin/verval ./cmd/verval
	exec bin/verval dev

test: vet
	$(GO) test -count=1 -timeout 45m ./...
	$(MAKE) fuzz

# unit: the fast tests only (no end-to-end stack).
unit:
	$(GO) test -short ./...

# vet: gofmt, go vet, and workflowcheck over the workflows (every workflow
# function and what it calls must be deterministic). workflowcheck has its
# own tools module (tools/workflowcheck/go.mod) so that tools/go.mod, which
# builds the Temporal CLI, stays as it is; -modfile runs it from here so the
# package pattern resolves in the main module.
vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	$(GO) tool -modfile=tools/workflowcheck/go.mod workflowcheck ./workflows/...

# fuzz: every fuzz target, FUZZEXECS inputs each (FUZZEXECS_FILES for the
# whole-file targets); findings land in testdata/fuzz and must become
# regression tests.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    case $$f in \
	      FuzzReader|FuzzSheetXML|FuzzP3KEParser|FuzzParseAnswers) n=$(FUZZEXECS_FILES);; \
	      *) n=$(FUZZEXECS);; \
	    esac; \
	    echo "fuzz $$pkg $$f ($$n inputs)"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $${n}x $$pkg || exit 1; \
	  done; \
	done

# tools: the Temporal CLI (dev server + Web UI) from the separate tools
# module, and the Temporal server and its SQL tool at docker-compose.yml's
# version from tools/temporal-server (`verval stack` and its end-to-end
# test run them on PostgreSQL).
tools: bin/temporal bin/temporal-server bin/temporal-sql-tool

bin/temporal: tools/go.mod tools/go.sum
	cd tools && $(GO) build -o ../bin/temporal github.com/temporalio/cli/cmd/temporal

bin/temporal-server: tools/temporal-server/go.mod tools/temporal-server/go.sum
	cd tools/temporal-server && $(GO) build -o ../../bin/temporal-server go.temporal.io/server/cmd/server

bin/temporal-sql-tool: tools/temporal-server/go.mod tools/temporal-server/go.sum
	cd tools/temporal-server && $(GO) build -o ../../bin/temporal-sql-tool go.temporal.io/server/cmd/tools/sql

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/p3ke/
