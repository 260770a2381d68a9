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
    # the weights' memory is what CUDA allocated for them, not numel x element size again
    assert result["weights_bytes_allocated"] >= result["weights_bytes_counted"]
    assert result["allocated_after_load_bytes"] >= result["weights_bytes_allocated"]
    assert abs(res["memory_fraction"]) <= res["memory_tolerance"]
    assert result["cache"] == "static+compile"
    assert res["kv_cache_fraction"] == 0  # the static KV cache is the engine's estimate exactly
    assert res["peak_fraction"] is not None and abs(res["peak_fraction"]) <= res["peak_tolerance"]
    assert result["roofline_tokens_per_s"], result["notes"]
    assert result["decode_tokens_per_s"]["median"] > 0
    assert result["roofline_fraction"] >= 0.6, result["roofline_fraction"]


TINY_LLAMA = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "vocab_size": 256,
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 8192,
    "rms_norm_eps": 1e-5,
    "tie_word_embeddings": False,
    "torch_dtype": "float32",
}


@pytest.mark.gpu
@pytest.mark.skipif(not _cuda(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("mode", ["synthetic", "sliced"])
def test_weights_memory_on_cuda_is_the_allocation_of_the_load(tmp_path, mode):
    """On CUDA the weights row is measured: torch.cuda.memory_allocated() after the build minus
    before it (extrapolated per layer when sliced), checked against params x dtype bytes; the
    count of the loaded tensors is kept apart and is not what the tolerance checks."""
    import torch

    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(TINY_LLAMA))
    opts = BenchOptions(
        device="cuda", dtype="float32", prompt_len=8, new_tokens=4, iters=1, warmup=1,
        mode=mode, slice_layers=1,
    )  # fmt: skip
    held = torch.empty(1 << 20, device="cuda")  # allocated before the run: not the weights'
    result = bench_run(folder, opts)
    del held
    counted = result["weights_bytes_counted"]
    allocated = result["weights_bytes_allocated"]
    assert counted == result["params_estimate"] * 4
    # every parameter is its own allocation, rounded up to the allocator's 512-byte blocks,
    # and the rotary inv_freq buffer comes on top (39 tensors here: under 64 x 512 B); the
    # 4 MiB allocated before the run is not the weights'
    assert counted <= allocated < counted + 64 * 512
    res = result["residuals"]
    assert res["memory_fraction"] == (allocated - counted) / counted
    assert res["memory_tolerance"] == 0.02
    assert res["weights_counted_fraction"] == 0
    if mode == "synthetic":
        assert result["allocated_after_load_bytes"] >= allocated + 4 * (1 << 20)
