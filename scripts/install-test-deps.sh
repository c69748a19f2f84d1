#!/usr/bin/env bash
# The real programs the tests run: Prometheus and promtool, Alertmanager and amtool, an SMTP listener (aiosmtpd),
# MariaDB, Chromium (headless, for the status page) and VictoriaMetrics (the remote_write receiver), all from Debian.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-packages.sh prometheus prometheus-alertmanager python3-aiosmtpd mariadb-server clang zlib1g-dev docker-compose python3-seccomp chromium victoria-metrics

# TypeScript and Grafana's dashboard types (@grafana/schema), pinned by the lock file, for the dashboards' schema test.
command -v npm >/dev/null || scripts/install-packages.sh nodejs npm
schema=tests/dashboard-schema
if [ ! -x "$schema/node_modules/.bin/tsc" ] || [ "$schema/package-lock.json" -nt "$schema/node_modules/.package-lock.json" ]; then
  echo "Installing $schema's npm packages"
  npm ci --prefix "$schema" --no-audit --no-fund --loglevel=error
fi
