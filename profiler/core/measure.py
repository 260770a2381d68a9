"""Load or build a causal LM and time it: parameters, memory, prefill latency, decode tokens/s.

The method follows nanoGPT's ``bench.py``: warm-up runs first, then several timed iterations
with the device synchronised around each timed region (CUDA events would time the same span).
Decode runs a fixed number of greedy steps through the KV cache, so an EOS token never stops a
run early. On CUDA a static KV cache (and, with ``compile=True``, ``torch.compile`` of the step)
keeps the step close to the HBM roofline.

Imports torch and transformers; never Django.
"""

from __future__ import annotations

import copy
import gc
import inspect
import platform
import re
import resource
import statistics
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safetensors import SafetensorError

from profiler.core.errors import (
    ArchitectureNotSupported,
    Detail,
    DeviceUnavailable,
    InvalidRequest,
    OutOfMemory,
    ProfilerError,
    QuantizationUnsupported,
    RemoteCodeRefused,
    device_label,
)
from profiler.core.estimate import (
    DTYPE_BYTES,
    PEAK_MEMORY_TOLERANCE,
    WEIGHTS_MEMORY_TOLERANCE,
    Estimate,
    estimate_from_config,
    roofline_for_device,
)
from profiler.core.folder import ModelFolder, folder_inspect, pickle_refusal

Progress = Callable[[str, float], None]
MODES = ("auto", "synthetic", "checkpoint", "sliced")
DEVICES = ("cpu", "cuda")
# KV cache of the timed loop. auto: static on CUDA (fixed addresses, what a compiled CUDA-graph
# step needs), dynamic on CPU; forcing static on CPU runs the CUDA path's decode loop there.
CACHES = ("auto", "static", "dynamic")
GIB = 1024**3


@dataclass(frozen=True)
class BenchOptions:
    device: str = "cpu"
    dtype: str = "bfloat16"
    batch: int = 1
    prompt_len: int = 128
    new_tokens: int = 64
    mode: str = "auto"
    iters: int = 3
    warmup: int = 1
    slice_layers: int = 2  # sliced mode: build k and 2k layers, extrapolate linearly
    compile: bool = False  # torch.compile the decode step (CUDA only)
    seed: int = 0
    cache: str = "auto"

    def check(self) -> None:
        if self.device not in DEVICES:
            raise InvalidRequest(
                f"device must be one of {', '.join(DEVICES)}, not {self.device!r}."
            )
        if self.dtype not in DTYPE_BYTES:
            raise InvalidRequest(
                f"dtype must be one of {', '.join(DTYPE_BYTES)}, not {self.dtype!r}."
            )
        if self.mode not in MODES:
            raise InvalidRequest(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}.")
        for name in ("batch", "prompt_len", "new_tokens", "iters", "slice_layers"):
            if getattr(self, name) < 1:
                raise InvalidRequest(f"{name} must be at least 1.")
        if self.new_tokens < 2:
            raise InvalidRequest("new_tokens must be at least 2 (one from prefill, then decode).")
        if self.warmup < 0:
            raise InvalidRequest("warmup must be 0 or more.")
        if self.cache not in CACHES:
            raise InvalidRequest(f"cache must be one of {', '.join(CACHES)}, not {self.cache!r}.")
        if self.compile:
            if self.device != "cuda":
                raise InvalidRequest(
                    "compile applies to CUDA only (a torch.compile'd decode step replayed as a "
                    "CUDA graph); leave it off on cpu."
                )
            if self.cache == "dynamic":
                raise InvalidRequest(
                    "compile needs the static KV cache: a dynamic cache changes shape every "
                    "step, so the compiled step would recompile at every token."
                )
            if self.warmup < 1:
                raise InvalidRequest(
                    "compile needs at least one warm-up run: compilation and CUDA-graph capture "
                    "happen there, and must not be timed."
                )


def _noop(stage: str, pct: float) -> None:
    return None


# ---------------------------------------------------------------------------------------------
# Config


def config_build(raw: dict[str, Any]) -> Any:
    """A transformers config from config.json, natively: remote code is never run."""
    from huggingface_hub.errors import StrictDataclassError
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    architecture_check(raw)
    fields = {k: v for k, v in raw.items() if k not in ("auto_map", "model_type")}
    try:
        return CONFIG_MAPPING[raw["model_type"]].from_dict(fields)
    except (StrictDataclassError, TypeError, ValueError) as exc:
        # a value the engine reads but transformers' typed config does not ("2" for
        # num_hidden_layers): the run failed with huggingface_hub's class name and an indented
        # second line, in English on every page, and profiler.bench printed a traceback
        why = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        why = re.sub(r"^Validation error for field '[^']*':\s*(\w+Error: )?", "", why)
        raise InvalidRequest.of("config_refused", error=why[:300]) from exc


def architecture_check(raw: dict[str, Any]) -> None:
    """Refuse a model_type the installed transformers has no causal-LM class for (and remote
    code, which is never run), before anything else is said about the config."""
    from transformers import __version__ as tf_version
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES

    model_type = raw.get("model_type")
    if not isinstance(model_type, str) or model_type not in CONFIG_MAPPING:
        if raw.get("auto_map"):
            raise RemoteCodeRefused.of("remote_code", model_type=repr(model_type))
        raise ArchitectureNotSupported.of(
            "arch_unknown", model_type=repr(model_type), version=tf_version
        )
    if model_type not in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES:
        raise ArchitectureNotSupported.of(
            "arch_not_causal_lm", model_type=repr(model_type), version=tf_version
        )


def _layer_count(raw: dict[str, Any]) -> int:
    value = raw.get("num_hidden_layers")
    if not isinstance(value, int) or value < 1:
        raise ArchitectureNotSupported.of("arch_no_layers")
    return value


def config_slice(raw: dict[str, Any], layers: int) -> dict[str, Any]:
    """The same config with ``layers`` decoder layers: per-layer patterns are cut to length.

    Keys cut: any list or string whose length equals num_hidden_layers (``layer_types``,
    ``hybrid_override_pattern``, ...); index lists (``mlp_only_layers``) keep indices < layers.
    """
    total = _layer_count(raw)
    sliced = copy.deepcopy(raw)
    sliced["num_hidden_layers"] = layers
    for key, value in raw.items():
        if key == "num_hidden_layers":
            continue
        if isinstance(value, list | str) and len(value) == total and total > 1:
            sliced[key] = value[:layers]
        elif (
            key.endswith("_layers")
            and isinstance(value, list)
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        ):
            sliced[key] = [v for v in value if v < layers]
    return sliced


# ---------------------------------------------------------------------------------------------
# Build / load


def _torch_dtype(name: str) -> Any:
    import torch

    return {"bfloat16": torch.bfloat16, "float16": torch.float16, "float32": torch.float32}[name]


def model_build_synthetic(cfg: Any, *, device: str, dtype: str) -> Any:
    """Random weights of the real shapes, created directly on the device."""
    import torch
    from transformers import AutoModelForCausalLM

    try:
        with torch.device(device):
            model = AutoModelForCausalLM.from_config(cfg, dtype=_torch_dtype(dtype))
    except ValueError as exc:  # some versions refuse a device context without accelerate
        if "accelerate" not in str(exc):
            raise
        model = AutoModelForCausalLM.from_config(cfg, dtype=_torch_dtype(dtype)).to(device)
    return model.eval()


def model_load_checkpoint(folder: ModelFolder, cfg: Any, *, device: str, dtype: str) -> Any:
    """Real weights, from safetensors only; no remote code."""
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(
        str(folder.root),
        config=cfg,
        dtype=_torch_dtype(dtype),
        use_safetensors=True,
        trust_remote_code=False,
        local_files_only=True,
    )
    return model.to(device).eval()


def params_unique(model: Any) -> tuple[int, int]:
    """(count, bytes) of unique parameters: ``parameters()`` already drops tied duplicates.
    The bytes are counted (numel x element size), not measured: they check the dtype the
    weights were materialised in, not how much memory they take."""
    count = 0
    size_bytes = 0
    for p in model.parameters():
        count += p.numel()
        size_bytes += p.numel() * p.element_size()
    return count, size_bytes


# the router's top-k, by the names configs give it
_TOP_K_KEYS = (
    "num_experts_per_tok",
    "num_experts_per_token",
    "experts_per_token",
    "moe_topk",
    "top_k",
)


def params_active_counted(model: Any, config: dict[str, Any], total: int) -> int | None:
    """Parameters one token's forward pass touches, counted from the loaded model: every
    unique parameter, less the routed experts its router leaves out. transformers 5 keeps a
    layer's routed experts in one ``...Experts`` module whose tensors stack the experts on
    their first dimension (``[E, ...]``), so (1 - k / E) of each such tensor goes unread; k is
    the config's top-k. Shared experts are plain MLPs and count in full. ``total``: the model's
    unique parameters (``params_unique``, which the caller has counted). None for a model with
    expert modules but no top-k in its config (nothing to count by)."""
    text = config.get("text_config") if isinstance(config.get("text_config"), dict) else {}
    top_k = next(
        (
            v
            for key in _TOP_K_KEYS
            for v in (text.get(key), config.get(key))
            if isinstance(v, int) and not isinstance(v, bool) and v > 0
        ),
        None,
    )
    skipped = 0.0
    seen: set[int] = set()
    for module in model.modules():
        if not type(module).__name__.endswith("Experts"):
            continue
        for p in module.parameters(recurse=False):
            if id(p) in seen or p.dim() == 0:
                continue
            seen.add(id(p))
            experts = p.shape[0]
            if top_k is None:
                return None
            if experts > top_k:
                skipped += p.numel() * (1 - top_k / experts)
    return total - round(skipped)


# ---------------------------------------------------------------------------------------------
# Timing


class _Clock:
    """Wall time with the device drained first: CUDA kernels run asynchronously, so a timestamp
    taken before ``torch.cuda.synchronize()`` would stop the clock while work is still queued."""

    def __init__(self, device: str) -> None:
        import torch

        self.torch = torch
        self.cuda = device == "cuda"

    def sync(self) -> None:
        if self.cuda:
            self.torch.cuda.synchronize()

    def now(self) -> float:
        self.sync()
        return time.perf_counter()


def decode_steps(new_tokens: int) -> int:
    """Decode steps timed for ``new_tokens`` generated tokens: the first token comes out of the
    prefill (and is timed with it), each of the others is one decode step."""
    return new_tokens - 1


def decode_tokens_per_s(batch: int, steps: int, seconds: float) -> float:
    """Decode throughput: tokens generated by the timed decode steps (one per sequence of the
    batch per step) over the time they took; the prefill is not in it."""
    if steps < 1 or seconds <= 0:
        raise ValueError(f"no decode was timed ({steps} steps in {seconds} s)")
    return batch * steps / seconds


def _cache_kw(model: Any) -> str:
    params = inspect.signature(model.forward).parameters
    return "cache" if "cache" in params else "past_key_values"


def _out_cache(out: Any) -> Any:
    cache = out.get("cache") if hasattr(out, "get") else None
    return cache if cache is not None else out.get("past_key_values")


@dataclass
class _Timing:
    prefill_ms: list[float]
    decode_tokens_per_s: list[float]
    peak_prefill_bytes: int | None
    peak_decode_bytes: int | None
    cache_kind: str
    tokens: Any = None  # the greedy tokens of the last run (batch x new_tokens)
    notes: list[str] = field(default_factory=list)
    kv_cache_bytes: int | None = None  # the static KV cache's tensors; None: not measured


def static_cache_bytes(cache: Any) -> int | None:
    """Bytes of a StaticCache's key and value tensors, once a forward has allocated them: what
    the engine's KV estimate predicts, to the byte. None where a layer holds something else
    (recurrent state, an indexer's keys) or was never allocated."""
    from transformers.cache_utils import DummyLayer, StaticLayer, StaticSlidingWindowLayer

    total = 0
    for layer in getattr(cache, "layers", None) or ():
        if type(layer) is DummyLayer:
            continue
        if type(layer) not in (StaticLayer, StaticSlidingWindowLayer) or not layer.is_initialized:
            return None
        total += layer.keys.nbytes + layer.values.nbytes
    return total or None


def _static_cache(cfg: Any, max_len: int) -> tuple[Any, str | None]:
    """(a StaticCache for ``max_len`` tokens, None), or (None, why it could not be built)."""
    try:
        from transformers import StaticCache

        return StaticCache(config=cfg, max_cache_len=max_len), None
    except Exception as exc:  # an architecture whose layers have no static cache layer
        return None, f"{type(exc).__name__}: {str(exc)[:200]}"


# The least time between two progress messages from inside a timed run (seconds)
PROGRESS_EVERY_S = 1.0


def model_time(
    model: Any,
    cfg: Any,
    opts: BenchOptions,
    progress: Progress,
    *,
    base_pct: float,
    span_pct: float,
) -> _Timing:
    """Warm-ups, then ``opts.iters`` timed runs of one prefill and ``new_tokens - 1`` greedy
    decode steps. The prompt is fixed (seeded random ids), the decode count too: argmax, no EOS
    check, so nothing stops a run early and every run does the same work."""
    import torch

    clock = _Clock(opts.device)
    cuda = opts.device == "cuda"
    vocab = int(getattr(cfg, "vocab_size", 0) or 0) or 32000
    gen = torch.Generator(device="cpu").manual_seed(opts.seed)
    prompt = torch.randint(0, vocab, (opts.batch, opts.prompt_len), generator=gen).to(opts.device)
    kw = _cache_kw(model)
    max_len = opts.prompt_len + opts.new_tokens
    notes: list[str] = []
    # One static cache for every run, reset in between: fixed tensor addresses are what lets a
    # compiled (CUDA-graph) decode step replay instead of re-recording.
    static_cache = None
    if opts.cache == "static" or (opts.cache == "auto" and cuda):
        static_cache, why = _static_cache(cfg, max_len)
        if static_cache is None:
            notes.append(f"no static KV cache for this architecture ({why}): dynamic cache used.")
    cache_kind = "static" if static_cache is not None else "dynamic"
    step = model
    if opts.compile and static_cache is not None:
        # Only the decode step is compiled (fixed shapes: batch x 1 token); the prefill stays
        # eager. Compilation and CUDA-graph capture happen in the warm-up runs (check() asks
        # for at least one), never in a timed one.
        step = torch.compile(model, mode="reduce-overhead", dynamic=False)
        cache_kind = "static+compile"
    elif opts.compile:
        notes.append("not compiled: a compiled decode step needs the static KV cache.")
    steps = decode_steps(opts.new_tokens)
    total = opts.warmup + opts.iters
    # Progress inside a run too: one run of thousands of decode steps on a CPU takes minutes,
    # and a bar that moved only between runs looked hung. Told at most every PROGRESS_EVERY_S
    # (the worker writes each message to the run's row); between two, a step costs one
    # monotonic() read, nothing a timed run can see.
    told_at = [time.monotonic()]

    def step_done(i: int, phase: str, done_steps: int) -> None:
        now = time.monotonic()
        if now - told_at[0] >= PROGRESS_EVERY_S:
            told_at[0] = now
            progress(phase, base_pct + span_pct * (i + done_steps / (steps + 1)) / total)

    def run_once(i: int, phase: str) -> tuple[float, float, int | None, int | None, Any]:
        cache = static_cache
        if cache is not None:
            cache.reset()
        if cuda:
            torch.cuda.reset_peak_memory_stats()
        t0 = clock.now()
        out = model(
            prompt, use_cache=True, logits_to_keep=1, **({kw: cache} if cache is not None else {})
        )
        cache = _out_cache(out)
        token = out.logits[:, -1:].argmax(dim=-1)
        t1 = clock.now()
        peak_prefill = torch.cuda.max_memory_allocated() if cuda else None
        if cuda:
            torch.cuda.reset_peak_memory_stats()
        tokens = [token]
        step_done(i, phase, 1)  # the prefill: the first of steps + 1 forwards
        t2 = clock.now()
        for s in range(steps):  # greedy, a fixed count: no EOS check, nothing stops early
            out = step(token, use_cache=True, **{kw: cache})
            returned = _out_cache(out)
            cache = returned if returned is not None else cache
            # a fresh tensor: a CUDA-graph replay overwrites its outputs in place
            token = out.logits[:, -1:].argmax(dim=-1)
            tokens.append(token)
            step_done(i, phase, s + 2)
        t3 = clock.now()
        peak_decode = torch.cuda.max_memory_allocated() if cuda else None
        rate = decode_tokens_per_s(opts.batch, steps, t3 - t2)
        return (t1 - t0) * 1000.0, rate, peak_prefill, peak_decode, tokens

    prefill_ms: list[float] = []
    decode: list[float] = []
    peaks_p: list[int] = []
    peaks_d: list[int] = []
    tokens: list[Any] = []
    with torch.inference_mode():
        for i in range(total):
            phase = "warmup" if i < opts.warmup else "measure"
            progress(phase, base_pct + span_pct * i / total)
            p_ms, tok_s, peak_p, peak_d, tokens = run_once(i, phase)
            if i >= opts.warmup:
                prefill_ms.append(p_ms)
                decode.append(tok_s)
                if peak_p is not None and peak_d is not None:
                    peaks_p.append(peak_p)
                    peaks_d.append(peak_d)
        generated = torch.cat(tokens, dim=1).cpu()
    return _Timing(
        prefill_ms=prefill_ms,
        decode_tokens_per_s=decode,
        peak_prefill_bytes=max(peaks_p) if peaks_p else None,
        peak_decode_bytes=max(peaks_d) if peaks_d else None,
        cache_kind=cache_kind,
        tokens=generated,
        notes=notes,
        kv_cache_bytes=static_cache_bytes(static_cache) if static_cache is not None else None,
    )


def _stats(values: list[float]) -> dict[str, Any]:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "stdev": statistics.stdev(values) if len(values) > 1 else 0.0,
        "runs": len(values),
    }


# ---------------------------------------------------------------------------------------------
# The measurement


def _gib(n: float) -> str:
    return f"{n / GIB:.1f} GiB"


def _oom_error(
    est: Estimate,
    opts: BenchOptions,
    gpu_memory_bytes: int | None,
    gpu_free_bytes: int | None = None,
) -> OutOfMemory:
    need = (est.weights_bytes or 0) + (est.kv_bytes or 0)
    have: Detail = {"key": "oom_gpu", "params": {}}
    if gpu_memory_bytes:
        size = _gib(gpu_memory_bytes)
        have = {"key": "oom_gpu_has", "params": {"size": size}}
        if gpu_free_bytes is not None:
            key = "oom_gpu_has_free"
            if need and need < gpu_free_bytes:
                key = "oom_gpu_has_free_activations"
            elif gpu_free_bytes < 0.9 * gpu_memory_bytes:
                key = "oom_gpu_has_free_others"
            have = {"key": key, "params": {"size": size, "free": _gib(gpu_free_bytes)}}
    return OutOfMemory.of("oom_cuda", need=_need(need), dtype=opts.dtype, have=have)


def _need(need_bytes: int) -> Detail:
    if need_bytes:
        return {"key": "oom_need_about", "params": {"size": _gib(need_bytes)}}
    return {"key": "oom_need_unknown", "params": {}}


# Out-of-memory errors that do not arrive as torch.OutOfMemoryError: a cuBLAS/cuDNN workspace
# or a CUDA-graph pool that cannot be allocated, or an OOM inside torch.compile's backend,
# which dynamo wraps in its own RuntimeError.
_CUDA_OOM_TEXT = (
    "CUDA out of memory",
    "CUDA error: out of memory",
    "CUBLAS_STATUS_ALLOC_FAILED",
    "CUDNN_STATUS_ALLOC_FAILED",
    "cudaErrorMemoryAllocation",
)


def is_cuda_oom(exc: BaseException) -> bool:
    """Whether ``exc``, or an exception it wraps, is CUDA running out of memory."""
    import torch

    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, torch.OutOfMemoryError):
            return True
        if isinstance(e, RuntimeError) and any(t in str(e) for t in _CUDA_OOM_TEXT):
            return True
        inner = getattr(e, "inner_exception", None)  # dynamo's BackendCompilerFailed
        todo += [e.__cause__, e.__context__, inner if isinstance(inner, BaseException) else None]
    return False


def _host_oom_error(
    est: Estimate, opts: BenchOptions, *, available: int | None = None
) -> OutOfMemory:
    """Out of host memory: found by the allocator, or (``available``) foreseen before it."""
    need = (est.weights_bytes or 0) + (est.kv_bytes or 0)
    params: dict[str, Any] = {
        "need": _need(need),
        "dtype": opts.dtype,
        "device": device_label(opts.device),  # "on CPU", not "on cpu" (de: "auf cpu")
    }
    key = "oom_host"
    if available is not None:
        key, params["available"] = "oom_host_available", _gib(available)
    if opts.dtype == "float32":
        key += "_float32"  # bfloat16 halves the need
    return OutOfMemory.of(key, **params)


def _read_int(path: str) -> int | None:
    try:
        text = Path(path).read_text().split()[0]
    except (OSError, IndexError):
        return None
    return int(text) if text.isdigit() else None  # "max": no limit


def cpu_half_precision_note(dtype: str, capability: str) -> str | None:
    """On a CPU whose vector unit has no bfloat16/float16 arithmetic (torch's capability
    "AVX2", "DEFAULT", ...: not AVX512 with BF16, not AMX), 16-bit matmuls are converted to and
    from float32 around every operation: tokens/s is that of the conversion, often several
    times below a float32 run. Said next to the figures, so they are not read as the model's."""
    if dtype not in ("bfloat16", "float16"):
        return None
    cap = capability.upper()
    if "AMX" in cap or "BF16" in cap or "FP16" in cap:
        return None
    return (
        f"{dtype} on this CPU ({capability}) has no native 16-bit arithmetic: each matmul is "
        "converted through float32, so a float32 run is usually faster here."
    )


def host_memory_available() -> int | None:
    """Bytes this process can still allocate on the host: the kernel's MemAvailable, lowered to
    what the container's cgroup (v2, else v1) still allows. None where neither can be read."""
    known: list[int] = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                known.append(int(line.split()[1]) * 1024)
                break
    except (OSError, ValueError, IndexError):
        pass
    for limit_path, usage_path in (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        (
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
            "/sys/fs/cgroup/memory/memory.usage_in_bytes",
        ),
    ):
        limit, usage = _read_int(limit_path), _read_int(usage_path)
        if limit is not None and usage is not None and limit < 1 << 60:  # v1 "no limit": huge
            known.append(max(0, limit - usage))
            break
    return min(known) if known else None


def host_memory_need(est: Estimate, opts: BenchOptions, mode: str) -> int:
    """Host memory the run will take before anything is timed: on CPU the weights and the KV
    cache; on CUDA, a checkpoint's weights, which ``from_pretrained`` materialises in host
    memory before they are moved to the GPU. Sliced runs build a few layers: 0."""
    if mode == "sliced":
        return 0
    if opts.device == "cpu":
        return (est.weights_bytes or 0) + (est.kv_bytes or 0)
    return (est.weights_bytes or 0) if mode == "checkpoint" else 0


def _host_memory_check(est: Estimate, opts: BenchOptions, mode: str) -> None:
    """A run whose host memory need cannot fit in the host's free memory is refused before
    anything is allocated: otherwise the machine swaps, or the kernel kills the worker, long
    after the run started."""
    need = host_memory_need(est, opts, mode)
    have = host_memory_available()
    if need and have is not None and need > have:
        if opts.device == "cuda":
            raise OutOfMemory.of(
                "oom_host_checkpoint", need=_gib(need), dtype=opts.dtype, available=_gib(have)
            )
        raise _host_oom_error(est, opts, available=have)


# Compute capability from which a GPU has bfloat16 tensor cores (Ampere); older GPUs emulate it,
# so a bf16 run there would time the emulation, not the model.
BF16_MIN_CAPABILITY = (8, 0)


def cuda_dtype_check(dtype: str, gpu_name: str, capability: tuple[int, int]) -> None:
    """Refuse a dtype the GPU has no native support for, saying which one to use."""
    if dtype == "bfloat16" and tuple(capability) < BF16_MIN_CAPABILITY:
        major, minor = capability
        raise InvalidRequest.of("bf16_unsupported", gpu=gpu_name, capability=f"{major}.{minor}")


def measurement_error(
    exc: BaseException,
    est: Estimate,
    opts: BenchOptions,
    gpu_memory_bytes: int | None = None,
    gpu_free_bytes: int | None = None,
) -> ProfilerError | None:
    """The user-facing error for an exception raised while a model was built, loaded or timed;
    None for one that is not the measurement's (it propagates as it is)."""
    import transformers

    if isinstance(exc, ProfilerError):
        return exc
    if is_cuda_oom(exc):
        return _oom_error(est, opts, gpu_memory_bytes, gpu_free_bytes)
    if isinstance(exc, MemoryError):
        return _host_oom_error(est, opts)
    if isinstance(exc, RuntimeError | SafetensorError):
        return _runtime_error(exc, est, opts)
    if isinstance(exc, ValueError | KeyError | NotImplementedError | ImportError | OSError):
        return ArchitectureNotSupported.of(
            "arch_build_failed",
            version=transformers.__version__,
            error=f"{type(exc).__name__}: {exc}",
        )
    return None


def _release_after_error(exc: BaseException, opts: BenchOptions) -> None:
    """Give the GPU memory of a failed run back at once, so whoever runs next (another
    measurement in this process) has it: the traceback's frames still hold the model, its KV
    cache and activations until they are cleared."""
    tb = exc.__traceback__
    if tb is not None:
        traceback.clear_frames(tb)
    _release(compiled=opts.compile)


def _runtime_error(exc: Exception, est: Estimate, opts: BenchOptions) -> ProfilerError:
    """torch reports most of what can go wrong as a RuntimeError, safetensors as its
    SafetensorError: the cases a user can act on, by message."""
    text = str(exc)
    if "can't allocate memory" in text or "DefaultCPUAllocator" in text:
        return _host_oom_error(est, opts)
    if "size mismatch" in text or "ignore_mismatched_sizes" in text:
        return InvalidRequest.of("shape_mismatch", error=text.splitlines()[0][:300])
    if isinstance(exc, SafetensorError):
        return InvalidRequest.of("safetensors_invalid", error=text[:300])
    return ArchitectureNotSupported.of("torch_failed", error=f"{type(exc).__name__}: {text[:300]}")


def _build(
    folder: ModelFolder, raw: dict[str, Any], mode: str, opts: BenchOptions
) -> tuple[Any, Any]:
    cfg = config_build(raw)
    if mode == "checkpoint":
        try:
            return model_load_checkpoint(folder, cfg, device=opts.device, dtype=opts.dtype), cfg
        except ImportError as exc:
            # transformers' quantizers ask for their package ("compressed-tensors>=0.15.0 is
            # required ..."): the worker's setup, not the architecture
            qc = raw.get("quantization_config")
            if not isinstance(qc, dict):
                raise
            method = str(qc.get("quant_method") or "unknown method")
            raise QuantizationUnsupported.of(
                "quantization_package", method=method, error=str(exc)[:300]
            ) from exc
    return model_build_synthetic(cfg, device=opts.device, dtype=opts.dtype), cfg


def _release(*, compiled: bool) -> None:
    """Return the memory of models the caller no longer references to the device (the caller
    must have dropped its own references first: ``del model``). A compiled step's graphs and
    CUDA-graph pool hold the model's tensors until dynamo is reset."""
    import torch

    if compiled:
        torch._dynamo.reset()
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def mode_resolve(folder: ModelFolder, requested: str) -> str:
    if requested == "auto":
        if folder.has_checkpoint:
            return "checkpoint"
        if folder.pickle_names:
            raise pickle_refusal(folder)
        return "synthetic"
    if requested == "checkpoint" and not folder.has_checkpoint:
        if folder.pickle_names:
            raise pickle_refusal(folder)
        raise InvalidRequest.of("no_safetensors", folder=str(folder.root))
    return requested


def bench_run(
    path: str | Path, opts: BenchOptions, progress: Progress | None = None
) -> dict[str, Any]:
    """Measure one model folder; returns the JSON-able result (see profiler.bench)."""
    progress = progress or _noop
    opts.check()
    progress("inspect", 1)
    folder = folder_inspect(path)
    mode = mode_resolve(folder, opts.mode)

    import torch
    import transformers

    if opts.device == "cuda" and not torch.cuda.is_available():
        raise DeviceUnavailable.of("cuda_missing")
    torch.manual_seed(opts.seed)
    notes: list[str] = list(folder.notes)
    raw = dict(folder.config)
    if raw.get("auto_map"):
        notes.append("config.json has auto_map: ignored; the native transformers class is used.")
    if mode != "checkpoint" and raw.pop("quantization_config", None) is not None:
        notes.append(
            f"quantization_config dropped: synthetic weights are plain {opts.dtype}, so memory "
            "and speed are those of an unquantised model of the same shapes."
        )
    max_pos = raw.get("max_position_embeddings")
    if isinstance(max_pos, int) and opts.prompt_len + opts.new_tokens > max_pos:
        raise InvalidRequest.of(
            "length_over_max", length=opts.prompt_len + opts.new_tokens, max=max_pos
        )

    architecture_check(raw)  # an architecture transformers lacks is said first, as such
    progress("estimate", 3)
    est = estimate_from_config(
        folder.config,
        dtype=opts.dtype,
        batch=opts.batch,
        prompt_len=opts.prompt_len,
        new_tokens=opts.new_tokens,
    )
    notes.extend(est.notes)
    cuda = opts.device == "cuda"
    gpu_name = torch.cuda.get_device_name() if cuda else None
    gpu_memory_bytes = torch.cuda.get_device_properties(0).total_memory if cuda else None
    gpu_free_bytes = torch.cuda.mem_get_info()[0] if cuda else None
    if cuda:
        cuda_dtype_check(opts.dtype, str(gpu_name), torch.cuda.get_device_capability())
    else:
        note = cpu_half_precision_note(opts.dtype, torch.backends.cpu.get_cpu_capability())
        if note:
            notes.append(note)
    _host_memory_check(est, opts, mode)  # sliced builds a few layers: it is the way out

    try:
        if mode == "sliced":
            result_core = _measure_sliced(folder, raw, opts, progress, notes)
        else:
            result_core = _measure_full(folder, raw, mode, opts, progress, notes)
    except Exception as exc:
        error = measurement_error(exc, est, opts, gpu_memory_bytes, gpu_free_bytes)
        _release_after_error(exc, opts)
        if error is None:
            raise
        if error is exc:
            raise
        raise error from exc

    if mode in ("synthetic", "sliced"):
        if _is_moe(raw):
            notes.append(
                "MoE routing of random weights differs from the trained router: expert load "
                "is not the real one, so decode tokens/s may differ from the real checkpoint."
            )
        notes.append(
            "random weights: generated tokens are meaningless; timing and memory are real."
        )

    result: dict[str, Any] = {
        "mode": mode,
        "extrapolated": mode == "sliced",
        "device": opts.device,
        "dtype": opts.dtype,
        "batch": opts.batch,
        "prompt_len": opts.prompt_len,
        "new_tokens": opts.new_tokens,
        "iters": opts.iters,
        "warmup": opts.warmup,
        # decode tokens/s = batch x decode_steps / their time; the prefill's token is not in it
        "decode_steps": decode_steps(opts.new_tokens),
        "compile": opts.compile,
        "model_type": folder.config.get("model_type"),
        "gpu_name": gpu_name,
        "gpu_memory_bytes": gpu_memory_bytes,
        "torch_version": torch.__version__,
        "transformers_version": transformers.__version__,
        "python_version": platform.python_version(),
        "params_estimate": est.params_total,
        "active_params_estimate": est.params_active,
        "weights_bytes_estimate": est.weights_bytes,
        "kv_bytes_estimate": est.kv_bytes,
        **result_core,
    }
    result["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    roofline_gpu, roofline, how = (None, None, "")
    if cuda and gpu_name:
        roofline_gpu, roofline, how = roofline_for_device(
            est, gpu_name, dtype=opts.dtype, batch=opts.batch
        )
        if roofline is None:
            notes.append(f"no roofline: {how}.")
    result["roofline_gpu"] = roofline_gpu
    result["roofline_tokens_per_s"] = roofline
    result["roofline_fraction"] = (
        result["decode_tokens_per_s"]["median"] / roofline if roofline else None
    )
    result["residuals"] = residuals_compute(result, est)
    result["estimate"] = est.as_dict()
    result["notes"] = notes
    progress("done", 100)
    return result


def _is_moe(raw: dict[str, Any]) -> bool:
    keys = ("num_experts", "num_local_experts", "n_routed_experts", "moe_intermediate_size")
    return any(raw.get(k) for k in keys)


def _measure_full(
    folder: ModelFolder,
    raw: dict[str, Any],
    mode: str,
    opts: BenchOptions,
    progress: Progress,
    notes: list[str],
) -> dict[str, Any]:
    import torch

    cuda = opts.device == "cuda"
    progress("build" if mode == "synthetic" else "load", 10)
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    before = torch.cuda.memory_allocated() if cuda else 0
    model, cfg = _build(folder, raw, mode, opts)
    params_loaded, weights_counted = params_unique(model)
    active = params_active_counted(model, raw, params_loaded)
    allocated_after_load = torch.cuda.memory_allocated() if cuda else None
    progress("warmup", 40)
    timing = model_time(model, cfg, opts, progress, base_pct=40, span_pct=55)
    del model  # the only reference: what _release frees
    _release(compiled=opts.compile)
    notes.extend(timing.notes)
    loaded = allocated_after_load - before if allocated_after_load is not None else None
    out = _core_result(params_loaded, weights_counted, loaded, timing, cuda)
    out["params_active_counted"] = active
    out["allocated_after_load_bytes"] = allocated_after_load
    out["cache"] = timing.cache_kind
    return out


def _core_result(
    params_loaded: int,
    weights_counted: int,
    weights_allocated: int | None,
    timing: _Timing,
    cuda: bool,
) -> dict[str, Any]:
    """``weights_counted``: numel x element size of the loaded parameters (a count, on every
    device); ``weights_allocated``: the CUDA memory the build or load allocated
    (``torch.cuda.memory_allocated()`` after it minus before it), None on CPU, where nothing
    measures it."""
    import torch

    peak_allocated = None
    peak_reserved = None
    if cuda:
        peak_allocated = max(timing.peak_prefill_bytes or 0, timing.peak_decode_bytes or 0)
        peak_reserved = torch.cuda.max_memory_reserved()
    return {
        "params_loaded": params_loaded,
        "weights_bytes_counted": weights_counted,
        "weights_bytes_allocated": weights_allocated,
        "peak_allocated_bytes": peak_allocated,
        "peak_reserved_bytes": peak_reserved,
        "peak_prefill_allocated_bytes": timing.peak_prefill_bytes,
        "peak_decode_allocated_bytes": timing.peak_decode_bytes,
        "kv_bytes_cache": timing.kv_cache_bytes,
        "prefill_ms": statistics.median(timing.prefill_ms),
        "prefill_ms_runs": timing.prefill_ms,
        "decode_tokens_per_s": _stats(timing.decode_tokens_per_s),
        "decode_tokens_per_s_runs": timing.decode_tokens_per_s,
    }


def slice_extrapolate(
    first: list[float], second: list[float], *, layers: tuple[int, int], total_layers: int
) -> tuple[list[float], bool]:
    """Per-run costs (ms) of the k- and 2k-layer builds -> the whole model's, linear per layer.

    Runs are paired by rank (i-th fastest with i-th fastest), not by the order they ran in:
    the two builds' runs are independent, and pairing a cold first run of one with a warm run of
    the other made a 1.2 s prefill into 14.8 s. Each pair's value is linear in the pair, so
    with an odd number of runs the middle pair (the two builds' medians) gives the
    extrapolation of the medians, and with an even number the mean of the two middle pairs'
    values is the extrapolation of the medians (each the mean of its two middle runs). That is
    the median of the returned values when neither middle pair's slope is clamped at 0 and the
    values rise with rank, as they do unless the big build's runs are much closer together than
    the small build's. The caller takes the median of decode tokens/s, 1000 / ms: the same
    value for an odd number of runs, but for an even number the mean of the two middle rates,
    a little above 1000 over the mean of their ms.
    The second value is False when the 2k build's median was not slower than the k build's:
    no per-layer cost can be fitted (timing noise on a busy machine) and, the slope clamped
    at 0, the figures are the k-layer build's, which the caller must say.
    """
    l1, l2 = layers
    fitted = statistics.median(second) > statistics.median(first)
    values = []
    for x1, x2 in zip(sorted(first), sorted(second), strict=True):
        per_layer = max(0.0, (x2 - x1) / (l2 - l1))
        values.append(x1 + per_layer * (total_layers - l1))
    return values, fitted


def _measure_sliced(
    folder: ModelFolder,
    raw: dict[str, Any],
    opts: BenchOptions,
    progress: Progress,
    notes: list[str],
) -> dict[str, Any]:
    """Build k and 2k layers, fit cost = fixed + per_layer x layers, extrapolate to all layers.

    Per-layer time and bytes are assumed equal across layers; interleaved patterns (sliding vs
    full attention, dense vs MoE layers) are approximated by the first 2k layers.
    """
    import torch

    cuda = opts.device == "cuda"
    total_layers = _layer_count(raw)
    k = min(opts.slice_layers, max(1, total_layers // 2))
    if 2 * k > total_layers:
        notes.append("the model has too few layers to slice; measured in full instead.")
        return {
            **_measure_full(folder, raw, "synthetic", opts, progress, notes),
            "slice_layers": None,
        }
    points: list[tuple[int, dict[str, Any]]] = []
    cache_kind = "dynamic"
    for i, layers in enumerate((k, 2 * k)):
        base = 10 + 45 * i
        progress("build", base)
        before = torch.cuda.memory_allocated() if cuda else 0
        sliced = config_slice(raw, layers)
        model, cfg = _build(folder, sliced, "synthetic", opts)
        params_loaded, weights_counted = params_unique(model)
        active = params_active_counted(model, sliced, params_loaded)
        loaded = torch.cuda.memory_allocated() - before if cuda else None
        timing = model_time(model, cfg, opts, progress, base_pct=base + 5, span_pct=40)
        # Dropped before the next build: otherwise the k-layer model is still on the device
        # while the 2k-layer one is built and timed (its peak would count both).
        del model
        _release(compiled=opts.compile)
        point = _core_result(params_loaded, weights_counted, loaded, timing, cuda)
        point["params_active_counted"] = active
        points.append((layers, point))
        cache_kind = timing.cache_kind
        notes.extend(n for n in timing.notes if n not in notes)
    (l1, a), (l2, b) = points

    def extrapolate(x1: float, x2: float) -> float:
        # a layer never costs less than nothing: a negative slope (timing noise) is clamped
        per_layer = max(0.0, (x2 - x1) / (l2 - l1))
        return x1 + per_layer * (total_layers - l1)

    # Time per decoded token is what is linear in layers, not tokens/s.
    decode_ms, decode_fitted = slice_extrapolate(
        [1000.0 / v for v in a["decode_tokens_per_s_runs"]],
        [1000.0 / v for v in b["decode_tokens_per_s_runs"]],
        layers=(l1, l2),
        total_layers=total_layers,
    )
    decode = [1000.0 / ms for ms in decode_ms]
    prefill, prefill_fitted = slice_extrapolate(
        a["prefill_ms_runs"], b["prefill_ms_runs"], layers=(l1, l2), total_layers=total_layers
    )

    def ext_int(key: str) -> int | None:
        if a[key] is None or b[key] is None:
            return None
        return round(extrapolate(a[key], b[key]))

    notes.append(
        f"extrapolated: built {l1} and {l2} of {total_layers} layers and extrapolated "
        "linearly per layer (parameters, memory, prefill ms, decode ms per token)."
    )
    # A clamped slope (see slice_extrapolate) leaves the small build's figure: said, per figure.
    if not prefill_fitted:
        notes.append(
            f"timing noise: the {l2}-layer build's prefill was not slower than the {l1}-layer "
            f"build's, so no time per layer could be fitted: prefill ms is the {l1}-layer "
            "build's, well below the whole model's. Measure again on an idle machine."
        )
    if not decode_fitted:
        notes.append(
            f"timing noise: the {l2}-layer build's decode was not slower than the {l1}-layer "
            f"build's, so no time per layer could be fitted: decode tokens/s is the "
            f"{l1}-layer build's, well above the whole model's. Measure again on an idle machine."
        )
    return {
        "params_loaded": ext_int("params_loaded"),
        "params_active_counted": ext_int("params_active_counted"),
        "weights_bytes_counted": ext_int("weights_bytes_counted"),
        "weights_bytes_allocated": ext_int("weights_bytes_allocated"),
        "peak_allocated_bytes": ext_int("peak_allocated_bytes"),
        "peak_reserved_bytes": ext_int("peak_reserved_bytes"),
        "peak_prefill_allocated_bytes": ext_int("peak_prefill_allocated_bytes"),
        "peak_decode_allocated_bytes": ext_int("peak_decode_allocated_bytes"),
        "kv_bytes_cache": ext_int("kv_bytes_cache"),
        "allocated_after_load_bytes": None,
        "prefill_ms": statistics.median(prefill),
        "prefill_ms_runs": prefill,
        "decode_tokens_per_s": _stats(decode),
        "decode_tokens_per_s_runs": decode,
        "slice_layers": [l1, l2],
        "slice_points": {str(l1): a, str(l2): b},
        "cache": cache_kind,
    }


def residuals_compute(result: dict[str, Any], est: Estimate) -> dict[str, Any]:
    """Measured minus analytic. ``memory_fraction`` = (CUDA memory the load allocated -
    estimate) / estimate, checked against ``WEIGHTS_MEMORY_TOLERANCE``; None on CPU, where
    nothing measures it. ``weights_counted_fraction`` compares the count (numel x element size
    of the loaded tensors) with the estimate: a dtype check, not a memory one, so no tolerance."""
    params = None
    if est.params_total is not None and result.get("params_loaded") is not None:
        params = result["params_loaded"] - est.params_total
    active = None
    if est.params_active is not None and result.get("params_active_counted") is not None:
        active = result["params_active_counted"] - est.params_active
    memory_fraction = None
    if est.weights_bytes and result.get("weights_bytes_allocated") is not None:
        memory_fraction = (
            result["weights_bytes_allocated"] - est.weights_bytes
        ) / est.weights_bytes
    counted_fraction = None
    if est.weights_bytes and result.get("weights_bytes_counted") is not None:
        counted_fraction = (result["weights_bytes_counted"] - est.weights_bytes) / est.weights_bytes
    kv_fraction = None
    if est.kv_bytes and result.get("kv_bytes_cache") is not None:
        kv_fraction = (result["kv_bytes_cache"] - est.kv_bytes) / est.kv_bytes
    peak_fraction = None
    peak_estimate = None
    if est.weights_bytes and est.kv_bytes is not None and result.get("peak_allocated_bytes"):
        peak_estimate = est.weights_bytes + est.kv_bytes
        peak_fraction = (result["peak_allocated_bytes"] - peak_estimate) / peak_estimate
    return {
        "params": params,
        "params_match": params == 0 if params is not None else None,
        "params_active": active,
        "memory_fraction": memory_fraction,
        "memory_tolerance": WEIGHTS_MEMORY_TOLERANCE if memory_fraction is not None else None,
        "memory_within_tolerance": (
            abs(memory_fraction) <= WEIGHTS_MEMORY_TOLERANCE
            if memory_fraction is not None
            else None
        ),
        "weights_counted_fraction": counted_fraction,
        # the static KV cache's tensors vs the engine's KV estimate (batch x prompt + new)
        "kv_cache_fraction": kv_fraction,
        "peak_estimate_bytes": peak_estimate,
        "peak_fraction": peak_fraction,
        "peak_tolerance": PEAK_MEMORY_TOLERANCE,
    }
