#!/usr/bin/env bash
# Cold-start cost of decrypting a 100 MiB model: every run is a fresh JVM whose first work is the decryption
# (org.sesemi.bench.crypto.ColdDecrypt). Configurations are interleaved round by round, so that load from other
# processes on this machine hits all of them alike; "added" compares each run with the baseline run of the same
# round (same JVM start, key parse and file read, no decryption).
#
#   bench/cold-decrypt.sh [ROUNDS] [CONFIG_REGEX]      (defaults: 10 rounds, all configurations)
#
# Writes bench-results/cold-decrypt.jsonl (one line per run) and bench-results/cold-decrypt.json (medians).
# Needs bench/target/benchmarks.jar (built if missing: ./mvnw -B -q -pl bench -am package -DskipTests).
# COLD_CP=... overrides the class path (must name jar files only, the AOT cache refuses directories).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-10}
ONLY=${2:-.}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
OUT=bench-results
WORK=${COLD_WORK:-$OUT/cold-decrypt-data}
mkdir -p "$OUT" "$WORK"

if [[ -z "${COLD_CP:-}" ]]; then
  if [[ ! -f bench/target/benchmarks.jar ]]; then
    ./mvnw -B -q -pl bench -am package -DskipTests
  fi
  COLD_CP=bench/target/benchmarks.jar
fi
MAIN=org.sesemi.bench.crypto.ColdDecrypt
BASE=("$JAVA" --enable-native-access=ALL-UNNAMED -cp "$COLD_CP")

# Every variant measured below must decrypt (and fail) exactly like the reference; check before measuring.
"${BASE[@]}" org.sesemi.bench.crypto.DecryptEquivalence >&2

if [[ ! -f "$WORK/model.sha256" ]]; then
  "${BASE[@]}" "$MAIN" prepare "$WORK" --size-mb 100 --segments 65536,262144,1048576,4194304
fi
SHA=$(cat "$WORK/model.sha256")
KEY="$WORK/model.key"
M256="$WORK/model-262144.sesemi"

# name | extra JVM flags | ColdDecrypt arguments
CONFIGS=(
  "baseline||run $M256 $KEY --baseline"
  "baseline-aot|AOT:jdk|run $M256 $KEY --baseline"
  "baseline-iowait300||run $M256 $KEY --baseline --io-wait-ms 300"
  "jdk-staged-iowait300||run $M256 $KEY --provider jdk --io-wait-ms 300"
  "native-async-iowait300||run $M256 $KEY --provider native --io-wait-ms 300"
  "jdk-unstaged|-Dsesemi.crypto.jdkColdBytes=0|run $M256 $KEY --provider jdk"
  "jdk-staged||run $M256 $KEY --provider jdk"
  "jdk-staged-mmap-2threads||run $M256 $KEY --provider jdk --input mmap --threads 2"
  "jdk-staged-aot|AOT:jdk|run $M256 $KEY --provider jdk"
  "native-sync||run $M256 $KEY --provider native-sync"
  "native-async||run $M256 $KEY --provider native"
  "native-async-direct||run $M256 $KEY --provider native --buffer direct"
  "native-async-aot|AOT:native|run $M256 $KEY --provider native"
  "native-async-mmap-2threads||run $M256 $KEY --provider native --input mmap --threads 2"
  "native-async-seg64k||run $WORK/model-65536.sesemi $KEY --provider native"
  "native-async-seg1m||run $WORK/model-1048576.sesemi $KEY --provider native"
  "native-async-seg4m||run $WORK/model-4194304.sesemi $KEY --provider native"
  "jdk-staged-seg64k||run $WORK/model-65536.sesemi $KEY --provider jdk"
  "jdk-staged-seg1m||run $WORK/model-1048576.sesemi $KEY --provider jdk"
)

# JDK 25 AOT cache (JEP 483/514/515): one training run per provider writes the cache; runs then load it.
aot_flags() {
  local which=$1 cache="$WORK/aot-$1.aot"
  if [[ ! -f "$cache" || "$cache" -ot "${COLD_CP%%:*}" ]]; then  # a cache is only valid for the jar it was made from
    local prov=jdk; [[ $which == native ]] && prov=native
    "${BASE[@]}" -XX:AOTCacheOutput="$cache" "$MAIN" run "$M256" "$KEY" --provider "$prov" >"$cache.log" 2>&1 ||
      { echo "AOT training run failed, see $cache.log" >&2; cat "$cache.log" >&2; exit 1; }
  fi
  echo "-XX:AOTCache=$cache -XX:AOTMode=on"
}

RAW="$OUT/cold-decrypt.jsonl"
: >"$RAW"
echo "{\"host\":\"$(nproc) cores\",\"loadBefore\":\"$(cut -d' ' -f1-3 /proc/loadavg)\",\"java\":\"$("$JAVA" -version 2>&1 | head -1 | tr -d '"')\"}" >"$OUT/cold-decrypt.meta"

# One verifying run per configuration first (the decrypted bytes must hash to the prepared model's SHA-256).
for c in "${CONFIGS[@]}"; do
  IFS='|' read -r name flags args <<<"$c"
  [[ $name =~ $ONLY ]] || continue
  [[ $name == baseline* ]] && continue
  [[ $flags == AOT:* ]] && flags=$(aot_flags "${flags#AOT:}")
  # shellcheck disable=SC2086
  "${BASE[@]}" $flags "$MAIN" $args --verify "$SHA" >/dev/null
done

for ((r = 1; r <= ROUNDS; r++)); do
  for c in "${CONFIGS[@]}"; do
    IFS='|' read -r name flags args <<<"$c"
    [[ $name =~ $ONLY || $name == baseline* ]] || continue
    [[ $flags == AOT:* ]] && flags=$(aot_flags "${flags#AOT:}")
    sync
    t0=$(date +%s%N)
    # shellcheck disable=SC2086
    line=$("${BASE[@]}" $flags "$MAIN" $args 2>/dev/null)
    t1=$(date +%s%N)
    echo "{\"config\":\"$name\",\"round\":$r,\"wallMs\":$(( (t1 - t0) / 1000000 )),\"run\":$line}" >>"$RAW"
  done
  echo "round $r/$ROUNDS done" >&2
done
echo "{\"loadAfter\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}" >>"$OUT/cold-decrypt.meta"

python3 - "$RAW" "$OUT/cold-decrypt.meta" >"$OUT/cold-decrypt.json" <<'EOF'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
meta = [json.loads(l) for l in open(sys.argv[2])]
base = {r["round"]: r for r in runs if r["config"] == "baseline"}
base_aot = {r["round"]: r for r in runs if r["config"] == "baseline-aot"}
out = {"meta": meta, "note": "ms; median/min/max over rounds; added* = this run minus the same round's baseline run (wall time, main() to decrypted, process CPU time)", "configs": {}}
for name in dict.fromkeys(r["config"] for r in runs):
    rs = [r for r in runs if r["config"] == name]
    def stat(vals):
        return {"median": round(statistics.median(vals), 1), "min": round(min(vals), 1), "max": round(max(vals), 1)}
    s = {"n": len(rs), "wallMs": stat([r["wallMs"] for r in rs]),
         "decryptMs": stat([r["run"]["decryptMs"] for r in rs]),
         "mainToDoneMs": stat([r["run"]["mainToDoneMs"] for r in rs]),
         "providerWaitMs": stat([r["run"]["providerWaitMs"] for r in rs]),
         "nativeReadyAtDecryptStart": sum(1 for r in rs if r["run"]["nativeReadyAtDecryptStart"]),
         "providerAtEnd": rs[-1]["run"]["providerAtEnd"]}
    s["cpuMs"] = stat([r["run"]["cpuMs"] for r in rs])
    if not name.startswith("baseline"):
        # AOT configurations are compared with the baseline that uses the same AOT cache: the cache speeds up all
        # start-up work, and only what decryption adds is of interest here.
        b = base_aot if name.endswith("-aot") and base_aot else base
        if name.endswith("-iowait300"):
            b = {r["round"]: r for r in runs if r["config"] == "baseline-iowait300"}
        s["baseline"] = next(iter(b.values()))["config"] if b else "none"
        s["addedMs"] = stat([r["wallMs"] - b[r["round"]]["wallMs"] for r in rs if r["round"] in b])
        s["addedMainToDoneMs"] = stat([r["run"]["mainToDoneMs"] - b[r["round"]]["run"]["mainToDoneMs"] for r in rs if r["round"] in b])
        s["addedCpuMs"] = stat([r["run"]["cpuMs"] - b[r["round"]]["run"]["cpuMs"] for r in rs if r["round"] in b])
    out["configs"][name] = s
json.dump(out, sys.stdout, indent=1)
print()
for name, s in out["configs"].items():
    print(f'{name:28s} wall {s["wallMs"]["median"]:6.0f}  decrypt {s["decryptMs"]["median"]:6.0f}  '
          f'added: wall {s.get("addedMs", {}).get("median", 0):6.0f} main-to-done {s.get("addedMainToDoneMs", {}).get("median", 0):6.0f} '
          f'cpu {s.get("addedCpuMs", {}).get("median", 0):6.0f} ms  native-ready {s["nativeReadyAtDecryptStart"]}/{s["n"]}', file=sys.stderr)
EOF
echo "wrote $OUT/cold-decrypt.json" >&2
