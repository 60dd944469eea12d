# verval: one static binary (cmd/verval) with the subcommands api, worker,
# dev and migrate. docker-compose.yml runs the same image three ways.
#
#   docker build -t verval .
#
# Needs BuildKit (the default builder since Docker Engine 23) for
# RUN --mount=type=cache and --platform=$BUILDPLATFORM.
#
# Checked by internal/deploy/dockerfile_test.go (no Docker engine is needed
# for that test; it reads this file as text).

# ---- build stage -----------------------------------------------------------
# The Go version must match the `go` directive in go.mod (1.26).
# --platform=$BUILDPLATFORM makes multi-arch builds cross-compile natively
# instead of emulating the target CPU.
FROM --platform=$BUILDPLATFORM golang:1.26-alpine AS build

WORKDIR /src

# Module downloads first, so the layer is reused while only code changes.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download

COPY . .

ARG TARGETOS
ARG TARGETARCH
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags="-s -w" -o /out/verval ./cmd/verval

# ---- runtime stage ---------------------------------------------------------
# distroless/static: CA certificates, tzdata and /etc/passwd, no shell and no
# package manager. The :nonroot tag runs as uid/gid 65532; USER repeats it
# numerically so Kubernetes' runAsNonRoot can verify it without /etc/passwd.
#
# No HEALTHCHECK: the image has no shell, curl or wget to run one. The API's
# GET /healthz and GET /readyz are meant for an orchestrator's HTTP probe
# (Kubernetes, a load balancer); see the note on the api service in
# docker-compose.yml.
FROM gcr.io/distroless/static-debian12:nonroot

COPY --from=build /out/verval /verval

USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/verval"]
CMD ["api"]
