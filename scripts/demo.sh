#!/usr/bin/env bash
# make demo: the exporter against a simulated bitcoind on loopback, with numbers that move like a real node's.
# Stops both on Ctrl+C. Ports: DEMO_PORT (exporter, default 9338), SIM_PORT (bitcoind simulator, default 28332).
set -euo pipefail
cd "$(dirname "$0")/.."
demo_port="${DEMO_PORT:-9338}"
sim_port="${SIM_PORT:-28332}"

dotnet build NodeHelper.sln -c Release -nologo -v q
work=$(mktemp -d)
sim=""
cleanup() {
  [ -n "$sim" ] && kill "$sim" 2>/dev/null && wait "$sim" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

dotnet src/NodeHelper.Simulators/bin/Release/net10.0/nodehelper-sim.dll bitcoind --port "$sim_port" --cookie-dir "$work" --live &
sim=$!
for _ in $(seq 100); do [ -s "$work/.cookie" ] && break; sleep 0.1; done

cat <<MSG

  NodeHelper demo: the exporter is reading a simulated bitcoind (mainnet-like, a block every two minutes).
  Open http://127.0.0.1:${demo_port}/ or: curl -s http://127.0.0.1:${demo_port}/metrics | grep ^bitcoind_
  Try a fault: curl -X POST http://127.0.0.1:${sim_port}/simulator/fault/WarmingUp   (and .../fault/None)
  Ctrl+C stops both.

MSG
dotnet src/NodeHelper.Exporter/bin/Release/net10.0/nodehelper.dll --urls "http://127.0.0.1:${demo_port}" \
  --Bitcoind:Url "http://127.0.0.1:${sim_port}/" --Bitcoind:CookieFile "$work/.cookie"
