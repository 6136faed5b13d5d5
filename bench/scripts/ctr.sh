#!/usr/bin/env bash
# CTR benchmark (not a test): FM and DeepFM (LR as the baseline) on the Criteo samples and on MovieLens 100K
# as CTR, each trained by 'panrec evaluate --model NAME' (random 80/10/10 split of the rows, seed 1, early
# stopping on validation AUC, patience 3) and measured by AUC and LogLoss on the test rows, with training
# samples/s and the backend. Writes one JSON per run and prints a markdown table.
#
#   bench/scripts/ctr.sh [DATA_DIR] [OUT_DIR]      (defaults: ../shared/data, bench/results/ctr)
#
# The Criteo samples hold 1000 and 200 rows: their AUCs are a smoke check that the pipeline learns,
# nothing comparable with published full-data numbers (DeepFM on Criteo_x1: AUC 0.8137, BARS).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="${1:-$root/../shared/data}"
out="${2:-$root/bench/results/ctr}"
mkdir -p "$out"
cd "$root"

# small samples: batches of 64 so that an epoch has more than one step
small=(--set batchSize=64 --set epochs=30)
runs=(
  "criteo-tsv|criteo:$data/criteo-sample/criteo_train_head1000.txt|${small[*]}"
  "criteo-csv|criteo-csv:$data/criteo-sample/criteo_sample.txt|${small[*]}"
  "ml-100k-ctr|ml-100k-ctr:$data/ml-100k|"
)
for run in "${runs[@]}"; do
  IFS='|' read -r name spec extra <<<"$run"
  for model in LR FM DeepFM; do
    # shellcheck disable=SC2086
    ./panrec evaluate --model "$model" --data "$spec" $extra --json "$out/$name-$model.json" >/dev/null 2>"$out/$name-$model.log"
  done
done

python3 - "$out" <<'PY'
import json, sys, glob, os
rows = []
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    j = json.load(open(f))
    run = os.path.basename(f)[: -len("-" + j["model"] + ".json")]  # the run's name: criteo-tsv, criteo-csv, ml-100k-ctr
    rows.append((run, j["model"], j["rows"]["train"], j["rows"]["test"], j["metrics"]["AUC"], j["metrics"]["LogLoss"],
                 j["training"]["epochs"], j["training"]["best_epoch"], j["samples_per_second"], j["backend"]))
print("| data | model | train rows | test rows | test AUC | test LogLoss | epochs (best) | train samples/s | backend |")
print("|---|---|---|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]:.4f} | {r[5]:.4f} | {r[6]} ({r[7]}) | {r[8]:.0f} | {r[9]} |")
PY
