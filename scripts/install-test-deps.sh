#!/usr/bin/env bash
# The real programs the tests run: Prometheus and promtool, Alertmanager and amtool, an SMTP listener (aiosmtpd)
# and MariaDB, all from Debian.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-packages.sh prometheus prometheus-alertmanager python3-aiosmtpd mariadb-server
