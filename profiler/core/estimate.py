"""The analytic side of a measurement: what ``axes.backbone.analyze_config`` predicts.

The profiler compares what it loads and times against this estimate. The backbone module is
another part of the project; this adapter reads its report defensively (dict or attributes) so
the measurement still runs, with a note, when an estimate is unavailable.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DTYPE_BYTES = {"bfloat16": 2, "float16": 2, "float32": 4}
# CUDA memory allocated by the load vs. params x dtype bytes: all parameters are materialised in
# one dtype; buffers (rotary inv_freq, masks) and the caching allocator's rounding of each tensor
# to 512 B come on top. On CPU nothing measures the weights' memory: the figure there is counted
# from the loaded tensors (numel x element size) and is not checked against this.
WEIGHTS_MEMORY_TOLERANCE = 0.02
# Peak vs. weights + KV cache: activations, logits and the allocator's rounding come on top.
PEAK_MEMORY_TOLERANCE = 0.25


@dataclass
class Estimate:
    params_total: int | None = None
    params_active: int | None = None
    # weights one decode step reads: the engine's compute.decode_bytes_detail.weight_params
    # (active, the input embedding as the one row a token looks up, no vision tower)
    params_decode_read: int | None = None
    weights_bytes: int | None = None  # params_total x bytes of the requested dtype
    kv_bytes: int | None = None  # KV cache for batch x (prompt + new) tokens, as reported
    roofline_tokens_per_s: dict[str, float] = field(default_factory=dict)  # gpu -> tok/s
    gpus: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "params_total": self.params_total,
            "params_active": self.params_active,
            "params_decode_read": self.params_decode_read,
            "weights_bytes": self.weights_bytes,
            "kv_bytes": self.kv_bytes,
            "roofline_tokens_per_s": self.roofline_tokens_per_s,
            "notes": self.notes,
        }


def _get(obj: Any, dotted: str) -> Any:
    for key in dotted.split("."):
        if obj is None:
            return None
        if isinstance(obj, Mapping):
            obj = obj.get(key)
        else:
            obj = getattr(obj, key, None)
    return obj


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return int(value)
    return None


def _to_plain(obj: Any) -> Any:
    """Best effort JSON-able copy of a report (dataclasses, mappings, lists)."""
    if isinstance(obj, Mapping):
        return {str(k): _to_plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_to_plain(v) for v in obj]
    if hasattr(obj, "__dataclass_fields__"):
        return {k: _to_plain(getattr(obj, k)) for k in obj.__dataclass_fields__}
    if isinstance(obj, str | int | float | bool) or obj is None:
        return obj
    return str(obj)


def estimate_from_config(
    config: dict[str, Any], *, dtype: str, batch: int, prompt_len: int, new_tokens: int
) -> Estimate:
    est = Estimate()
    try:
        from axes import backbone  # pure module: no Django, no torch
        from axes.backbone.errors import ConfigError
        from axes.backbone.quantization import DTYPE_SHORT_NAMES
    except ImportError as exc:
        est.notes.append(f"no analytic estimate: axes.backbone is not importable ({exc}).")
        return est
    est.gpus = dict(getattr(backbone, "GPUS", {}) or {})
    analyze = getattr(backbone, "analyze_config", None)
    if analyze is None:
        est.notes.append("no analytic estimate: axes.backbone has no analyze_config.")
        return est
    seq_len = prompt_len + new_tokens
    offered = {
        "context_len": seq_len,
        "batch": batch,
        "kv_dtype": DTYPE_SHORT_NAMES[dtype],
    }
    try:
        params = inspect.signature(analyze).parameters
        takes_kwargs = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
        kwargs = {k: v for k, v in offered.items() if k in params and not takes_kwargs}
        report = analyze(config, **kwargs)
    except ConfigError as exc:
        # a malformed config.json: transformers would fill the gaps with its class defaults (a
        # 4096-wide Llama for a config without hidden_size) and time a model that is not this one
        from profiler.core.errors import InvalidRequest

        raise InvalidRequest.of("config_unmeasurable", reason=str(exc).rstrip(".")) from exc
    except Exception as exc:  # the estimate is advisory; the measurement goes on
        est.notes.append(
            f"no analytic estimate: analyze_config failed ({type(exc).__name__}: {exc})."
        )
        return est
    est.raw = _to_plain(report)
    est.params_total = _as_int(_get(report, "params.total"))
    est.params_active = _as_int(_get(report, "params.active")) or est.params_total
    if est.params_total is not None:
        # Every parameter is materialised in the requested dtype, so weights are params x bytes.
        est.weights_bytes = est.params_total * DTYPE_BYTES[dtype]
    est.params_decode_read = (
        _as_int(_get(report, "compute.decode_bytes_detail.weight_params"))
        or _as_int(_get(report, "params.active_excluding_input_embedding"))
        or est.params_active
    )
    kv = _get(report, "memory.kv_bytes")
    # KV cache for batch x context in the requested dtype, plus recurrent state if any.
    est.kv_bytes = _as_int(_get(kv, "bytes")) if isinstance(kv, Mapping) else _as_int(kv)
    state = _as_int(_get(report, "memory.state_bytes_per_sequence")) or 0
    if est.kv_bytes is not None and state:
        est.kv_bytes += state * batch
    roofline = _get(report, "compute.roofline")
    if isinstance(roofline, Mapping):
        for gpu, value in roofline.items():
            tok_s = value if isinstance(value, int | float) else _get(value, "tokens_per_s")
            if isinstance(tok_s, int | float):
                est.roofline_tokens_per_s[str(gpu)] = float(tok_s)
    return est


def _tokens(name: str) -> set[str]:
    return {
        t for t in re.split(r"[^a-z0-9]+", name.lower()) if t and t not in ("nvidia", "geforce")
    }


def _chip(tokens: set[str]) -> set[str]:
    """The chip tokens ("h100", "a100", "4090"): letters and digits, or a bare model number."""
    return {t for t in tokens if re.search(r"\d", t) and not t.endswith(("gb", "gib"))}


def gpu_match(
    device_name: str, names: list[str], aliases: dict[str, str] | None = None
) -> str | None:
    """The table entry (key) that best fits a CUDA device name.

    An entry fits when its chip token ("h100") is in the device name; more shared tokens win
    ("A100-80GB" over "A100-40GB" for "NVIDIA A100-SXM4-80GB"). A PCIe entry never matches a
    device that does not say PCIe: the SXM parts report names like "NVIDIA H100 80GB HBM3".
    ``aliases`` maps a key to a longer display name whose tokens count as well.
    """
    device = _tokens(device_name)
    best: tuple[int, str] | None = None
    for key in names:
        tokens = _tokens(key) | _tokens((aliases or {}).get(key, ""))
        chips = _chip(_tokens(key)) or _chip(tokens)
        if not chips or not chips & device:
            continue
        if "pcie" in tokens and "pcie" not in device:
            continue
        score = len(tokens & device)
        if best is None or score > best[0]:
            best = (score, key)
    return best[1] if best else None


def _bandwidth_bytes_per_s(entry: Any) -> float | None:
    for key in ("hbm_bytes_per_s", "memory_bandwidth_bytes_per_s", "bandwidth_bytes_per_s"):
        value = _get(entry, key)
        if isinstance(value, int | float) and value > 0:
            return float(value)
    return None


def roofline_for_device(
    est: Estimate, device_name: str, *, dtype: str, batch: int
) -> tuple[str | None, float | None, str]:
    """(table name, decode tok/s at the HBM roofline, how it was found) for this GPU."""
    aliases = {k: str(_get(v, "name") or "") for k, v in est.gpus.items()}
    name = gpu_match(device_name, list(est.gpus), aliases)
    if name is None:
        name = gpu_match(device_name, list(est.roofline_tokens_per_s))
        if name is not None:
            return name, est.roofline_tokens_per_s[name], "axes.backbone compute.roofline"
        return None, None, f"{device_name!r} is not in the GPU table of axes.backbone"
    bandwidth = _bandwidth_bytes_per_s(est.gpus[name])
    if bandwidth is None or est.params_decode_read is None:
        if name in est.roofline_tokens_per_s:
            return name, est.roofline_tokens_per_s[name], "axes.backbone compute.roofline"
        return name, None, "the GPU table entry has no HBM bandwidth, or no active-parameter count"
    # Decode is bandwidth bound at small batch: every step reads the weights the engine says a
    # decode step reads (active; of the input embedding the one row a token looks up), here in
    # the run's dtype, plus the batch's KV cache and recurrent state: the rule and the function
    # of the engine's compute.roofline, which is batch 1 at the checkpoint's stored density.
    from axes.backbone.compute import decode_tokens_per_s

    tok_s = decode_tokens_per_s(
        bandwidth,
        weight_bytes=est.params_decode_read * DTYPE_BYTES[dtype],
        cache_bytes=est.kv_bytes or 0,
        batch=batch,
    )
    return name, tok_s, "batch × HBM bandwidth / (decode-read weights + KV cache and state)"
