#!/usr/bin/env bash
# nicflow set-up: installs every build/test dependency from Debian's packages and
# extracts the DPDK driver-SDK headers that Debian's libdpdk-dev does not ship
# (ethdev_driver.h, ethdev_vdev.h, bus_vdev_driver.h, dev_driver.h,
# bus_driver.h) from Debian's source package of the *installed* DPDK version.
#
# The deb-src entries are derived from the machine's own apt sources, so no
# mirror host name is written in this repository. No DPDK code is committed:
# the headers land in build-deps/dpdk-sdk/ (git-ignored).
#
# Usage: scripts/setup.sh            (idempotent; safe to re-run)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
sdk="$top/build-deps/dpdk-sdk"
export DEBIAN_FRONTEND=noninteractive

pkgs=(build-essential meson ninja-build pkg-config python3-pyelftools
      dpdk dpdk-dev libdpdk-dev libbsd-dev libpcap-dev libnuma-dev
      libjansson-dev clang libclang-rt-14-dev clang-format dpkg-dev xz-utils
      iproute2 iputils-ping ethtool python3-scapy tshark
      openvswitch-switch-dpdk python3-matplotlib)  # bench/compare, report

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	apt-get update -qq
	echo 'wireshark-common wireshark-common/install-setuid boolean false' |
		debconf-set-selections
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

need=(ethdev_driver.h ethdev_vdev.h bus_vdev_driver.h dev_driver.h bus_driver.h)
have_all=1
for h in "${need[@]}"; do [ -f "$sdk/$h" ] || have_all=0; done
ver=$(dpkg-query -W -f='${Version}' libdpdk-dev)
if [ $have_all = 1 ] && [ "$(cat "$sdk/VERSION" 2>/dev/null)" = "$ver" ]; then
	echo "setup: DPDK SDK headers for $ver present"
	exit 0
fi

# deb-src lines: copy every deb822 "Types: deb" stanza (and one-line "deb "
# entries) of this machine as deb-src, in a file of our own.
srcfile=/etc/apt/sources.list.d/nicflow-dpdk-src.sources
if ! grep -rqs '^Types:.*deb-src\|^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	{
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] && [ "$f" != "$srcfile" ] || continue
			sed -e 's/^Types:.*/Types: deb-src/' "$f"
			echo
		done
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] || continue
			sed -n 's/^deb \(.*\)/\1/p' "$f" | while read -r rest; do
				uris=${rest%% *}; rest=${rest#* }
				echo "Types: deb-src"; echo "URIs: ${uris}"
				echo "Suites: ${rest%% *}"; echo "Components: ${rest#* }"; echo
			done
		done
	} >"$srcfile.tmp"
	mv "$srcfile.tmp" "$srcfile"
	apt-get update -qq
fi

work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get source -qq --download-only "dpdk=$ver" >/dev/null)
tarball=$(ls "$work"/dpdk_*.orig.tar.* | head -n1)
mkdir -p "$sdk"
members=()
for h in "${need[@]}"; do
	m=$(tar -tf "$tarball" | grep -E "/(lib|drivers)/.*/$h\$" | head -n1)
	[ -n "$m" ] || { echo "setup: $h not found in $tarball" >&2; exit 1; }
	members+=("$m")
done
tar -xf "$tarball" -C "$work" "${members[@]}"
for m in "${members[@]}"; do cp "$work/$m" "$sdk/"; done
echo "$ver" >"$sdk/VERSION"
echo "setup: DPDK SDK headers for $ver in $sdk"
