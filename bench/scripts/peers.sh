#!/usr/bin/env bash
# Runs the peer benchmarks of issue 8 (panrec against ONNX Runtime, DJL-PyTorch, ND4J and Lucene), each
# peer set in one JMH run, and writes bench/results/<date>/peers.md with one PNG chart per table.
#
#   bench/scripts/peers.sh [quick]      (quick: one short iteration each, to see that everything runs)
#   bench/scripts/peers.sh check        (only the equality checks: ONNX Runtime runs every graph that
#                                        'panrec export' writes and must give panrec's scores and vectors;
#                                        about a minute after the build, no timing)
#
# The peers are bench-only dependencies resolved by Maven into the local repository (hundreds of MB of
# native libraries: never in git). The first build needs the network once: ./mvnw -Ppeers -pl bench -am compile
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"
export JAVA_HOME
# ONNX Runtime's start-up can overflow the main thread's stack with a long class path; the forks also
# get -Xss4m. OpenMP threads sleep instead of spinning while they wait (as panrec's oneDNN loader sets).
export ORT_DISABLE_TELEMETRY=1 OMP_WAIT_POLICY=PASSIVE

# the class path of the peers is resolved once (it needs the package phase, for the core test-jar that
# native-bindings' tests use); later runs only compile
if [[ ! -s bench/target/peers.deps ]]; then
  ./mvnw -B -ntp -o -q -Ppeers -pl bench -am package dependency:build-classpath -DskipTests -Dmdep.outputFile="$PWD/bench/target/peers.deps" >/dev/null
else
  ./mvnw -B -ntp -o -q -Ppeers -pl bench -am compile >/dev/null
fi
# run from a copy of the classes, so that a rebuild during the run cannot pull them away from the forks
run=bench/target/peers-run
rm -rf "$run" && mkdir -p "$run"
cp -r bench/target/classes "$run/bench"
for m in core models native-bindings; do cp -r "$m/target/classes" "$run/$m"; done
cp="$run/bench:$(sed -E "s#[^:]*/(core|models|native-bindings)/target/panrec-[a-z-]+-[0-9A-Za-z.-]+\.jar#$run/\1#g" bench/target/peers.deps)"

java=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m -Djmh.ignoreLock=true -cp "$cp")
if [[ "${1:-}" == check ]]; then
  exec "${java[@]}" io.panrec.bench.peers.OnnxChecks
fi

date=$(date -u +%Y-%m-%d)
out=bench/results/$date
mkdir -p "$out" "$run/json"
if [[ "${1:-}" == quick ]]; then
  jmh=(-wi 1 -w 1 -i 1 -r 1 -f 1)
  train=(-wi 0 -i 1 -f 1)
  rounds=3
else
  jmh=(-wi 4 -w 1 -i 4 -r 1 -f 3)
  train=(-wi 1 -i 2 -f 2)
  rounds=40
fi
# other JMH runs on this shared machine hold /tmp/jmh.lock (hence -Djmh.ignoreLock above); the load they
# add is recorded beside the numbers
peers=$("${java[@]}" io.panrec.bench.peers.Peers 2>/dev/null | paste -sd ';' | sed 's/;/; /g')
echo "peers: $peers"
load="before: $(uptime | sed 's/.*load average/load average/')"
for b in PeerSgemmBenchmark ScoringBenchmark DotBenchmark; do
  "${java[@]}" org.openjdk.jmh.Main "peers\\.$b" "${jmh[@]}" -rf json -rff "$run/json/$b.json" | tee "$run/json/$b.log" | grep -E "^(Benchmark|$b)"
  load="$load; after $b: $(uptime | sed 's/.*load average: //')"
done
"${java[@]}" org.openjdk.jmh.Main 'peers\.TrainingBenchmark' "${train[@]}" -rf json -rff "$run/json/TrainingBenchmark.json" \
  | tee "$run/json/TrainingBenchmark.log" | grep -E '^(Benchmark|TrainingBenchmark)'
load="$load; after TrainingBenchmark: $(uptime | sed 's/.*load average: //')"
# the scoring and native sgemm paths again in one JVM each, interleaved, so that a slow phase of the machine hits
# both sides of a ratio (OpenMP takes its thread count once per process: one JVM per sgemm thread count)
paired=()
for suite in "scoring 1" "sgemm 1" "sgemm 2"; do
  set -- $suite
  "${java[@]}" io.panrec.bench.peers.Paired --suite "$1" --threads "$2" --rounds "$rounds" --out "$run/paired-$1-$2.md" 2>/dev/null \
    | grep -E '^\| [0-9]|^- paired'
  paired+=(--paired "$run/paired-$1-$2.md")
done
load="$load; after Paired: $(uptime | sed 's/.*load average: //')"
"${java[@]}" io.panrec.bench.peers.PeerReport --out "$out" --load "$load" --peers "$peers" "${paired[@]}" "$run"/json/*.json >/dev/null
cp "$run"/json/*.json "$out/"
echo "wrote $out/peers.md"
