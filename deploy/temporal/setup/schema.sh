#!/bin/sh
# One-shot: creates Temporal's two databases (temporal, temporal_visibility)
# and brings both schemas to the version the Temporal SQL tool's release
# ships. Run by docker-compose.yml's temporal-schema-setup service (the
# admin-tools image) and by `verval stack` (bin/temporal-sql-tool), with the
# same environment:
#
#   SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER, SQL_PASSWORD
#                         read by temporal-sql-tool as its flags' defaults
#   TEMPORAL_SCHEMA_DIR   the schema files of that release
#                         (/etc/temporal/schema in the admin-tools image)
#
# Idempotent (create tolerates an existing database, setup-schema -v 0.0
# skips when a version is already recorded, update-schema applies only the
# missing versions), so it runs safely on every start.
set -eu
schema="${TEMPORAL_SCHEMA_DIR:?set TEMPORAL_SCHEMA_DIR}/postgresql/v12"
temporal-sql-tool --db temporal create
temporal-sql-tool --db temporal setup-schema -v 0.0
temporal-sql-tool --db temporal update-schema -d "$schema/temporal/versioned"
temporal-sql-tool --db temporal_visibility create
temporal-sql-tool --db temporal_visibility setup-schema -v 0.0
temporal-sql-tool --db temporal_visibility update-schema -d "$schema/visibility/versioned"
echo "temporal schemas are up to date"
