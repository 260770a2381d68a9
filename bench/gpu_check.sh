#!/usr/bin/env bash
# GPU check of the profiler, in ONE call on a machine with a CUDA GPU (see bench/README.md).
#
#   bash bench/gpu_check.sh            # from the repository root; results go to $OUT
#
# Installs nothing: it needs a Python with a CUDA build of torch, transformers and safetensors
# (pytest too, for the test step). It picks $PYTHON, else .venv/bin/python, else python3 — the
# first whose torch sees CUDA. Steps, each with its own timeout, all inside GPU_CHECK_BUDGET_S:
#
#   1. env.json       torch / CUDA / GPU / library versions (stops here without CUDA)
#   2. a Llama-3.1-8B-shaped config.json written from catalog/demo/meta-llama--Llama-3.1-8B.json
#   3. bench_eager.json      python -m profiler.bench ... --device cuda --dtype bfloat16 --batch 1
#                            --prompt-len 128 --new-tokens 128 (synthetic weights, no download)
#   4. pytest_gpu.log/.xml   pytest -m gpu tests/test_profiler_gpu.py (compiled decode, asserts
#                            params, memory vs estimate, roofline fraction >= 0.6)
#   5. bench_compile.json    the same bench with --compile
#   6. summary.json          the headline numbers of every step, and each step's exit status
#
# Exit status: 0 when every step passed and the GPU test really ran, 1 otherwise, 2 without CUDA.
# On a session's device machine: run it with timeout_s of about 600 (the default budget,
# GPU_CHECK_BUDGET_S=540, leaves room to copy $OUT back).
#
# Every figure in summary.json comes from these runs; nothing is filled in by hand.
set -u -o pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
OUT="${OUT:-${TMPDIR:-/tmp}/mechanic-gpu-check-out}"
mkdir -p "$OUT"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/mechanic-gpu-check.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
BUDGET_S="${GPU_CHECK_BUDGET_S:-540}"
ITERS="${GPU_CHECK_ITERS:-5}"
WARMUP="${GPU_CHECK_WARMUP:-2}"
LOG="$OUT/gpu_check.log"
: >"$LOG"
exec 3>&1
log() { echo "[gpu_check $(date +%H:%M:%S) +${SECONDS}s] $*" | tee -a "$LOG" >&3; }

# -- 1. a Python whose torch sees the GPU ------------------------------------------------------
PY=""
for candidate in "${PYTHON:-}" "$REPO_ROOT/.venv/bin/python" python3 python; do
  [ -n "$candidate" ] || continue
  command -v "$candidate" >/dev/null 2>&1 || [ -x "$candidate" ] || continue
  if "$candidate" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" \
      >>"$LOG" 2>&1; then
    PY="$candidate"
    break
  fi
done
if [ -z "$PY" ]; then
  PY="${PYTHON:-python3}"
  log "no Python here has a torch that sees CUDA; writing env.json and stopping"
fi
log "python: $PY"
"$PY" - "$OUT/env.json" <<'EOF' 2>>"$LOG"
import importlib, json, platform, sys

env = {"python": sys.version.split()[0], "executable": sys.executable, "platform": platform.platform()}
for name in ("torch", "transformers", "safetensors", "pytest", "django"):
    try:
        env[f"{name}_version"] = importlib.import_module(name).__version__
    except Exception as exc:  # report what is missing instead of failing later
        env[f"{name}_version"] = None
        env.setdefault("missing", []).append(f"{name}: {type(exc).__name__}: {exc}")
try:
    import torch

    env["cuda_available"] = torch.cuda.is_available()
    env["torch_cuda"] = torch.version.cuda
    if env["cuda_available"]:
        props = torch.cuda.get_device_properties(0)
        env["gpu_name"] = torch.cuda.get_device_name(0)
        env["gpu_memory_bytes"] = int(props.total_memory)
        env["gpu_count"] = torch.cuda.device_count()
except Exception as exc:
    env["cuda_available"] = False
    env["cuda_error"] = f"{type(exc).__name__}: {exc}"
json.dump(env, open(sys.argv[1], "w"), indent=2)
print(json.dumps(env))
EOF
cat "$OUT/env.json" >>"$LOG" 2>/dev/null
if ! "$PY" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; then
  echo '{"ok": false, "reason": "torch.cuda.is_available() is false (or torch is missing): see env.json"}' \
    >"$OUT/summary.json"
  log "stopping: no CUDA"
  exit 2
fi

# -- 2. the Llama-3.1-8B-shaped config, from the bundled demo catalog ---------------------------
MODEL_DIR="$WORK/llama-3.1-8b"
SHARED="$WORK/shared"
mkdir -p "$MODEL_DIR" "$SHARED/hub/meta-llama--Llama-3.1-8B"
"$PY" - "$REPO_ROOT/catalog/demo/meta-llama--Llama-3.1-8B.json" "$MODEL_DIR/config.json" <<'EOF'
import json, sys

config = json.load(open(sys.argv[1]))["config"]
json.dump(config, open(sys.argv[2], "w"), indent=2)
print("config:", {k: config.get(k) for k in ("model_type", "hidden_size", "num_hidden_layers",
      "num_attention_heads", "num_key_value_heads", "intermediate_size", "vocab_size")})
EOF
cp "$MODEL_DIR/config.json" "$SHARED/hub/meta-llama--Llama-3.1-8B/config.json"
cp "$MODEL_DIR/config.json" "$OUT/llama-3.1-8b.config.json"

declare -A RC
left_s() { echo $((BUDGET_S - SECONDS)); }
step_timeout() {  # the smaller of the step's own limit and what is left of the budget
  local want="$1" left
  left="$(left_s)"
  [ "$left" -lt "$want" ] && want="$left"
  echo "$want"
}

# -- 3 and 5. profiler.bench, eager and compiled -----------------------------------------------
bench() {  # bench NAME LIMIT_S [extra args]
  local name="$1" limit="$2"
  shift 2
  local t
  t="$(step_timeout "$limit")"
  if [ "$t" -lt 30 ]; then
    log "skip $name: out of budget"
    echo '{"skipped": "out of the time budget"}' >"$OUT/$name.json"
    RC[$name]="skipped"
    return
  fi
  log "bench $name (timeout ${t}s): $*"
  timeout --kill-after=10 "$t" "$PY" -m profiler.bench "$MODEL_DIR" --device cuda \
    --dtype bfloat16 --batch 1 --prompt-len 128 --new-tokens 128 --mode synthetic \
    --iters "$ITERS" --warmup "$WARMUP" --json --no-progress "$@" \
    >"$WORK/$name.stdout" 2>>"$LOG"
  RC[$name]=$?
  tail -n 1 "$WORK/$name.stdout" >"$OUT/$name.json"
  [ -s "$OUT/$name.json" ] || echo "{\"error\": {\"code\": \"no_output\", \"message\": \"exit ${RC[$name]}, see gpu_check.log\"}}" >"$OUT/$name.json"
  log "bench $name exit ${RC[$name]}"
}

bench bench_eager 180

# -- 4. the GPU test -------------------------------------------------------------------------
t="$(step_timeout 300)"
if [ "$t" -ge 60 ]; then
  log "pytest -m gpu (timeout ${t}s)"
  # -p no:django: the GPU test needs no database; it then also runs where Django is missing.
  MECHANIC_SHARED_DIR="$SHARED" MECHANIC_DATA_DIR="$WORK/data" DEBUG=1 \
    timeout --kill-after=10 "$t" "$PY" -m pytest -m gpu tests/test_profiler_gpu.py -s -v \
    -p no:django -p no:cacheprovider -o addopts="" --junitxml "$OUT/pytest_gpu.xml" \
    >"$OUT/pytest_gpu.log" 2>&1
  RC[pytest_gpu]=$?
  log "pytest exit ${RC[pytest_gpu]}"
else
  log "skip pytest: out of budget"
  RC[pytest_gpu]="skipped"
fi

bench bench_compile 300 --compile

# -- 6. summary ----------------------------------------------------------------------------------
"$PY" - "$OUT" "${RC[bench_eager]}" "${RC[pytest_gpu]}" "${RC[bench_compile]}" "$SECONDS" <<'EOF'
import json, sys
from pathlib import Path

out = Path(sys.argv[1])
rcs = {"bench_eager": sys.argv[2], "pytest_gpu": sys.argv[3], "bench_compile": sys.argv[4]}
keys = ("gpu_name", "params_loaded", "params_estimate", "weights_bytes_allocated",
        "weights_bytes_counted", "weights_bytes_estimate", "allocated_after_load_bytes",
        "peak_allocated_bytes", "prefill_ms", "decode_tokens_per_s", "roofline_tokens_per_s",
        "roofline_fraction", "residuals", "cache", "compile", "decode_steps", "kv_bytes_cache",
        "kv_bytes_estimate", "torch_version",
        "transformers_version", "notes")
summary = {"exit_status": rcs, "elapsed_s": int(sys.argv[5])}
for name in ("bench_eager", "bench_compile"):
    try:
        result = json.loads((out / f"{name}.json").read_text())
    except Exception as exc:
        summary[name] = {"error": f"unreadable output: {exc}"}
        continue
    summary[name] = {k: result[k] for k in keys if k in result} if "error" not in result and "skipped" not in result else result
try:  # a skipped test exits 0: say how many ran
    import xml.etree.ElementTree as ET

    suite = ET.parse(out / "pytest_gpu.xml").getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    summary["pytest_gpu"] = {k: int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped")}
except Exception as exc:
    summary["pytest_gpu"] = {"error": f"no junit xml: {exc}"}
ran = summary["pytest_gpu"].get("tests", 0) - summary["pytest_gpu"].get("skipped", 0)
summary["ok"] = all(rc == "0" for rc in rcs.values()) and ran > 0
(out / "summary.json").write_text(json.dumps(summary, indent=2))
print(json.dumps(summary, indent=2))
sys.exit(0 if summary["ok"] else 1)
EOF
status=$?
log "done in ${SECONDS}s (exit $status: 0 when every step passed); results in $OUT"
exit "$status"
