// Package deploy holds no production code: it only checks the deployment
// files at the repository root (Dockerfile, .dockerignore,
// docker-compose.yml and the Temporal dynamic config under deploy/).
//
// No Docker engine is needed. The compose file is loaded and validated with
// compose-go, the library docker compose itself uses, and the Dockerfile is
// read as text. The tests locate the files relative to this package
// directory (../../), which is where `go test` runs them.
package deploy
