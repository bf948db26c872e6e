#!/usr/bin/env bash
# Runs once, when the PostgreSQL data volume is first created: one database per concern
# (Airflow metadata is POSTGRES_DB itself; the integration's state store; the demo ERP).
set -euo pipefail
for database in "${VTEX_STATE_DB:-vtex_state}" "${ERP_DEMO_DB:-erp_demo}"; do
  echo "creating database ${database}"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -c "CREATE DATABASE \"${database}\" OWNER \"${POSTGRES_USER}\""
done
