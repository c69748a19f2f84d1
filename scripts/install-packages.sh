#!/usr/bin/env bash
# Installs Debian packages that are missing, quietly, without starting their services.
# usage: scripts/install-packages.sh package...
set -euo pipefail

missing=()
for package in "$@"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "Installing Debian packages: ${missing[*]}"

# Packages such as prometheus start a daemon on install. The tests start their own servers on free ports,
# so forbid service starts during the install (policy-rc.d, as container images do) unless one is in place.
policy=/usr/sbin/policy-rc.d
created_policy=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod +x "$policy"
  created_policy=1
fi
# An if, not `[ ... ] && ...`: a trap's last status becomes the script's exit status.
cleanup() {
  if [ -n "$created_policy" ]; then $sudo rm -f "$policy"; fi
}
trap cleanup EXIT

$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
