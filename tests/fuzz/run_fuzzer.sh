#!/usr/bin/env bash
# Runs one libFuzzer target over seeds made from the project's own files
# and over its regression inputs (tests/fuzz/regressions/NAME: every crash
# found becomes one), then for a budget: runs=N mutations (seeded, so that
# a failure reproduces; what `make test` runs) or seconds=S (`make fuzz`).
#
#   run_fuzzer.sh FUZZER NAME SOURCE_ROOT BUILD_DIR runs=N|seconds=S
set -euo pipefail
fuzzer=$1 name=$2 src=$3 build=$4 budget=$5
seeds=$build/fuzz/seeds/$name
corpus=$build/fuzz/corpus/$name
regressions=$src/tests/fuzz/regressions/$name
rm -rf "$seeds"
mkdir -p "$seeds" "$corpus"
python=/usr/bin/python3
timeout=10
module=$build/tests/unit/capi_logistic.kmod

case $name in
kiln-fuzzer)
  cp "$src"/models/*.kiln "$src"/tests/lit/Frontend/errors/*.kiln "$seeds"/ ;;
kilnc-fuzzer)
  # A model through every pass takes about a second under the sanitizers:
  # the seeds are small, the zoo's linear models and models of the
  # generality suite's generator (every op family), 40 for a timed run,
  # 12 for a short one.
  timeout=60
  generated=40
  [[ $budget == runs=* ]] && generated=12
  cp "$src"/models/{linear_regression,logistic_regression,linear_svm,mlp}.kiln "$seeds"/
  "$python" "$src"/tests/conformance/random_models.py --first 1 \
    --count $generated --max-ops 4 --write-sources "$seeds" ;;
kmod-fuzzer)
  cp "$module" "$seeds"/ ;;
checkpoint-fuzzer)
  "$python" -c "import numpy as np; np.save('$seeds/x.npy', np.ones((2, 4), np.float32)); np.save('$seeds/y.npy', np.array([0, 2], np.int32))"
  "$build"/bin/kiln-run infer "$module" --entry step --input x="$seeds"/x.npy \
    --input label="$seeds"/y.npy --save-checkpoint "$seeds"/step.ckpt > /dev/null
  rm "$seeds"/x.npy "$seeds"/y.npy ;;
npy-fuzzer)
  "$python" - "$seeds" <<'PY'
import sys, numpy as np
out = sys.argv[1]
np.save(f"{out}/f32.npy", np.arange(12, dtype=np.float32).reshape(3, 4))
np.save(f"{out}/i64.npy", np.arange(5, dtype=np.int64))
np.save(f"{out}/u8.npy", np.arange(24, dtype=np.uint8).reshape(2, 3, 4))
np.save(f"{out}/f64-fortran.npy", np.asfortranarray(np.ones((2, 3))))
np.save(f"{out}/scalar.npy", np.float32(1.5))
np.save(f"{out}/big-endian.npy", np.arange(4, dtype='>i4'))
PY
  ;;
csv-fuzzer)
  cp "$src"/tests/fuzz/seeds/csv/*.csv "$seeds"/ ;;
idx-fuzzer)
  # Four bytes give the images file's length; the labels file follows.
  "$python" - "$seeds" <<'PY'
import gzip, struct, sys
out = sys.argv[1]
images = struct.pack(">IIII", 0x803, 2, 3, 3) + bytes(range(18))
labels = struct.pack(">II", 0x801, 2) + bytes([1, 7])
for name, a, b in [("plain", images, labels),
                   ("gzip", gzip.compress(images), gzip.compress(labels))]:
    open(f"{out}/{name}.idx", "wb").write(struct.pack("<I", len(a)) + a + b)
PY
  ;;
*) echo "run_fuzzer.sh: unknown fuzzer $name" >&2; exit 2 ;;
esac

if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
  echo "== $name: regression inputs"
  "$fuzzer" "$regressions"/*
fi
case $budget in
runs=*) limit=(-runs="${budget#runs=}" -seed=1) ;;
seconds=*) limit=(-max_total_time="${budget#seconds=}") ;;
*) echo "run_fuzzer.sh: budget is runs=N or seconds=S" >&2; exit 2 ;;
esac
echo "== $name: ${budget/=/ }"
"$fuzzer" "${limit[@]}" -print_final_stats=1 -timeout=$timeout -rss_limit_mb=4096 \
  -artifact_prefix="$build/fuzz/$name-" "$corpus" "$seeds"
echo "== $name: corpus $(ls "$corpus" | wc -l) inputs"
