#!/usr/bin/env bash
# What make release and make package need: clang and lld for NativeAOT, the arm64 cross binutils and libc, and
# arm64 zlib to link against (Debian multiarch: dpkg --add-architecture arm64); qemu to run the arm64 binary;
# help2man for the man page, dpkg-dev for dpkg-shlibdeps, lintian to check the packages; mmdebstrap and buildah for
# the container image (and the fresh Debian the package tests install into).
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "Adding the arm64 architecture to dpkg (multiarch) for the arm64 build's libraries"
  $sudo dpkg --add-architecture arm64
fi
scripts/install-packages.sh clang lld zlib1g-dev binutils-aarch64-linux-gnu gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
  zlib1g-dev:arm64 libssl3:arm64 qemu-user-static help2man dpkg-dev lintian mmdebstrap buildah
