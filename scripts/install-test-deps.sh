#!/usr/bin/env bash
# The real programs the tests run: promtool (Debian's prometheus) and MariaDB (mariadb-server).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-packages.sh prometheus mariadb-server
