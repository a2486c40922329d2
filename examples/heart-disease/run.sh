#!/usr/bin/env bash
# Leave-one-site-out transfer on the UCI heart-disease data (4 hospitals): ingest the manifest into
# the workspace catalog, then one `medtl run` per held-out target site. See README.md.
#
#   examples/heart-disease/run.sh                        # data in ../shared/data/uci-heart-disease
#   HEART_DISEASE_DATA=/path/to/uci-heart-disease examples/heart-disease/run.sh
#   WORKSPACE=/tmp/hd MEDTL="npx tsx src/cli/main.ts" examples/heart-disease/run.sh
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
workspace="${WORKSPACE:-$repo/medtl-workspace/heart-disease}"
read -r -a medtl <<< "${MEDTL:-node $repo/bin/medtl.js}"
targets=(${TARGETS:-cleveland hungarian switzerland va})
mkdir -p "$workspace"

"${medtl[@]}" ingest examples/heart-disease/manifest.yaml --workspace "$workspace" --report

for target in "${targets[@]}"; do
  exp="$workspace/experiment-$target.yaml"
  sed "s/^target: .*/target: $target/" examples/heart-disease/experiment.yaml > "$exp"
  echo
  echo "=== held-out target: $target ==="
  "${medtl[@]}" run "$exp" --workspace "$workspace" --quiet
done
