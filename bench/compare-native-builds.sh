#!/usr/bin/env bash
# Times medtl's training workloads against PyTorch with the native addon built two ways, alternating
# (-march=native without clones, then the portable x86-64-v2 build with AVX2 clones), and rebuilds
# the portable addon at the end. Usage: bench/compare-native-builds.sh [out-dir] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-tmp/native-builds}"
rounds="${2:-2}"
mkdir -p "$out"
for round in $(seq 1 "$rounds"); do
  for build in native portable; do
    if [ "$build" = native ]; then MEDTL_NATIVE_MARCH=native MEDTL_NATIVE_CLONES=0 npm run build:native > "$out/build-$build-$round.log" 2>&1
    else npm run build:native > "$out/build-$build-$round.log" 2>&1; fi
    npx tsx bench/speed.ts --json --reps 5 --only cnn_train,fusion_train > "$out/$build-$round.json" 2> "$out/$build-$round.err"
    echo "$build $round: $(uptime)"
  done
done
npm run build:native > "$out/build-final.log" 2>&1
