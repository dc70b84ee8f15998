#!/usr/bin/env bash
# Make sure the PostgreSQL the tests use (127.0.0.1:5432) is up; start the local cluster if not.
# Fails (exit 1) when it stays unreachable: the suite runs both engines and never skips one.
set -u
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  for version in $(ls /etc/postgresql); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && exit 0
    sleep 1
  done
fi
echo "ensure-postgres: PostgreSQL is not reachable at 127.0.0.1:5432 and could not be started" >&2
exit 1
