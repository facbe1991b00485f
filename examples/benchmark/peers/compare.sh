#!/usr/bin/env bash
# compare.sh: convgraph against PyTorch CPU and gorgonia, side by side. For
# each round and each configuration (model × mode × threads) it runs, one after
# another, examples/benchmark, PyTorch as installed, PyTorch with glibc malloc
# told to keep freed memory (MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_, the
# stronger peer), and the same models built from gorgonia's own ops
# (examples/benchmark/gorgonia, the baseline), so that the machine's noise falls
# on all four alike. It then prints the median images/s of the rounds and the
# ratios convgraph / peer.
#
#	examples/benchmark/peers/compare.sh                                   # LeNet-5 and ResNet-20, 3 rounds
#	ROUNDS=5 MODELS="resnet20" MODES=train THREADS="1 2" examples/benchmark/peers/compare.sh
#	MODELS=alexnet ROUNDS=1 examples/benchmark/peers/compare.sh
#
# Environment: MODELS (lenet5-modern resnet20; alexnet too if you have the
# minutes), MODES (train infer), THREADS (1 2), ROUNDS (3), REPEATS (3, per
# run), STEPS and WARMUP (the models' defaults), PYTHON (/usr/bin/python3),
# RESULTS (where the JSON lines go; a file in /tmp by default); GORGONIA (1;
# 0 leaves gorgonia out), GORGONIA_STEPS (2) and GORGONIA_REPEATS (1): its
# timed steps and repeats, few because ResNet-20 training takes seconds a step
# there (its warm-up is WARMUP's).
set -euo pipefail

root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
MODELS=${MODELS:-"lenet5-modern resnet20"}
MODES=${MODES:-"train infer"}
THREADS=${THREADS:-"1 2"}
ROUNDS=${ROUNDS:-3}
REPEATS=${REPEATS:-3}
STEPS=${STEPS:-0}
WARMUP=${WARMUP:--1}
PYTHON=${PYTHON:-/usr/bin/python3}
RESULTS=${RESULTS:-/tmp/convgraph-peers-$(date -u +%Y%m%dT%H%M%SZ).jsonl}
GORGONIA=${GORGONIA:-1}
GORGONIA_STEPS=${GORGONIA_STEPS:-2}
GORGONIA_REPEATS=${GORGONIA_REPEATS:-1}

bin=$(mktemp -d)/benchmark
gbin=$(dirname "$bin")/gorgonia
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./examples/benchmark
if [ "$GORGONIA" != 0 ]; then
	go build -o "$gbin" ./examples/benchmark/gorgonia
fi
: >"$RESULTS"
echo "results: $RESULTS" >&2

for round in $(seq "$ROUNDS"); do
	for model in $MODELS; do
		for mode in $MODES; do
			for t in $THREADS; do
				echo "round $round: $model $mode, $t thread(s)" >&2
				"$bin" -json -model "$model" -mode "$mode" -threads "$t" \
					-repeats "$REPEATS" -steps "$STEPS" -warmup "$WARMUP" |
					sed 's/^{/{"variant":"convgraph",/' >>"$RESULTS"
				"$PYTHON" examples/benchmark/peers/pytorch_bench.py --json --model "$model" --mode "$mode" --threads "$t" \
					--repeats "$REPEATS" --steps "$STEPS" --warmup "$WARMUP" |
					sed 's/^{/{"variant":"pytorch",/' >>"$RESULTS"
				MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=68719476736 \
					"$PYTHON" examples/benchmark/peers/pytorch_bench.py --json --model "$model" --mode "$mode" --threads "$t" \
					--repeats "$REPEATS" --steps "$STEPS" --warmup "$WARMUP" |
					sed 's/^{/{"variant":"pytorch-malloc",/' >>"$RESULTS"
				# The gorgonia peer has LeNet-5 and ResNet-20 only.
				if [ "$GORGONIA" != 0 ] && [[ $model == lenet5-modern || $model == resnet20 ]]; then
					"$gbin" -json -model "$model" -mode "$mode" -threads "$t" \
						-repeats "$GORGONIA_REPEATS" -steps "$GORGONIA_STEPS" -warmup "$WARMUP" |
						sed 's/^{/{"variant":"gorgonia",/' >>"$RESULTS"
				fi
			done
		done
	done
done

"$PYTHON" - "$RESULTS" <<'EOF'
import collections, json, statistics, sys

runs = collections.defaultdict(list)
order = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    key = (r["model"], r["mode"], r["threads"], r["batch"])
    if key not in order:
        order.append(key)
    runs[key + (r["variant"],)].append(r["images_per_sec"])

def med(key, variant):
    v = runs.get(key + (variant,))
    return statistics.median(v) if v else float("nan")

gorgonia = any(k[-1] == "gorgonia" for k in runs)
print("images/s, median of %d round(s); ratio = convgraph / peer" % max(len(v) for v in runs.values()))
print("| model | mode | threads | batch | convgraph | PyTorch | ratio | PyTorch, malloc keeps memory | ratio |"
      + (" gorgonia | ratio |" if gorgonia else ""))
print("|---|---|---|---|---|---|---|---|---|" + ("---|---|" if gorgonia else ""))
for key in order:
    ours, pt, ptm = med(key, "convgraph"), med(key, "pytorch"), med(key, "pytorch-malloc")
    row = "| %s | %s | %d | %d | %.1f | %.1f | %.2f | %.1f | %.2f |" % (key + (ours, pt, ours / pt, ptm, ours / ptm))
    if gorgonia:
        g = med(key, "gorgonia")
        row += " %.1f | %.2f |" % (g, ours / g)
    print(row)
EOF
