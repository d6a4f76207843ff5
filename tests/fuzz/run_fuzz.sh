#!/bin/sh
# Runs one fuzz target over its seeds plus a fixed number of deterministic mutations (fixed
# seed, bounded executions). Any crash, sanitizer report, leak, hang (20 s) or allocation past
# 2 GB fails the run; the input is left in WORK/artifacts. Used by ctest (tests/fuzz). A run
# also ends after 600 s (ctest allows 900), saying so: threads make the mutations reached
# differ from run to run, and a slow machine that wanders into slow inputs must not time out.
#   run_fuzz.sh TARGET FAMILY GENERATED_SEEDS TESTDATA_DIR OWN_REGRESSIONS RUNS WORK
# A long campaign instead: TESSERA_FUZZ_SECONDS=1800 runs for that long from a random seed,
# keeping what it learns in WORK/corpus (README, "Fuzzing").
set -eu
target=$1 family=$2 generated=$3 testdata=$4 own=$5 runs=$6 work=$7

rm -rf "$work/seeds" "$work/artifacts"
[ -n "${TESSERA_FUZZ_SECONDS:-}" ] || rm -rf "$work/corpus"  # ctest runs start afresh
mkdir -p "$work/corpus" "$work/seeds" "$work/artifacts"
# Seeds: the generated files of this family, every regression input (each target ignores the
# other families' formats), and the external corpus files of the family's formats under 64 KB
# (longer inputs would be cut to -max_len).
cp "$generated/$family"/* "$work/seeds/"
[ -d "$own" ] && find "$own" -type f ! -name '*.md' -exec cp {} "$work/seeds/" \;
if [ -d "$testdata" ]; then
  find "$testdata/regressions" -type f ! -name '*.md' -exec cp {} "$work/seeds/" \;
  case $family in
    stb) external="$testdata/png" ;;
    exr) external="$testdata/exr" ;;
    tiff) external="$testdata/tiff" ;;
    *) external="" ;;
  esac
  if [ -n "$external" ]; then
    find "$external" -type f -size -64k -exec sh -c 'cp "$1" "$2/$(echo "$1" | tr / _)"' _ {} "$work/seeds" \;
  fi
elif [ "${CI:-}" = "true" ]; then
  echo "run_fuzz: external test images not found at $testdata; CI=true requires them" >&2
  exit 1
else
  echo "run_fuzz: external test images not found at $testdata: fuzzing from generated seeds only"
fi
echo "run_fuzz: $family: $(ls "$work/seeds" | wc -l) seed files, $runs executions"
if [ -n "${TESSERA_FUZZ_SECONDS:-}" ]; then
  limits="-max_total_time=$TESSERA_FUZZ_SECONDS"
else
  limits="-seed=1 -runs=$runs -max_total_time=600"
fi
status=0
"$target" $limits -max_len=65536 -timeout=20 -rss_limit_mb=2048 \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$work/corpus" "$work/seeds" \
  >"$work/log" 2>&1 || status=$?
cat "$work/log"
executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
if [ -z "${TESSERA_FUZZ_SECONDS:-}" ] && [ -n "$executed" ] && [ "$executed" -lt "$runs" ]; then
  echo "run_fuzz: $family: stopped at the time limit after $executed of $runs executions"
fi
exit $status
