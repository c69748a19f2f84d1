#!/usr/bin/env bash
# Builds nodehelper_<version>_<arch>.deb with dpkg-deb from a release binary and the bundle (no debhelper: the
# tree below is the whole package, each file placed where Debian policy and lintian want it).
# usage: packaging/build-deb.sh ARCH BINARY OUTDIR [VERSION]
#   ARCH     amd64 or arm64
#   BINARY   the NativeAOT nodehelper for that architecture (make release)
#   HELP_BINARY (environment) a nodehelper this machine runs, for the man page; default: BINARY
set -euo pipefail
cd "$(dirname "$0")/.."

arch=$1 binary=$2 outdir=$3
version=${4:-$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)}
help_binary=${HELP_BINARY:-$binary}
case "$arch" in
  amd64) objcopy=objcopy ;;
  arm64) objcopy=aarch64-linux-gnu-objcopy ;;
  *) echo "build-deb.sh: ARCH must be amd64 or arm64, not '$arch'" >&2; exit 2 ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# dpkg-shlibdeps wants the tree where debhelper would put it: debian/<package>/ beside debian/control.
root=$work/debian/nodehelper
mkdir -p "$root"
printf 'Source: nodehelper\n\nPackage: nodehelper\nArchitecture: any\n' > "$work/debian/control"

install -D -m 0755 "$binary" "$root/usr/bin/nodehelper"
# The compilers' version notes are all the .comment section holds (lintian: binary-has-unneeded-section).
$objcopy --remove-section=.comment "$root/usr/bin/nodehelper"
install -D -m 0644 packaging/nodehelper.conf "$root/etc/nodehelper/nodehelper.conf"
install -d "$root/lib/systemd/system"
install -m 0644 packaging/systemd/nodehelper.service packaging/systemd/nodehelper-report.service \
  packaging/systemd/nodehelper-report.timer "$root/lib/systemd/system/"

# The bundle for an existing Prometheus, Alertmanager and Grafana (the generators' C# sources stay behind).
share=$root/usr/share/nodehelper
install -d "$share"
cp -R prometheus alertmanager "$share/"
install -d "$share/grafana"
cp -R grafana/dashboards grafana/provisioning "$share/grafana/"
install -m 0644 docs/runbook.md "$share/runbook.md"
install -m 0644 compose.yml "$share/compose.yml"
# A commented example of the exporter's own web configuration (TLS, basic auth), to copy to /etc/nodehelper.
install -m 0644 packaging/web-config.example.yml "$share/web-config.example.yml"
find "$share" -type d -exec chmod 0755 {} + ; find "$share" -type f -exec chmod 0644 {} +

doc=$root/usr/share/doc/nodehelper
install -d "$doc"
install -m 0644 packaging/debian/copyright "$doc/copyright"
gzip -9n -c packaging/debian/changelog > "$doc/changelog.gz"
gzip -9n -c README.md > "$doc/README.md.gz"
gzip -9n -c docs/hardening.md > "$doc/hardening.md.gz"
gzip -9n -c docs/update-feed.md > "$doc/update-feed.md.gz"
chmod 0644 "$doc"/*.gz

# The man page is --help, as help2man formats it (the settings list is generated from the same declarations).
install -d "$root/usr/share/man/man1"
help2man --no-info --section=1 --name="Prometheus exporter for a self-hosted Bitcoin node" \
  --version-string="$version" "$help_binary" | gzip -9n > "$root/usr/share/man/man1/nodehelper.1.gz"
chmod 0644 "$root/usr/share/man/man1/nodehelper.1.gz"

install -d -m 0755 "$root/DEBIAN"
# The shared libraries the binary links (libc, libm, zlib), versioned from their symbols files, as debhelper
# would write them; libssl is opened at run time (TLS), so it is named by hand: libssl3t64 on Ubuntu 24.04+.
shlibs=$(cd "$work" && DEB_HOST_ARCH=$arch dpkg-shlibdeps -O -e debian/nodehelper/usr/bin/nodehelper 2> >(grep -v "should already be installed in their package" >&2) | sed -n 's/^shlibs:Depends=//p')
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
  -e "s/@DEPENDS@/$shlibs, libssl3 | libssl3t64, adduser/" packaging/debian/control.in > "$root/DEBIAN/control"
install -m 0644 packaging/debian/conffiles "$root/DEBIAN/conffiles"
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$root/DEBIAN/"
(cd "$root" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) \
  > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"

mkdir -p "$outdir"
deb="$outdir/nodehelper_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
