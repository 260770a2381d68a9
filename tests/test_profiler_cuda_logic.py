"""The CUDA path's logic, checked on the CPU: the static-KV-cache decode loop a GPU run times,
what decode tokens/s counts, the option checks (compile, cache, dtype per GPU), the host memory a
checkpoint needs before it reaches the GPU, the out-of-memory errors torch raises on a GPU, and
that a model's memory is given back (between the slices of a sliced run, and after a failure)."""

from __future__ import annotations

import gc

import pytest

from profiler.core.errors import ArchitectureNotSupported, InvalidRequest, OutOfMemory
from profiler.core.estimate import Estimate, estimate_from_config
from profiler.core.measure import (
    BenchOptions,
    bench_run,
    config_build,
    cpu_half_precision_note,
    cuda_dtype_check,
    decode_steps,
    decode_tokens_per_s,
    host_memory_need,
    is_cuda_oom,
    measurement_error,
    model_build_synthetic,
    model_time,
)
from tests.test_profiler_bench import FAST, TINY_LLAMA, TINY_QWEN3_MOE, config_folder

GIB = 1024**3
# Mistral with a 4-token sliding window: the static cache gets sliding-window layers
TINY_MISTRAL_SLIDING = {
    **TINY_LLAMA,
    "architectures": ["MistralForCausalLM"],
    "model_type": "mistral",
    "sliding_window": 4,
}


def _noop(stage: str, pct: float) -> None:
    return None


def _live_models() -> set[int]:
    from transformers import PreTrainedModel

    gc.collect()
    return {id(o) for o in gc.get_objects() if issubclass(type(o), PreTrainedModel)}


@pytest.mark.parametrize(
    "config", [TINY_LLAMA, TINY_QWEN3_MOE, TINY_MISTRAL_SLIDING], ids=["llama", "moe", "sliding"]
)
def test_the_static_cache_decode_loop_generates_what_generate_does(config):
    """The loop a CUDA run times (one static KV cache, reset between runs, greedy steps fed one
    token at a time) decodes the same tokens as transformers' own generate(): the cache
    positions are right after every reset, so the timed work is real decoding."""
    import torch

    cfg = config_build(config)
    torch.manual_seed(0)
    model = model_build_synthetic(cfg, device="cpu", dtype="float32")
    opts = BenchOptions(
        device="cpu", dtype="float32", batch=2, prompt_len=8, new_tokens=6, iters=2, warmup=1
    )
    gen = torch.Generator(device="cpu").manual_seed(opts.seed)
    prompt = torch.randint(0, config["vocab_size"], (2, 8), generator=gen)
    with torch.inference_mode():
        expected = model.generate(
            prompt, max_new_tokens=6, do_sample=False, eos_token_id=None, pad_token_id=0
        )[:, 8:]

    timings = {}
    for cache in ("static", "dynamic"):
        opts_c = BenchOptions(**{**opts.__dict__, "cache": cache})
        timings[cache] = model_time(model, cfg, opts_c, _noop, base_pct=0, span_pct=100)
    static, dynamic = timings["static"], timings["dynamic"]
    assert static.cache_kind == "static" and dynamic.cache_kind == "dynamic"
    assert static.notes == []
    # the third run of the same static cache (two resets) still decodes what generate() does
    assert static.tokens.tolist() == expected.tolist()
    assert dynamic.tokens.tolist() == expected.tolist()
    assert len(static.decode_tokens_per_s) == 2 and min(static.decode_tokens_per_s) > 0
    # the static cache's tensors are the engine's KV estimate to the byte (a sliding-window
    # layer holds the window only)
    est = estimate_from_config(config, dtype="float32", batch=2, prompt_len=8, new_tokens=6)
    assert static.kv_cache_bytes == est.kv_bytes
    assert dynamic.kv_cache_bytes is None


def test_decode_tokens_per_s_counts_the_decode_steps_of_the_whole_batch():
    """new_tokens = 128: the first token comes out of the prefill, 127 decode steps are timed;
    batch 4 makes 4 tokens a step."""
    assert decode_steps(128) == 127
    assert decode_tokens_per_s(4, 127, 2.0) == 254.0
    assert decode_tokens_per_s(1, decode_steps(2), 0.5) == 2.0
    with pytest.raises(ValueError, match="no decode was timed"):
        decode_tokens_per_s(1, 0, 1.0)
    with pytest.raises(ValueError, match="no decode was timed"):
        decode_tokens_per_s(1, 10, 0.0)


def test_a_cpu_run_can_time_the_static_cache_loop_and_says_what_it_timed(tmp_path):
    folder = config_folder(tmp_path / "tiny", {**TINY_LLAMA, "num_hidden_layers": 4})
    static = bench_run(folder, BenchOptions(cache="static", **FAST))
    auto = bench_run(folder, BenchOptions(**FAST))
    sliced = bench_run(folder, BenchOptions(cache="static", mode="sliced", slice_layers=1, **FAST))
    assert static["cache"] == "static" and auto["cache"] == "dynamic"
    assert sliced["cache"] == "static"
    assert static["decode_steps"] == FAST["new_tokens"] - 1
    assert static["compile"] is False
    # the KV cache measured from the static cache's tensors against the engine's estimate
    for result in (static, sliced):
        assert result["kv_bytes_cache"] == result["kv_bytes_estimate"] > 0
        assert result["residuals"]["kv_cache_fraction"] == 0
    assert auto["kv_bytes_cache"] is None and auto["residuals"]["kv_cache_fraction"] is None


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"compile": True}, "compile applies to CUDA only"),
        ({"compile": True, "device": "cuda", "warmup": 0}, "at least one warm-up"),
        ({"compile": True, "device": "cuda", "cache": "dynamic"}, "needs the static KV cache"),
        ({"cache": "paged"}, "cache must be one of auto, static, dynamic"),
    ],
)
def test_options_that_would_time_the_wrong_thing_are_refused(fields, message):
    """Compilation timed as decode (no warm-up), a compiled step over a cache that changes shape
    every token, or --compile silently ignored on the CPU: each is refused before anything runs."""
    with pytest.raises(InvalidRequest, match=message):
        BenchOptions(**fields).check()
    BenchOptions(device="cuda", compile=True, warmup=1).check()  # the GPU check's options


def test_a_16_bit_cpu_run_says_when_the_cpu_emulates_16_bit_arithmetic(tmp_path):
    """bfloat16 on an AVX2 CPU is converted through float32 around every matmul (several
    times slower than float32 there): said with the figures; not on AMX or AVX512-BF16, and
    never for float32."""
    note = cpu_half_precision_note("bfloat16", "AVX2")
    assert note and "no native 16-bit arithmetic" in note and "float32 run" in note
    assert cpu_half_precision_note("float16", "DEFAULT")
    assert cpu_half_precision_note("bfloat16", "AVX512_BF16") is None
    assert cpu_half_precision_note("bfloat16", "AMX") is None
    assert cpu_half_precision_note("float32", "AVX2") is None
    import torch

    folder = config_folder(tmp_path / "tiny", TINY_LLAMA)
    result = bench_run(folder, BenchOptions(**{**FAST, "dtype": "bfloat16"}))
    expected = cpu_half_precision_note("bfloat16", torch.backends.cpu.get_cpu_capability())
    assert (
        (expected in result["notes"])
        if expected
        else not any("16-bit arithmetic" in n for n in result["notes"])
    )


def test_bfloat16_is_refused_on_a_gpu_without_native_bfloat16():
    with pytest.raises(InvalidRequest, match=r"Tesla T4 \(compute capability 7\.5\).*float16"):
        cuda_dtype_check("bfloat16", "Tesla T4", (7, 5))
    cuda_dtype_check("float16", "Tesla T4", (7, 5))
    cuda_dtype_check("float32", "Tesla V100-SXM2-16GB", (7, 0))
    cuda_dtype_check("bfloat16", "NVIDIA A100-SXM4-80GB", (8, 0))
    cuda_dtype_check("bfloat16", "NVIDIA H200", (9, 0))


def test_a_checkpoint_for_the_gpu_needs_its_weights_in_host_memory_first():
    """from_pretrained builds the model on the host and .to("cuda") moves it: a checkpoint
    larger than the host's free memory would get the worker killed, so it is checked first."""
    est = Estimate(weights_bytes=16 * GIB, kv_bytes=1 * GIB)
    cuda, cpu = BenchOptions(device="cuda"), BenchOptions(device="cpu")
    assert host_memory_need(est, cuda, "checkpoint") == 16 * GIB
    assert host_memory_need(est, cuda, "synthetic") == 0  # built on the GPU directly
    assert host_memory_need(est, cpu, "checkpoint") == 17 * GIB
    assert host_memory_need(est, cpu, "synthetic") == 17 * GIB
    assert host_memory_need(est, cpu, "sliced") == 0


def _raised(make):
    """The exception ``make`` raises, with the traceback and chain a real raise gives it."""
    try:
        make()
    except Exception as exc:  # noqa: BLE001 - the point is to catch whatever it is
        return exc
    raise AssertionError("nothing was raised")


def test_cuda_out_of_memory_is_said_as_such_however_torch_raises_it():
    """torch.cuda.OutOfMemoryError, an OOM inside torch.compile's backend (dynamo wraps it),
    and a cuBLAS workspace that cannot be allocated are all out of memory, with what the
    model needs and what the GPU had free; not 'the architecture is not supported'."""
    import torch
    from torch._dynamo.exc import BackendCompilerFailed

    oom = torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB.")

    def compile_oom():
        raise BackendCompilerFailed(lambda: None, oom, None)

    def chained():
        try:
            raise oom
        except torch.OutOfMemoryError as exc:
            raise RuntimeError("CUDA graph capture failed") from exc

    def cublas():
        raise RuntimeError(
            "CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`"
        )

    est = Estimate(weights_bytes=16 * GIB, kv_bytes=GIB // 2)
    opts = BenchOptions(device="cuda", dtype="bfloat16")
    for make in (lambda: (_ for _ in ()).throw(oom), compile_oom, chained, cublas):
        exc = _raised(make)
        assert is_cuda_oom(exc)
        error = measurement_error(exc, est, opts, 80 * GIB, 10 * GIB)
        assert isinstance(error, OutOfMemory), (exc, error)
        assert error.code == "out_of_memory"
        assert "needs about 16.5 GiB in bfloat16" in error.message
        assert "this GPU has 80.0 GiB, of which 10.0 GiB was free" in error.message
        assert "other processes hold the rest" in error.message

    # an OOM although the model fit in what was free: activations, or another process
    error = measurement_error(_raised(cublas), est, opts, 80 * GIB, 70 * GIB)
    assert "the rest went to activations, or to other processes" in error.message
    # other torch failures stay what they are
    other = _raised(lambda: (_ for _ in ()).throw(RuntimeError("expected scalar type Half")))
    assert not is_cuda_oom(other)
    assert isinstance(measurement_error(other, est, opts), ArchitectureNotSupported)


def test_the_first_slice_is_freed_before_the_second_is_built(tmp_path):
    """Sliced: the k-layer model is gone when the 2k-layer one is built, so on a GPU the second
    slice's build and peak memory do not carry the first one's weights."""
    folder = config_folder(tmp_path / "six", {**TINY_LLAMA, "num_hidden_layers": 6})
    before = _live_models()
    alive_at_builds: list[int] = []

    def progress(stage: str, pct: float) -> None:
        if stage == "build":
            alive_at_builds.append(len(_live_models() - before))

    result = bench_run(folder, BenchOptions(mode="sliced", slice_layers=1, **FAST), progress)
    assert result["slice_layers"] == [1, 2]
    assert alive_at_builds == [0, 0]
    assert _live_models() - before == set()


class _Stop(Exception):
    pass


def test_a_failed_run_gives_its_model_back():
    """A run that fails while timing (on a GPU: out of memory in the decode loop) must not keep
    its model alive through the traceback: the next measurement in the process needs the
    memory. The error still carries its traceback's lines."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        folder = config_folder(Path(tmp) / "tiny", TINY_LLAMA)
        before = _live_models()

        def progress(stage: str, pct: float) -> None:
            if stage == "measure":
                assert _live_models() - before  # the model is there while it is timed
                raise _Stop("stopped while timing")

        with pytest.raises(_Stop) as info:
            bench_run(folder, BenchOptions(**FAST), progress)
        assert _live_models() - before == set()
        assert info.traceback[-1].name == "progress"
