# The two commands a new user needs: `make dev` runs the whole stack,
# `make test` runs every test (unit, store on SQLite and PostgreSQL,
# end-to-end against a real Temporal dev server, brief fuzzing).

GO ?= go
FUZZTIME ?= 5s

.PHONY: dev test unit fuzz tools vet bench

dev:
	$(GO) run ./cmd/verval dev

test: vet
	$(GO) test -count=1 -timeout 45m ./...
	$(MAKE) fuzz

# unit: the fast tests only (no end-to-end stack).
unit:
	$(GO) test -short ./...

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

# fuzz: every fuzz target for FUZZTIME; findings land in testdata/fuzz and
# must become regression tests.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

# tools: the Temporal CLI (dev server + Web UI) from the separate tools module.
tools: bin/temporal

bin/temporal: tools/go.mod tools/go.sum
	cd tools && $(GO) build -o ../bin/temporal github.com/temporalio/cli/cmd/temporal

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/p3ke/
