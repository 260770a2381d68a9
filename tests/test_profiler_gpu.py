"""The GPU benchmark: a Llama-3-8B-shaped model (the real config.json from shared/hub), random
bf16 weights, batch 1. Skipped cleanly without CUDA. See bench/README.md for the command."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from profiler.core.measure import BenchOptions, bench_run

SHARED_DIR = Path(
    os.environ.get("MECHANIC_SHARED_DIR", Path(__file__).resolve().parents[1].parent / "shared")
)
LLAMA_8B = SHARED_DIR / "hub" / "meta-llama--Llama-3.1-8B" / "config.json"


def _cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


@pytest.mark.gpu
@pytest.mark.skipif(not _cuda(), reason="needs a CUDA GPU")
def test_llama3_8b_synthetic_bf16_decode_near_the_hbm_roofline(tmp_path):
    folder = tmp_path / "llama-3.1-8b"
    folder.mkdir()
    shutil.copy(LLAMA_8B, folder / "config.json")  # a temp copy, never into the repo
    opts = BenchOptions(
        device="cuda", dtype="bfloat16", batch=1, prompt_len=128, new_tokens=128,
        mode="synthetic", iters=5, warmup=2, compile=True,
    )  # fmt: skip
    result = bench_run(folder, opts)
    print(json.dumps({k: result[k] for k in (
        "gpu_name", "params_loaded", "weights_bytes_allocated", "peak_allocated_bytes",
        "prefill_ms", "decode_tokens_per_s", "roofline_tokens_per_s", "roofline_fraction",
        "residuals", "notes")}, indent=2))  # fmt: skip

    assert result["params_loaded"] == result["params_estimate"]
    res = result["residuals"]
    assert abs(res["memory_fraction"]) <= res["memory_tolerance"]
    assert res["peak_fraction"] is not None and abs(res["peak_fraction"]) <= res["peak_tolerance"]
    assert result["roofline_tokens_per_s"], result["notes"]
    assert result["decode_tokens_per_s"]["median"] > 0
    assert result["roofline_fraction"] >= 0.6, result["roofline_fraction"]
