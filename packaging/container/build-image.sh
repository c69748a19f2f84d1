#!/usr/bin/env bash
# Builds NodeHelper's container image with Debian's buildah from local files only (no Docker daemon, no registry)
# and saves it as a docker-archive that `docker load` and `podman load` read:
#   artifacts/images/nodehelper_<version>_<arch>.docker.tar, image name nodehelper:<version>
# Docker's format, not OCI's: OCI image configs have no HEALTHCHECK.
# usage: packaging/container/build-image.sh ARCH BINARY OUTDIR [VERSION]     (ARCH: amd64 or arm64)
set -euo pipefail
cd "$(dirname "$0")/../.."

arch=$1 binary=$2 outdir=$3
version=${4:-$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)}
mirror=$(sed -n 's:^URIs\: *\(.*/debian\) *$:\1:p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
mirror=${mirror:-http://deb.debian.org/debian}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
context=$work/context
mkdir -p "$context/etc/ssl/certs" "$context/state/reports"

# The libraries the binary needs, unpacked from Debian's packages (extract: no maintainer scripts, no dpkg, no shell).
mmdebstrap --variant=extract --quiet --architectures="$arch" \
  --include=libc6,zlib1g,libssl3,ca-certificates,tzdata,netbase,base-files \
  bookworm "$context/rootfs.tar" "deb $mirror bookworm main"
# What ca-certificates' maintainer script would have made: the one bundle OpenSSL reads.
tar -xOf "$context/rootfs.tar" --wildcards './usr/share/ca-certificates/mozilla/*.crt' > "$context/etc/ssl/certs/ca-certificates.crt"
# The packages' own programs and scripts go (mawk, openssl, debconf's perl, update-ca-certificates): the image runs
# one program. The libraries, CA certificates, time zones and license files stay.
tar --delete -f "$context/rootfs.tar" --wildcards './usr/bin/*' './usr/sbin/*' './usr/share/perl5' './usr/share/debconf' \
  './usr/share/man' './usr/share/info' './usr/share/lintian' './usr/share/bash-completion' './usr/share/doc/*/changelog*' \
  './usr/lib/ssl/misc' './usr/share/ca-certificates' './etc/update-motd.d'
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnodehelper:x:65532:65532:NodeHelper:/var/lib/nodehelper:/usr/sbin/nologin\n' > "$context/etc/passwd"
printf 'root:x:0:\nnodehelper:x:65532:\n' > "$context/etc/group"
install -m 0755 "$binary" "$context/nodehelper"
cp packaging/container/Dockerfile "$context/Dockerfile"

buildah=(buildah --root "$work/storage" --runroot "$work/run" --storage-driver vfs)
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
"${buildah[@]}" build --quiet --format docker --arch "$arch" --os linux \
  --label org.opencontainers.image.title=nodehelper --label "org.opencontainers.image.version=$version" \
  --label "org.opencontainers.image.revision=$commit" --label org.opencontainers.image.licenses=Apache-2.0 \
  -t "localhost/nodehelper:$version" "$context" >/dev/null
mkdir -p "$outdir"
image="$outdir/nodehelper_${version}_${arch}.docker.tar"
rm -f "$image"
"${buildah[@]}" push --quiet "localhost/nodehelper:$version" "docker-archive:$image:nodehelper:$version"
# buildah's vfs storage holds copies owned by many ids; removed as buildah itself would.
"${buildah[@]}" rmi --all --force >/dev/null
echo "$image"
