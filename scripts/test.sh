#!/usr/bin/env bash
# nicflow test suite: what CI runs (.ci/run) and what a developer types.
#   1. scripts/setup.sh (dependencies, DPDK driver-SDK headers; idempotent)
#   2. build-asan/: ASan+UBSan build; unit tests and the PMD conformance
#      suite run there
#   3. build/: release build; the testpmd scripts load its librte_net_snic.so
#      into Debian's dpdk-testpmd (an ASan .so cannot load into testpmd)
# Ends with one line "N passed, N failed" over all test programs.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash scripts/setup.sh

jobs=$(nproc)
if [ ! -f build-asan/build.ninja ]; then
	meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debug >/dev/null
fi
if [ ! -f build/build.ninja ]; then
	meson setup build -Dbuildtype=release >/dev/null
fi
for d in build-asan build; do
	ninja -C "$d" -j"$jobs" >"$d/ninja.log" 2>&1 ||
		{ cat "$d/ninja.log"; exit 1; }
done

export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
rc=0
meson test -C build-asan --no-rebuild --print-errorlogs \
	--suite unit --suite conformance --suite tools --suite bond || rc=1
meson test -C build --no-rebuild --print-errorlogs --suite testpmd || rc=1
# Benchmark harness smoke test (bench/compare --quick, < 3 min): checks that
# testpmd io, OVS-DPDK and net_snic all forward; asserts nothing about speed.
# A separate run, so no other DPDK test of ours runs beside it; its own
# log base, so the testpmd suite's testlog.json stays for the summary.
meson test -C build --no-rebuild --print-errorlogs --suite bench-smoke \
	--logbase testlog-bench || rc=1

# One closing line over all runs.
python3 - "$top" <<'PY'
import json, sys, os
passed = failed = skipped = 0
for d, base in (("build-asan", "testlog"), ("build", "testlog"),
                ("build", "testlog-bench")):
    log = os.path.join(sys.argv[1], d, "meson-logs", base + ".json")
    if not os.path.exists(log):
        continue
    for line in open(log):
        r = json.loads(line)
        if r.get("result") == "OK":
            passed += 1
        elif r.get("result") == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $rc
