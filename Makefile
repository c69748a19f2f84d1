# NodeHelper: the two commands of the README are `make demo` and `make test`.
# Every target installs what it needs itself (the .NET SDK is the one prerequisite).

DOTNET  ?= dotnet
CONFIG  ?= Release
ARGS    ?=
PREFIX  ?= /usr/local

.PHONY: all build run demo demo-report test test-deps dashboards runbook bench bench-probe publish publish-aot release release-deps package image bench-release install clean

all: build

build:
	$(DOTNET) build NodeHelper.sln -c $(CONFIG) -nologo

## run: the exporter with its defaults (bitcoind on 127.0.0.1:8332, cookie ~/.bitcoin/.cookie), listening on 127.0.0.1:9338.
##      Pass settings with ARGS, e.g. make run ARGS="--Bitcoind:CookieFile=/var/lib/bitcoind/.cookie"
run:
	$(DOTNET) run --project src/NodeHelper.Exporter -c $(CONFIG) -- $(ARGS)

## demo: the whole bundle on loopback: simulated upstreams (and a real MariaDB), the exporter, Debian's Prometheus with
##       the shipped rules, Alertmanager with the shipped routes, and an SMTP listener whose mails land in demo/mail/new/.
demo:
	scripts/demo.sh

## demo-report: while make demo runs, mail the daily report now (it lands with the other mails).
demo-report:
	scripts/demo.sh report

## test: every test. Installs the real programs the tests use (Prometheus, Alertmanager, aiosmtpd, MariaDB, lintian,
##       mmdebstrap, qemu, buildah, chromium) when missing, and builds both Debian packages and both images first: the packaging
##       tests install and run them.
test: test-deps package image
	rm -rf TestResults
	$(DOTNET) test NodeHelper.sln -c $(CONFIG) -nologo --logger trx --results-directory TestResults; \
	  status=$$?; scripts/test-summary.sh TestResults; exit $$status

test-deps: release-deps
	scripts/install-test-deps.sh

## dashboards: writes grafana/dashboards/*.json from grafana/dashboards.cs (a test checks the two agree).
dashboards:
	$(DOTNET) run grafana/dashboards.cs

## runbook: writes the runbook page Prometheus serves (prometheus/consoles/) and each alert mail's steps
##          (alertmanager/templates/nodehelper-runbook.tmpl) from docs/runbook.md (a test checks they agree).
runbook:
	$(DOTNET) run docs/runbook.cs

## bench: median/p95 scrape time, overhead over the upstream round trips, allocations and resident memory, for the
##        bitcoind collector alone, for a mainnet-sized bitcoind (10, 125 and 1,000 peers, a full and a small mempool)
##        and for the whole stack (real MariaDB), framework-dependent then NativeAOT.
##        Not a test. See README "Performance". ARGS="--part bitcoind|mainnet|stack|status --scrapes N --warmup N" narrows it.
bench: publish-aot
	scripts/install-packages.sh mariadb-server
	$(DOTNET) build bench/NodeHelper.Benchmarks -c Release -nologo -v q
	$(DOTNET) bench/NodeHelper.Benchmarks/bin/Release/net10.0/NodeHelper.Benchmarks.dll $(ARGS)
	$(DOTNET) bench/NodeHelper.Benchmarks/bin/Release/net10.0/NodeHelper.Benchmarks.dll --exporter artifacts/nodehelper-aot $(ARGS)
	$(MAKE) bench-probe
	$(MAKE) bench-release

## bench-probe: /probe with 1, 10 and 100 simulated nodes probed every 15 s by Debian's Prometheus, NativeAOT build: CPU,
##              allocations, probe duration and resident memory (README "Performance"). About 5 minutes. Part of make bench.
bench-probe: publish-aot
	scripts/install-packages.sh prometheus
	$(DOTNET) build bench/NodeHelper.Benchmarks -c Release -nologo -v q
	$(DOTNET) bench/NodeHelper.Benchmarks/bin/Release/net10.0/NodeHelper.Benchmarks.dll --exporter artifacts/nodehelper-aot --part probe

## bench-release: the sizes of the release binaries, packages and images, and each binary's resident memory after
##                1,000 scrapes (arm64 under qemu). About 3 minutes with the builds. Part of make bench.
bench-release: package image
	$(DOTNET) build bench/NodeHelper.Benchmarks -c Release -nologo -v q
	$(DOTNET) bench/NodeHelper.Benchmarks/bin/Release/net10.0/NodeHelper.Benchmarks.dll --part release --repository $(CURDIR)

## publish: a framework-dependent build in artifacts/nodehelper (run with the .NET runtime installed).
publish:
	$(DOTNET) publish src/NodeHelper.Exporter -c Release -o artifacts/nodehelper -nologo

## publish-aot: one native binary in artifacts/nodehelper-aot (no .NET needed on the node; a third of the memory).
publish-aot:
	scripts/install-packages.sh clang zlib1g-dev
	rm -rf artifacts/nodehelper-aot
	$(DOTNET) publish src/NodeHelper.Exporter -c Release -r linux-x64 -p:PublishAot=true -o artifacts/nodehelper-aot -nologo

## release: the NativeAOT binary for each architecture a node runs, one file each, with --version naming the version
##          and the commit: artifacts/release/linux-x64/nodehelper and artifacts/release/linux-arm64/nodehelper
##          (cross-compiled here; about two minutes for both).
release: release-deps
	rm -rf artifacts/release
	$(DOTNET) publish src/NodeHelper.Exporter -c Release -r linux-x64 -p:PublishAot=true -o artifacts/release/linux-x64 -nologo -v q
	$(DOTNET) publish src/NodeHelper.Exporter -c Release -r linux-arm64 -p:PublishAot=true -p:LinkerFlavor=lld \
	  -p:ObjCopyName=aarch64-linux-gnu-objcopy -p:SysRoot=/ -o artifacts/release/linux-arm64 -nologo -v q
	rm -f artifacts/release/*/*.dbg artifacts/release/*/*.pdb artifacts/release/*/*.json
	artifacts/release/linux-x64/nodehelper --version

release-deps:
	scripts/install-release-deps.sh

## package: the Debian packages artifacts/packages/nodehelper_<version>_amd64.deb and _arm64.deb (dpkg-deb, lintian-clean).
package: release
	rm -rf artifacts/packages
	packaging/build-deb.sh amd64 artifacts/release/linux-x64/nodehelper artifacts/packages
	HELP_BINARY=artifacts/release/linux-x64/nodehelper packaging/build-deb.sh arm64 artifacts/release/linux-arm64/nodehelper artifacts/packages
	lintian --fail-on error,warning artifacts/packages/*.deb

## image: the container images artifacts/images/nodehelper_<version>_amd64.docker.tar and _arm64 (docker load / podman
##        load), built by buildah from local files: a non-root exporter on Debian's libraries, without a shell.
image: release
	rm -rf artifacts/images
	packaging/container/build-image.sh amd64 artifacts/release/linux-x64/nodehelper artifacts/images
	packaging/container/build-image.sh arm64 artifacts/release/linux-arm64/nodehelper artifacts/images

## install: the NativeAOT binary as $(PREFIX)/bin/nodehelper (so `nodehelper --help` works from anywhere with
##          /usr/local/bin on PATH) and the bundle under $(PREFIX)/share/nodehelper/. PREFIX=~/.local needs no root;
##          DESTDIR stages it elsewhere. The binary needs nothing beside it (an appsettings.json there is optional).
install: publish-aot
	install -d "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(PREFIX)/share/nodehelper"
	install -m 0755 artifacts/nodehelper-aot/nodehelper "$(DESTDIR)$(PREFIX)/bin/nodehelper"
	cp -R prometheus alertmanager grafana "$(DESTDIR)$(PREFIX)/share/nodehelper/"
	install -m 0644 docs/runbook.md "$(DESTDIR)$(PREFIX)/share/nodehelper/runbook.md"
	install -m 0644 packaging/web-config.example.yml "$(DESTDIR)$(PREFIX)/share/nodehelper/web-config.example.yml"
	@echo "installed $(DESTDIR)$(PREFIX)/bin/nodehelper and the bundle in $(DESTDIR)$(PREFIX)/share/nodehelper/"

clean:
	rm -rf TestResults artifacts
	$(DOTNET) clean NodeHelper.sln -nologo -v q
