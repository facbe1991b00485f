#!/usr/bin/env bash
# gemm.sh: single-precision GEMM GFLOP/s, 1 and 2 threads, side by side:
# OpenBLAS (as the machine configures it, OPENBLAS_CORETYPE=Haswell, and with
# its own AVX-512 kernel) against convgraph's pure-Go GEMM (ops/internal/gemm,
# through that package's own BenchmarkSgemm), at 256³ and 1024³ (every kernel
# this CPU runs) and at the GEMMs ResNet-20's 3×3 convolutions issue per image
# or Winograd item (the avx512 and avx2 kernels; shapes named kind-m×n×k, see
# sgemm_openblas.c). It prints a Markdown table: the median of COUNT Go runs,
# OpenBLAS's median of 5 repeats, and the ratios of our best kernel to each
# OpenBLAS.
#
#	examples/benchmark/peers/gemm.sh
#	COUNT=5 examples/benchmark/peers/gemm.sh
#
# Environment: COUNT (3 Go runs of each benchmark), CONV_BENCHTIME (0.3s, per
# conv-shape benchmark run), RESULTS (where the raw lines go; a file in /tmp by
# default). Needs gcc and Debian's libopenblas-dev (apt-get install
# libopenblas-dev) and python3. Per-image GEMMs of fewer than 2^20
# multiply-adds (the rows and wgrad shapes: 786,432) stay on one goroutine in
# our GEMM (minParallelWork), so their t2 rates are t1's; OpenBLAS splits some.
set -euo pipefail

root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
COUNT=${COUNT:-3}
CONV_BENCHTIME=${CONV_BENCHTIME:-0.3s}
RESULTS=${RESULTS:-/tmp/convgraph-gemm-$(date -u +%Y%m%dT%H%M%SZ).txt}
bin=$(mktemp -d)/sgemm_openblas
trap 'rm -rf "$(dirname "$bin")"' EXIT
gcc -O2 -o "$bin" examples/benchmark/peers/sgemm_openblas.c -lopenblas
echo "results: $RESULTS" >&2

echo "# OpenBLAS as configured (OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset})" >&2
"$bin" | sed 's/^{/{"variant":"configured",/' >"$RESULTS"
echo "# OpenBLAS, its own kernel choice" >&2
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$bin" | sed 's/^{/{"variant":"own",/' >>"$RESULTS"
echo "# convgraph ops/internal/gemm" >&2
go test -run XXX -bench 'Sgemm/^(256|1024)$/' -count "$COUNT" ./ops/internal/gemm/ | grep -E '^Benchmark' >>"$RESULTS"
go test -run XXX -bench 'Sgemm/(rows|im2col|wgrad|xgrad|wino|winowgrad)-[0-9x]*/(avx512|avx2|dotnt)/' -benchtime "$CONV_BENCHTIME" \
	-count "$COUNT" ./ops/internal/gemm/ | grep -E '^Benchmark' >>"$RESULTS"

python3 - "$RESULTS" <<'PY'
import collections, json, re, statistics, sys

blas = {}  # (shape, threads) -> {variant: (kernel, gflops)}
ours = collections.defaultdict(list)  # (shape, kernel, threads) -> [gflops]
order, kernels = [], []
for line in open(sys.argv[1]):
    if line.startswith("{"):
        r = json.loads(line)
        key = (r["shape"], r["threads"])
        blas.setdefault(key, {})[r["variant"]] = (r["kernel"], r["gflops"])
        if key not in order:
            order.append(key)
        continue
    m = re.match(r"BenchmarkSgemm/([^/]+)/([^/]+)/t(\d+)\S*\s+\d+\s+\S+ ns/op\s+(\S+) GFLOP/s", line)
    if m:
        shape, kern, th, gf = m.group(1), m.group(2), int(m.group(3)), float(m.group(4))
        ours[(shape, kern, th)].append(gf)
        if kern not in kernels:
            kernels.append(kern)

def name(v):
    return next((k for b in blas.values() for var, (k, _) in b.items() if var == v), v)

avx2 = "avx2" in kernels  # like for like against OpenBLAS's Haswell kernel
print("GFLOP/s; ours: median of the Go runs; best = our fastest kernel; ratio = ours / OpenBLAS")
print("| shape | threads | OpenBLAS %s | OpenBLAS %s | %s | best/%s | best/%s |%s" % (
    name("configured"), name("own"), " | ".join("ours " + k for k in kernels), name("configured"), name("own"),
    " avx2/%s |" % name("configured") if avx2 else ""))
print("|---|---|---|---|" + "---|" * len(kernels) + "---|---|" + ("---|" if avx2 else ""))
nan = float("nan")
for key in order:
    shape, th = key
    conf, own = blas[key].get("configured", ("", nan))[1], blas[key].get("own", ("", nan))[1]
    med = [statistics.median(ours[(shape, k, th)]) if ours.get((shape, k, th)) else nan for k in kernels]
    best = max((v for v in med if v == v), default=nan)
    cells = " | ".join("%.1f" % v if v == v else "-" for v in med)
    row = "| %s | %d | %.1f | %.1f | %s | %.2f | %.2f |" % (shape, th, conf, own, cells, best / conf, best / own)
    if avx2:
        row += " %.2f |" % (med[kernels.index("avx2")] / conf)
    print(row)
PY
