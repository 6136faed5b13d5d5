#!/usr/bin/env bash
# Behaviour models on MovieLens 100K, leave-one-out by time, each test item ranked against 99 sampled
# negatives (the NCF/SASRec protocol): HR@10, NDCG@10, training samples/s and the backend, for
# YouTube-DNN (mean, max and Lp pooling), DIN and the two-tower model, with BPRMF and Pop as anchors.
# Every run is `panrec evaluate --model NAME` (train on the split, early stopping on the validation item,
# measure on the test item); the JSON of each lands in OUT.
#
#   bench/scripts/behaviour.sh [ML100K_DIR] [OUT_DIR] [PARALLEL]
#
# PARALLEL (default 1) runs that many models at once. EPOCHS_SCALE=0.5 halves every epoch cap below;
# ONLY="DIN TwoTower" runs just those labels (the table still lists every result found in OUT).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="${1:-/work/shared/data/ml-100k}"
out="${2:-$root/bench/results/behaviour}"
parallel="${3:-1}"
scale="${EPOCHS_SCALE:-1}"
mkdir -p "$out"
cd "$root"
# PANREC: the launcher (default ./panrec, built first); any command taking panrec's arguments will do
panrec="${PANREC:-./panrec}"
[ -n "${PANREC:-}" ] || ./panrec build >/dev/null

# label | model | settings (epochs are caps; early stopping with patience 3 on validation NDCG@10)
runs=(
  "Pop|Pop|"
  "BPRMF|BPRMF|epochs=40"
  "YouTubeDNN-mean|YouTubeDNN|pooling=mean epochs=6"
  "YouTubeDNN-max|YouTubeDNN|pooling=max epochs=4"
  "YouTubeDNN-lp3|YouTubeDNN|pooling=lp lpNorm=3 epochs=4"
  "DIN|DIN|negatives=2 historyLength=10 embeddingSize=8 attentionSize=16 layers=64,32 learningRate=0.005 epochs=2"
  "TwoTower|TwoTower|epochs=6"
)

run_one() {
  local label="$1" model="$2" sets="$3" args=() kv epochs
  for kv in $sets; do
    if [[ "$kv" == epochs=* ]]; then
      epochs=$(python3 -c "import sys; print(max(1, round(${kv#epochs=} * $scale)))")
      kv="epochs=$epochs"
    fi
    args+=(--set "$kv")
  done
  echo "== $label: ./panrec evaluate --model $model --data ml-100k:$data --protocol sampled --negatives 99 -k 10 ${args[*]}"
  $panrec evaluate --model "$model" --data "ml-100k:$data" --protocol sampled --negatives 99 -k 10 "${args[@]}" \
    --json "$out/$label.json" > "$out/$label.log" 2>&1 || { echo "$label failed, see $out/$label.log"; return 1; }
  tail -n 3 "$out/$label.log"
}

pids=()
for r in "${runs[@]}"; do
  IFS='|' read -r label model sets <<<"$r"
  if [ -n "${ONLY:-}" ] && [[ " $ONLY " != *" $label "* ]]; then continue; fi
  run_one "$label" "$model" "$sets" &
  pids+=($!)
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do sleep 5; done
done
wait

echo
echo "uptime at the end: $(uptime)"
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
order = ["Pop", "BPRMF", "YouTubeDNN-mean", "YouTubeDNN-max", "YouTubeDNN-lp3", "DIN", "TwoTower"]
print("| model | HR@10 | NDCG@10 | epochs | train s | samples/s | backend |")  # test item vs 99 negatives
print("|---|---|---|---|---|---|---|")
for label in order:
    f = os.path.join(out, label + ".json")
    if not os.path.exists(f):
        print(f"| {label} | (no result) | | | | | |")
        continue
    j = json.load(open(f))
    m = j.get("metrics", {})
    if isinstance(m, list):
        m = m[0]
    hr = m.get("HR@10", float("nan")); nd = m.get("NDCG@10", float("nan"))
    tr = (j.get("runs") or [{}])[0].get("training", {})
    print(f"| {label} | {hr:.4f} | {nd:.4f} | {tr.get('epochs', '')} | {j.get('train_seconds', '')} | {j.get('samples_per_second', '')} | {j.get('backend', '')} |")
PY
