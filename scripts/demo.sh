#!/usr/bin/env bash
# make demo: the whole bundle on one machine, on loopback. A simulated node stack (bitcoind, an Electrum server, the
# mempool backend and its front end, LND) moving like a mainnet node, a real MariaDB holding a mempool database, the
# exporter, and the shipped bundle: Debian's Prometheus with the shipped rules and runbook page, Debian's Alertmanager
# with the shipped routes and template, and an SMTP listener keeping every mail in a Maildir. Ctrl+C (or a TERM)
# stops everything; the mails stay.
#
#   scripts/demo.sh          start it (make demo)
#   scripts/demo.sh report   mail the daily report now, from the running demo (make demo-report)
#
# Ports: DEMO_PORT (exporter, 9338), SIM_PORT (first of five simulators, 28332; LND's REST is the fifth, SIM_PORT+4),
# DEMO_PROMETHEUS_PORT (29090), DEMO_ALERTMANAGER_PORT (29093), DEMO_SMTP_PORT (29025): apart from the usual
# 9090/9093, so a Prometheus you already run is not in the way. DEMO_DIR (demo/) holds the running demo's files
# (run/) and the mails (mail/).
set -euo pipefail
cd "$(dirname "$0")/.."
demo_dir="$(mkdir -p "${DEMO_DIR:-demo}" && cd "${DEMO_DIR:-demo}" && pwd)"
work="$demo_dir/run"
exporter_dll=src/NodeHelper.Exporter/bin/Release/net10.0/nodehelper.dll

# A demo runs while its exporter does: run/ alone (left by a demo killed with SIGKILL, a power cut) is not one.
running() {
  [ -s "$work/exporter.pid" ] && [ -s "$work/exporter.env" ] && kill -0 "$(cat "$work/exporter.pid")" 2>/dev/null
}

if [ "${1:-}" = "report" ]; then
  running || { echo "No demo is running: start one with make demo first (it mails a report by itself 3 minutes after it starts)." >&2; exit 2; }
  set -a; . "$work/exporter.env"; set +a
  exec dotnet "$exporter_dll" report --again
fi

if running; then
  echo "A demo is already running in $demo_dir (exporter pid $(cat "$work/exporter.pid")): stop it first, or set DEMO_DIR." >&2
  exit 1
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
exporter=""
# Stops the exporter, then the stack (which stops Prometheus, Alertmanager, the SMTP listener and MariaDB), then
# removes run/. Programs started with & from a script ignore SIGINT, so each is stopped with a TERM, and waited for.
cleanup() {
  trap - EXIT INT TERM
  if [ -n "$exporter" ]; then kill "$exporter" 2>/dev/null || true; wait "$exporter" 2>/dev/null || true; fi
  if [ -n "$sim" ]; then kill "$sim" 2>/dev/null || true; wait "$sim" 2>/dev/null || true; fi
  for _ in 1 2 3 4 5; do rm -rf "$work" 2>/dev/null && break; sleep 1; done
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

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
. "$work/links.env"

dotnet "$exporter_dll" --urls "http://127.0.0.1:${demo_port}" &
exporter=$!
echo "$exporter" > "$work/exporter.pid"
for _ in $(seq 300); do
  (exec 3<>"/dev/tcp/127.0.0.1/${demo_port}") 2>/dev/null && break
  kill -0 "$exporter" 2>/dev/null || { echo "The exporter did not start (see above)." >&2; exit 1; }
  sleep 0.1
done

# Every address printed here opens on Debian's packages: Prometheus's alerts page where this Prometheus has it
# (links.env), its runbook page, the exporter. Debian's Alertmanager has no web page, so it gets a command.
cat <<MSG

  NodeHelper demo: a simulated node stack (mainnet-like, a block every two minutes, LND included), a real MariaDB, the
  exporter, and the shipped bundle (Prometheus with its rules, Alertmanager with its mail routes), all on loopback.

  Open Prometheus at ${PROMETHEUS_ALERTS}; the mails land in ${demo_dir}/mail/new/ (a file each).

  The status page: http://127.0.0.1:${demo_port}/   The runbook the alerts link to: ${RUNBOOK_URL}
  Alertmanager (its API only, no web page in Debian's package): amtool --alertmanager.url=${ALERTMANAGER_URL} alert query
  The daily report is mailed at ${NODEHELPER_Report__Schedule}; one now: make demo-report
  Break bitcoind: curl -X POST http://127.0.0.1:${sim_port}/simulator/fault/Http500 (the alert mail follows within 3 minutes;
  .../fault/None mends it). Grafana: add a Prometheus data source ${PROMETHEUS_URL} and import grafana/dashboards/.
  Lock LND's wallet: curl -k -X POST ${NODEHELPER_Lnd__Url}simulator/wallet/locked (the exporter's lnd_wallet_locked
  becomes 1; .../wallet/active unlocks it; also .../force-close, .../htlc, .../channel/1337/inactive, .../clear).
  Ctrl+C stops everything; the mails stay.

MSG
# The exporter runs in the background so a Ctrl+C or a TERM reaches this script, which stops it and then the rest.
wait "$exporter"
