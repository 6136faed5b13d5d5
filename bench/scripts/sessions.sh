#!/usr/bin/env bash
# Session-based next-item benchmark (issue 6): GRU4Rec and SASRec against Pop and last-item ItemKNN on the
# DIGINETICA sample, Recall@20 / MRR@20 over all items; then SASRec leave-one-out (HR@10, NDCG@10 against
# 100 sampled negatives and against all items) on MovieLens 100K. Results: bench/results/sessions.md.
#   bench/scripts/sessions.sh [DATA_ROOT]      (default: ../shared/data beside the checkout)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="${1:-$root/../shared/data}"
cd "$root"
[ -d "$data/sessions" ] || { echo "no $data/sessions: pass the folder holding sessions/ and ml-100k/" >&2; exit 2; }
echo "# $(date -u +%FT%TZ) load: $(uptime | sed 's/.*load average/load average/')"
./panrec bench sessions --data "diginetica:$data/sessions/diginetica_sample_train-item-views.csv"
./panrec bench sessions --data "diginetica:$data/sessions/diginetica_sample_train-item-views.csv" --models GRU4Rec \
    --set GRU4Rec.loss=top1 --set GRU4Rec.sampledNegatives=0
./panrec bench sessions --data "diginetica:$data/sessions/diginetica_sample_train-item-views.csv" --models Pop \
    --loo-data "ml-100k:$data/ml-100k" --set SASRec.epochs=30
echo "# $(date -u +%FT%TZ) load: $(uptime | sed 's/.*load average/load average/')"
