#!/usr/bin/env bash
# Reranking latency of issue 7 without JMH: `panrec bench rerank` (NeuMF and DeepFM, 100 and 1000 first-pass
# hits, one thread per call) with f32 products on every CPU backend, then on oneDNN with bf16 products
# (-Dpanrec.onednn.inferenceMath=bf16). Records go to bench/results/<date>/rerank-{f32,bf16}.json; the load
# average is printed before and after, since these are absolute latencies.
#
#   bench/scripts/rerank.sh [more options of panrec bench rerank, e.g. --millis 3000]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=bench/results/$(date -u +%Y-%m-%d)
mkdir -p "$out"
echo "load before: $(uptime)"
./panrec bench rerank --json "$out/rerank-f32.json" "$@"
echo "load between: $(uptime)"
PANREC_JAVA_OPTS="${PANREC_JAVA_OPTS:-} -Dpanrec.onednn.inferenceMath=bf16" \
  ./panrec bench rerank --backends onednn --json "$out/rerank-bf16.json" "$@"
echo "load after: $(uptime)"
