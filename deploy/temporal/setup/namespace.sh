#!/bin/sh
# One-shot: registers the verval namespace and the custom search attributes
# verval's workflows upsert. Run by docker-compose.yml's
# temporal-namespace-setup service (the admin-tools image) and by
# `verval stack` (bin/temporal, the Temporal CLI), with the same environment:
#
#   TEMPORAL_ADDRESS   the frontend, host:port
#   NAMESPACE          verval's namespace (TEMPORAL_NAMESPACE)
#   RETENTION          how long closed workflow histories are kept
#
# With SQL visibility, custom search attributes are per namespace.
# Idempotent: an existing namespace is kept, and an attribute that already
# exists with the same type is accepted; one that exists with a DIFFERENT
# type fails the job on purpose.
set -eu
retry() {
  n=0
  until "$@"; do
    n=$((n + 1))
    if [ "$n" -ge 30 ]; then echo "giving up: $*" >&2; return 1; fi
    sleep 2
  done
}
retry temporal operator cluster health --address "$TEMPORAL_ADDRESS"
if temporal operator namespace describe --address "$TEMPORAL_ADDRESS" -n "$NAMESPACE" >/dev/null 2>&1; then
  echo "namespace $NAMESPACE exists"
else
  retry temporal operator namespace create --address "$TEMPORAL_ADDRESS" -n "$NAMESPACE" --retention "$RETENTION"
fi
create_sa() {
  n=0
  while :; do
    if out=$(temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" -n "$NAMESPACE" --name "$1" --type "$2" 2>&1); then
      echo "search attribute $1 ($2) ok"; return 0
    fi
    case "$out" in
      *"different type"*) echo "$out" >&2; return 1 ;;
      *"already exists"*) echo "search attribute $1 already exists"; return 0 ;;
    esac
    n=$((n + 1))
    if [ "$n" -ge 30 ]; then echo "$out" >&2; return 1; fi
    sleep 2
  done
}
create_sa VervalStage Keyword
create_sa StageEnteredAt Datetime
create_sa RegencyCode Keyword
create_sa KecamatanCode Keyword
create_sa DesaCode Keyword
create_sa CycleYear Int
temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" -n "$NAMESPACE"
