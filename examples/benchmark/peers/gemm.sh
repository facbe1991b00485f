#!/usr/bin/env bash
# gemm.sh: single-precision GEMM GFLOP/s at 256³ and 1024³, 1 and 2 threads:
# OpenBLAS (as the machine configures it, OPENBLAS_CORETYPE=Haswell, and with
# its own AVX-512 kernel) against convgraph's pure-Go GEMM (ops/internal/gemm,
# every kernel this CPU runs), through that package's own BenchmarkSgemm.
#
#	examples/benchmark/peers/gemm.sh
#
# Needs gcc and Debian's libopenblas-dev (apt-get install libopenblas-dev).
set -euo pipefail

root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
bin=$(mktemp -d)/sgemm_openblas
trap 'rm -rf "$(dirname "$bin")"' EXIT
gcc -O2 -o "$bin" examples/benchmark/peers/sgemm_openblas.c -lopenblas

echo "# OpenBLAS as configured (OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset})"
"$bin"
echo "# OpenBLAS, its own kernel choice"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$bin"
echo "# convgraph ops/internal/gemm (name: size/kernel/threads)"
go test -run XXX -bench 'Sgemm/(256|1024)/' -count "${COUNT:-3}" ./ops/internal/gemm/ |
	grep -E '^Benchmark|^ok|FAIL'
