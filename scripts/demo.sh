#!/usr/bin/env bash
# make demo: the exporter against a simulated node stack on loopback (bitcoind, an Electrum server, the mempool
# backend and its front end) plus a real MariaDB holding a mempool database, all moving like a mainnet node.
# Stops everything on Ctrl+C. Ports: DEMO_PORT (exporter, default 9338), SIM_PORT (first of four, default 28332).
set -euo pipefail
cd "$(dirname "$0")/.."
demo_port="${DEMO_PORT:-9338}"
sim_port="${SIM_PORT:-28332}"

scripts/install-packages.sh mariadb-server
dotnet build NodeHelper.sln -c Release -nologo -v q
work=$(mktemp -d)
sim=""
cleanup() {
  if [ -n "$sim" ]; then kill "$sim" 2>/dev/null; wait "$sim" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

dotnet src/NodeHelper.Simulators/bin/Release/net10.0/nodehelper-sim.dll stack --dir "$work" --base-port "$sim_port" --mariadb --live &
sim=$!
for _ in $(seq 300); do [ -s "$work/exporter.env" ] && break; sleep 0.1; done
[ -s "$work/exporter.env" ] || { echo "the simulated stack did not start"; exit 1; }
set -a; . "$work/exporter.env"; set +a

cat <<MSG

  NodeHelper demo: the exporter reads a simulated node stack (mainnet-like, a block every two minutes) and a real MariaDB.
  Open http://127.0.0.1:${demo_port}/ or: curl -s http://127.0.0.1:${demo_port}/metrics | grep -E '^(bitcoind|electrum|mempool|mariadb)_(up|tip|blocks)'
  Try a fault: curl -X POST http://127.0.0.1:${sim_port}/simulator/fault/WarmingUp   (and .../fault/None)
  Ctrl+C stops everything.

MSG
dotnet src/NodeHelper.Exporter/bin/Release/net10.0/nodehelper.dll --urls "http://127.0.0.1:${demo_port}"
