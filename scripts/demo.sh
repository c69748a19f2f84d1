#!/usr/bin/env bash
# make demo: the whole bundle on one machine, on loopback. A simulated node stack (bitcoind, an Electrum server, the
# mempool backend and its front end) moving like a mainnet node, a real MariaDB holding a mempool database, the
# exporter, and the shipped bundle: Debian's Prometheus with the shipped rules, Debian's Alertmanager with the shipped
# routes and template, and an SMTP listener keeping every mail in a Maildir. Ctrl+C stops everything; the mails stay.
#
#   scripts/demo.sh          start it (make demo)
#   scripts/demo.sh report   mail the daily report now, from the running demo (make demo-report)
#
# Ports: DEMO_PORT (exporter, 9338), SIM_PORT (first of four simulators, 28332), DEMO_PROMETHEUS_PORT (29090),
# DEMO_ALERTMANAGER_PORT (29093), DEMO_SMTP_PORT (29025): apart from the usual 9090/9093, so a Prometheus you
# already run is not in the way. DEMO_DIR (demo/) holds the running demo's files (run/) and the mails (mail/).
set -euo pipefail
cd "$(dirname "$0")/.."
demo_dir="$(mkdir -p "${DEMO_DIR:-demo}" && cd "${DEMO_DIR:-demo}" && pwd)"
work="$demo_dir/run"
exporter_dll=src/NodeHelper.Exporter/bin/Release/net10.0/nodehelper.dll

if [ "${1:-}" = "report" ]; then
  [ -s "$work/exporter.env" ] || { echo "No demo is running: start one with make demo first." >&2; exit 2; }
  set -a; . "$work/exporter.env"; set +a
  exec dotnet "$exporter_dll" report --again
fi

demo_port="${DEMO_PORT:-9338}"
sim_port="${SIM_PORT:-28332}"
prometheus_port="${DEMO_PROMETHEUS_PORT:-29090}"
alertmanager_port="${DEMO_ALERTMANAGER_PORT:-29093}"
smtp_port="${DEMO_SMTP_PORT:-29025}"

scripts/install-packages.sh prometheus prometheus-alertmanager python3-aiosmtpd mariadb-server
# The two programs the demo runs, not the tests: a demo started while the tests run rebuilds nothing they use.
for project in src/NodeHelper.Stack src/NodeHelper.Exporter; do
  dotnet build "$project" -c Release -nologo -v q
done

rm -rf "$work"
mkdir -p "$work"
sim=""
cleanup() {
  if [ -n "$sim" ]; then kill "$sim" 2>/dev/null; wait "$sim" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dotnet src/NodeHelper.Stack/bin/Release/net10.0/nodehelper-stack.dll --dir "$work" --base-port "$sim_port" --mariadb --live \
  --bundle . --exporter "127.0.0.1:$demo_port" --prometheus-port "$prometheus_port" --alertmanager-port "$alertmanager_port" \
  --smtp-port "$smtp_port" --mail "$demo_dir/mail" &
sim=$!
for _ in $(seq 600); do
  [ -s "$work/exporter.env" ] && break
  kill -0 "$sim" 2>/dev/null || { echo "The simulated stack did not start (see above)." >&2; exit 1; }
  sleep 0.1
done
[ -s "$work/exporter.env" ] || { echo "The simulated stack did not start within a minute." >&2; exit 1; }
set -a; . "$work/exporter.env"; set +a

cat <<MSG

  NodeHelper demo: a simulated node stack (mainnet-like, a block every two minutes), a real MariaDB, the exporter, and
  the shipped bundle (Prometheus with its rules, Alertmanager with its mail routes), all on loopback.

  Open Prometheus at http://127.0.0.1:${prometheus_port}/alerts; the mails land in ${demo_dir}/mail/new/ (a file each).

  The exporter: http://127.0.0.1:${demo_port}/   Alertmanager: http://127.0.0.1:${alertmanager_port}/
  The daily report is mailed at ${NODEHELPER_Report__Schedule}; one now: make demo-report
  Break bitcoind: curl -X POST http://127.0.0.1:${sim_port}/simulator/fault/Http500 (the alert mail follows within 3 minutes;
  .../fault/None mends it). Grafana: add a Prometheus data source http://127.0.0.1:${prometheus_port} and import grafana/dashboards/.
  Ctrl+C stops everything; the mails stay.

MSG
dotnet "$exporter_dll" --urls "http://127.0.0.1:${demo_port}" &
exporter=$!
# The exporter runs in the background so a Ctrl+C or a TERM reaches this script, which stops it and then the rest.
trap 'kill "$exporter" 2>/dev/null; wait "$exporter" 2>/dev/null || true; cleanup' EXIT
wait "$exporter"
