"""Stored weight formats: quantization_config -> a normalized summary and bytes per weight.

Formats and their on-disk layout:
- FP8 block-wise (DeepSeek-V3, Qwen3-FP8): e4m3 weights, one fp32 ``weight_scale_inv`` per
  128x128 block (``weight_block_size``); norms, router gates, embeddings and lm_head stay bf16.
- MXFP4 (gpt-oss): expert weights as 4-bit ``*_blocks`` plus one e8m0 byte ``*_scales`` per
  32 values (OCP MX spec); ``modules_to_not_convert`` (attention, router, embeddings, lm_head)
  stay bf16.
- AWQ / GPTQ int4: 8 weights packed per int32 ``qweight``, fp16 ``scales`` and packed 4-bit
  ``qzeros`` per ``group_size`` input rows; embeddings, norms and lm_head stay fp16/bf16.
- compressed-tensors (llm-compressor's checkpoints: W4A16, W8A8 FP8 / int8, NVFP4): each
  ``config_groups`` entry names its weights' ``num_bits``, ``type`` and ``strategy``. Packed
  formats store 32 / bits values per int32 ``weight_packed`` (NVFP4: two per uint8 byte); the
  ``weight_scale`` is one per group, block, output channel or tensor, in the weights' dtype
  (NVFP4: fp8 per 16 values, plus an fp32 ``weight_global_scale``); a ``weight_zero_point``
  only for asymmetric schemes; a two-element ``weight_shape`` per linear. Each scheme sizes
  the linears its ``targets`` match, less the ``ignore`` list (``quant_targets``: FP8
  attention beside a W4A16 MLP, routers and lm_head left in bf16).
- NVIDIA ModelOpt (``quant_method: modelopt``): ``quant_algo`` FP8 (per-tensor scales) or
  NVFP4 (two 4-bit values per byte, an fp8 scale per ``group_size`` 16).
- bitsandbytes: 4-bit (two per byte, an fp32 absmax per 64; with
  ``bnb_4bit_use_double_quant`` an 8-bit absmax per 64 and an fp32 one per 256 of those) or
  8-bit (a scale per row).
"""

from __future__ import annotations

import re
from typing import Any

from axes.backbone.errors import ConfigError

# torch / config dtype names -> the short names reports and the KV-cache options use
DTYPE_SHORT_NAMES: dict[str, str] = {"bfloat16": "bf16", "float16": "fp16", "float32": "fp32"}
# the dtype the tensors are sized in where config.json names none (no torch_dtype / dtype:
# gpt-oss's MXFP4 checkpoints): a quantized checkpoint's unquantized tensors, as the bases
# write them ("MXFP4 experts (4.25 bits) + bf16 rest"); the weights_format fact says so too
ASSUMED_DTYPE = "bfloat16"

DTYPE_BYTES: dict[str, float] = {
    "float32": 4,
    "fp32": 4,
    "F32": 4,
    "bfloat16": 2,
    "bf16": 2,
    "BF16": 2,
    "float16": 2,
    "fp16": 2,
    "F16": 2,
    "float8_e4m3fn": 1,
    "fp8": 1,
    "F8_E4M3": 1,
    "F8_E5M2": 1,
    "int8": 1,
    "I8": 1,
    "U8": 1,
    "I32": 4,
    "I64": 8,
    "F64": 8,
    "int4": 0.5,
}


# GPTQ's group_size -1: no groups, one scale (and zero) per output channel
PER_CHANNEL = -1
_SIZE_MAX = 1_000_000  # a group or block of weights past any real checkpoint's


def _whole(value: Any) -> int | None:
    """An integer from a JSON value (4, 4.0, "4"), None for anything else (a bool included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _bits(qc: dict[str, Any]) -> int:
    key = "bits" if qc.get("bits") is not None else "w_bit"
    value = qc.get(key)
    if value is None:
        return 4
    bits = _whole(value)
    if bits is None or not 1 <= bits <= 16:
        path = f"quantization_config.{key}"
        raise ConfigError(
            f"{path} must be a whole number of bits from 1 to 16, not {value!r}; fix the value "
            "in config.json",
            key=path,
        )
    return bits


def _group_size(qc: dict[str, Any]) -> int:
    key = "group_size" if qc.get("group_size") is not None else "q_group_size"
    value = qc.get(key)
    if value is None:
        return 128
    size = _whole(value)
    if size is None or not (size == PER_CHANNEL or 1 <= size <= _SIZE_MAX):
        path = f"quantization_config.{key}"
        raise ConfigError(
            f"{path} must be a positive number of weights (or -1: one group per output "
            f"channel), not {value!r}; fix the value in config.json",
            key=path,
        )
    return size


def _block_size(
    value: Any, path: str = "quantization_config.weight_block_size"
) -> list[int] | None:
    """FP8's weight_block_size (or compressed-tensors' ``block_structure``, read at ``path``):
    two positive sizes ([128, 128]); absent or empty: per-tensor."""
    if value is None or value == []:
        return None
    sizes = [_whole(v) for v in value] if isinstance(value, list) else []
    if len(sizes) != 2 or any(v is None or not 1 <= v <= _SIZE_MAX for v in sizes):
        raise ConfigError(
            f"{path} must be two positive sizes, such as [128, 128], not {value!r}; fix the "
            "value in config.json",
            key=path,
        )
    return [int(v) for v in sizes if v is not None]


_STRATEGY_WORDS = {
    "group": "g{group}",
    "tensor_group": "g{group}",
    "channel": "per-channel",
    "tensor": "per-tensor",
    "block": "{block[0]}x{block[1]} blocks",
}


def _scheme_label(out: dict[str, Any]) -> str:
    """ "int4 g128", "FP8 per-channel", "NVFP4 g16", "int8 per-channel"."""
    bits, kind, strategy = out["bits"], out["weight_type"], out["strategy"]
    name = (
        "NVFP4"
        if kind == "float" and bits == 4
        else (f"FP{bits}" if kind == "float" else f"int{bits}")
    )
    words = _STRATEGY_WORDS.get(strategy, strategy)
    return f"{name} {words.format(group=out.get('group_size'), block=out.get('block_size'))}"


def _ct_scheme(name: str, group: Any, fmt: Any) -> dict[str, Any]:
    """One ``config_groups`` entry: its weights' scheme (``bits`` None: activations only, the
    weights it targets stay 16-bit) and its ``targets``; the sizes are checked (``ConfigError``
    naming the key)."""
    path = f"quantization_config.config_groups.{name}"
    group = group if isinstance(group, dict) else {}
    targets = _patterns(group.get("targets"), f"{path}.targets")
    weights = group.get("weights")
    out: dict[str, Any] = {"name": name, "targets": targets, "bits": None}
    if not isinstance(weights, dict):
        return out
    bits = _whole(weights.get("num_bits", 8))
    if bits is None or not 1 <= bits <= 16:
        raise ConfigError(
            f"{path}.weights.num_bits must be a whole number of bits from 1 to 16, not "
            f"{weights.get('num_bits')!r}; fix the value in config.json",
            key=f"{path}.weights.num_bits",
        )
    kind = str(weights.get("type") or "int").lower()
    strategy = str(weights.get("strategy") or "tensor").lower()
    out.update(
        bits=bits,
        weight_type=kind,
        strategy=strategy,
        symmetric=weights.get("symmetric", True) is not False,
        format=group.get("format") or fmt,
    )
    if strategy in ("group", "tensor_group"):
        size = _whole(weights.get("group_size"))
        if size is None or not 1 <= size <= _SIZE_MAX:
            raise ConfigError(
                f"{path}.weights.group_size must be a positive number of weights, not "
                f"{weights.get('group_size')!r}; fix the value in config.json",
                key=f"{path}.weights.group_size",
            )
        out["group_size"] = size
    elif strategy == "block":
        block = _block_size(weights.get("block_structure"), f"{path}.weights.block_structure")
        out["block_size"] = block or [128, 128]
    acts = group.get("input_activations")
    act_bits = _whole(acts.get("num_bits")) if isinstance(acts, dict) else None
    out["scheme"] = f"W{bits}A{act_bits or 16}"
    # static activation scales are stored per linear (NVFP4, dynamic "local": an fp32
    # input_global_scale); dynamic ones (true) are computed at run time
    out["static_inputs"] = (
        bool(act_bits) and isinstance(acts, dict) and acts.get("dynamic") is not True
    )
    out["label"] = _scheme_label(out)
    return out


def _patterns(value: Any, path: str) -> list[str] | None:
    """compressed-tensors' ``targets`` / ``ignore``: module names, class names and ``re:``
    patterns (absent: None). A list of anything else, or a pattern ``re`` refuses, is the
    config's mistake (``ConfigError`` naming the key)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    bad = not isinstance(value, list) or not all(isinstance(v, str) and v for v in value)
    if not bad:
        try:
            for v in value:
                if v.startswith("re:"):
                    re.compile(v[3:])
        except (re.error, OverflowError, RecursionError):  # a{4294967296}, ((((...))))
            bad = True
    if bad:
        raise ConfigError(
            f"{path} must be a list of module names, class names or re: patterns, not "
            f"{value!r}; fix the value in config.json",
            key=path,
        )
    return list(value)


def _compressed_tensors(qc: dict[str, Any]) -> dict[str, Any]:
    """A compressed-tensors config: the first ``config_groups`` weight scheme's figures at the
    top (what a single-scheme checkpoint, llm-compressor's presets, is), every scheme with its
    ``targets`` in ``schemes`` and the ``ignore`` list, from which
    ``quant_targets.place_schemes`` sizes each scheme by the linears it quantizes."""
    groups = qc.get("config_groups")
    ignore = _patterns(qc.get("ignore"), "quantization_config.ignore")
    if not isinstance(groups, dict) or not groups:
        # no weight scheme (a KV-cache-only config, say): the weights stay in their dtype
        return {"label": "compressed-tensors (no weight scheme)"}
    fmt = qc.get("format")
    schemes = [_ct_scheme(str(name), group, fmt) for name, group in groups.items()]
    first = next((s for s in schemes if s["bits"] is not None), None)
    if first is None:
        return {"label": "compressed-tensors (activations only)"}
    out: dict[str, Any] = {
        k: first[k] for k in ("bits", "weight_type", "strategy", "symmetric", "format", "scheme")
    }
    for k in ("group_size", "block_size"):
        if k in first:
            out[k] = first[k]
    label = f"{first['label']} ({first['scheme']}, compressed-tensors)"
    others = [f"{s['label']} ({s['scheme']})" for s in schemes if s["bits"] and s is not first]
    if others:
        label += " + " + " + ".join(others)
    out["config_groups"] = len(groups)
    out["schemes"] = schemes
    out["ignore"] = ignore or []
    out["label"] = label
    return out


def _modelopt(qc: dict[str, Any]) -> dict[str, Any]:
    """NVIDIA ModelOpt's checkpoints: FP8 (per-tensor scales) or NVFP4 (fp8 scale per 16)."""
    algo = str(qc.get("quant_algo") or "").upper()
    if algo == "FP8":
        out = {"bits": 8, "weight_type": "float", "strategy": "tensor"}
    elif algo == "NVFP4":
        size = _whole(qc.get("group_size", 16))
        if size is None or not 1 <= size <= _SIZE_MAX:
            raise ConfigError(
                "quantization_config.group_size must be a positive number of weights, not "
                f"{qc.get('group_size')!r}; fix the value in config.json",
                key="quantization_config.group_size",
            )
        out = {"bits": 4, "weight_type": "float", "strategy": "tensor_group", "group_size": size}
    else:
        return {"label": f"modelopt {algo or '(no quant_algo)'}"}
    out["label"] = f"{_scheme_label(out)} (ModelOpt)"
    return out


def quantization_summary(qc: dict[str, Any]) -> dict[str, Any]:
    """Normalize a quantization_config into {method, bits, block/group, excluded modules}.

    The sizes the byte counts divide and multiply by are checked (``ConfigError`` naming the
    key): a config is the repo's file, and ``"bits": "four"`` or a zero block is its mistake."""
    method = str(qc.get("quant_method") or qc.get("quant_algo") or "unknown").lower()
    out: dict[str, Any] = {"method": method}
    if method == "fp8":
        out["bits"] = 8
        out["format"] = qc.get("fmt") or "e4m3"
        block = _block_size(qc.get("weight_block_size"))
        out["block_size"] = block
        out["label"] = "FP8 block-wise" if block else "FP8"
    elif method == "mxfp4":
        out["bits"] = 4
        out["group_size"] = 32
        out["label"] = "MXFP4 (experts)"
    elif method in ("awq", "gptq"):
        out["bits"] = _bits(qc)
        out["group_size"] = _group_size(qc)
        groups = "per-channel" if out["group_size"] == PER_CHANNEL else f"g{out['group_size']}"
        out["label"] = f"{method.upper()} int{out['bits']} {groups}"
    elif method in ("bitsandbytes",):
        out["bits"] = 4 if qc.get("load_in_4bit") else 8
        kind = str(qc.get("bnb_4bit_quant_type") or "nf4") if out["bits"] == 4 else "int8"
        out["label"] = f"bitsandbytes {kind}"
        if out["bits"] == 4 and qc.get("bnb_4bit_use_double_quant") is True:
            out["double_quant"] = True
    elif method == "compressed-tensors":
        out.update(_compressed_tensors(qc))
    elif method == "modelopt":
        out.update(_modelopt(qc))
    else:
        out["label"] = method
    skip = (
        qc.get("modules_to_not_convert")
        or qc.get("ignored_layers")
        or qc.get("ignore")
        or qc.get("exclude_modules")
        or []
    )
    out["modules_not_converted"] = len(skip) if isinstance(skip, list) else 0
    return out


def fp8_block_bytes(total_params: int, quantizable_params: int, block_elements: int) -> int:
    """FP8 block-wise: the decoder linears at 1 B + one fp32 scale per block of
    ``block_elements`` weights (approx.: per matrix the blocks round up), the rest at 16 bits."""
    scales = quantizable_params // block_elements
    return quantizable_params + scales * 4 + (total_params - quantizable_params) * 2


def group_quantized_bytes(
    total_params: int, quantizable_params: int, bits: int, groups: int
) -> int:
    """AWQ / GPTQ: the decoder linears packed at ``bits`` + per group of ``groups`` input rows
    and per output column an fp16 scale and a packed zero; the rest at 16 bits. ``groups``
    ``PER_CHANNEL`` (GPTQ's -1): one scale and zero per output channel, a few bytes per row of
    thousands of weights, left out."""
    q = quantizable_params * bits // 8
    meta = 0 if groups == PER_CHANNEL else (quantizable_params // max(groups, 1)) * (2 + bits / 8)
    return int(q + meta + (total_params - quantizable_params) * 2)


def stored_bytes(
    *,
    total_params: int,
    quantizable_params: int,
    expert_params: int,
    dtype: str | None,
    quantization: dict[str, Any] | None,
    placed: list[tuple[dict[str, Any], int, int, int, int]] | None = None,
) -> tuple[int, str]:
    """Bytes on disk of the weights in their stored format, and a one-line basis.

    ``quantizable_params`` are the linear weights of the decoder layers (not embeddings,
    lm_head, norms or routers); ``expert_params`` the routed-expert weights (what MXFP4
    converts). AWQ/GPTQ keep one scale and zero per group of input rows per output column.
    ``placed``: compressed-tensors' schemes placed on the linears their targets match
    (``quant_targets.place_schemes``); without it the first scheme sizes every decoder linear.
    """
    base = DTYPE_BYTES.get(dtype or ASSUMED_DTYPE, 2)
    if not quantization:
        size = "2" if base == 2 else f"{base:g}"  # the common case without a format spec
        return int(total_params * base), f"{total_params:,} params × {size} B ({dtype or 'bf16'})"
    method = quantization["method"]
    rest_bytes = 2  # unquantized tensors stay 16-bit
    if method == "fp8":
        block = quantization.get("block_size")
        if not block:  # per-tensor scales (NVIDIA ModelOpt, fbgemm): a few scalars per linear
            total = quantizable_params + (total_params - quantizable_params) * rest_bytes
            return int(total), "fp8 decoder linears (per-tensor scales) + bf16 rest"
        total = fp8_block_bytes(total_params, quantizable_params, block[0] * block[1])
        return total, "fp8 decoder linears + fp32 block scales + bf16 rest"
    if method == "mxfp4":
        packed = expert_params // 2 + expert_params // 32  # 4-bit values + e8m0 per 32
        total = packed + (total_params - expert_params) * rest_bytes
        return int(total), "MXFP4 experts (4.25 bits) + bf16 rest"
    if method in ("awq", "gptq"):
        bits = quantization.get("bits", 4)
        groups = quantization.get("group_size", 128)
        per = "output channel" if groups == PER_CHANNEL else f"group of {groups}"
        return (
            group_quantized_bytes(total_params, quantizable_params, bits, groups),
            f"int{bits} packed decoder linears + fp16 scales/zeros per {per} + 16-bit rest",
        )
    if placed is not None:
        return placed_bytes(total_params, placed, base)
    if method in ("compressed-tensors", "modelopt") and quantization.get("bits"):
        return _scheme_bytes(total_params, quantizable_params, quantization, base)
    if method == "bitsandbytes":
        if quantization.get("double_quant"):
            # bitsandbytes functional.quantize_4bit(compress_statistics=True): the absmax of
            # each 64 values quantized to 8 bits (quantize_blockwise, blocksize=256), an fp32
            # absmax per 256 of those (QuantState.as_dict: absmax uint8, nested_absmax fp32)
            total = quantizable_params // 2 + quantizable_params // 64
            total += -(-quantizable_params // (64 * 256)) * 4
            total += (total_params - quantizable_params) * rest_bytes
            return int(total), (
                "4-bit decoder linears + 8-bit absmax per 64 (double quant: fp32 per 256 "
                "absmax) + 16-bit rest"
            )
        if quantization.get("bits") == 4:  # two per byte + an fp32 absmax per 64 values
            total = quantizable_params // 2 + quantizable_params // 64 * 4
            total += (total_params - quantizable_params) * rest_bytes
            return int(total), "4-bit decoder linears + fp32 absmax per 64 + 16-bit rest"
        total = quantizable_params + (total_params - quantizable_params) * rest_bytes
        return int(total), "int8 decoder linears (a scale per row) + 16-bit rest"
    return int(total_params * base), f"unknown method {method}: counted at {base:g} B/param"


def _scheme_bytes(
    total_params: int, quantizable_params: int, q: dict[str, Any], base: float
) -> tuple[int, str]:
    """compressed-tensors / ModelOpt: the decoder linears at ``bits`` (packed), their scales
    per group or block in the weights' dtype (NVFP4: fp8), zero points for asymmetric
    schemes; per-channel and per-tensor scales are a few bytes per row of thousands of
    weights, left out. The rest at 16 bits."""
    bits, strategy = q["bits"], q.get("strategy")
    nvfp4 = q.get("weight_type") == "float" and bits == 4
    scale_bytes = 1 if nvfp4 else max(base, 2)
    values = quantizable_params * bits / 8
    if strategy in ("group", "tensor_group"):
        per = q["group_size"]
    elif strategy == "block":
        per = q["block_size"][0] * q["block_size"][1]
    else:
        per = 0
    scales = quantizable_params // per if per else 0
    zeros = 0 if q.get("symmetric", True) else scales * bits / 8
    total = values + scales * scale_bytes + zeros + (total_params - quantizable_params) * 2
    words = _scheme_label(q)
    scale_word = "fp8" if nvfp4 else ("16-bit" if scale_bytes == 2 else f"{scale_bytes:g} B")
    per_word = (
        f"a {scale_word} scale per {per:,} values" if per else f"{strategy} scales (a few bytes)"
    )
    zero_word = " and a zero point" if zeros else ""
    return int(total), f"{words} decoder linears + {per_word}{zero_word} + 16-bit rest"


def scheme_weight_bytes(
    q: dict[str, Any], weights: int, rows: int, linears: int, base: float
) -> float:
    """Bytes of ``weights`` linear weights (``rows`` output rows over ``linears`` matrices)
    stored in one compressed-tensors scheme ``q``, as compressed-tensors lays them out: the
    values (packed: 32 / bits per int32, NVFP4 two per byte), a scale per group, block,
    output row (strategy "channel") or matrix (``initialize_qparams``) in the weights' dtype
    (NVFP4: fp8, plus an fp32 ``weight_global_scale``), zero points for asymmetric schemes
    (packed as the values), static input scales and pack-quantized's ``weight_shape`` (two
    int64) per matrix."""
    bits, strategy = q["bits"], q.get("strategy")
    nvfp4 = q.get("weight_type") == "float" and bits == 4
    scale_bytes = 1 if nvfp4 else max(base, 2)
    if strategy in ("group", "tensor_group"):
        scales = weights // q["group_size"]
    elif strategy == "block":
        scales = weights // (q["block_size"][0] * q["block_size"][1])
    elif strategy == "channel":
        scales = rows
    else:
        scales = linears
    total = weights * bits / 8 + scales * scale_bytes
    if not q.get("symmetric", True):
        total += scales * bits / 8
    if nvfp4:
        total += linears * 4  # weight_global_scale
    if q.get("static_inputs"):
        total += linears * (4 if nvfp4 else scale_bytes)
    if str(q.get("format") or "").startswith("pack"):
        total += linears * 16  # weight_shape
    return total


def placed_bytes(
    total_params: int, placed: list[tuple[dict[str, Any], int, int, int, int]], base: float
) -> tuple[int, str]:
    """Bytes on disk of a compressed-tensors checkpoint whose schemes were placed on the
    model's linears (``quant_targets.place_schemes``: per scheme its weights, output rows and
    matrices); every weight no scheme quantizes at 16 bits. And the one-line basis."""
    total = 0.0
    quantized = 0
    words = []
    for q, weights, rows, linears, _experts in placed:
        if not weights:
            continue
        total += scheme_weight_bytes(q, weights, rows, linears, base)
        quantized += weights
        words.append(f"{q['label']} on {weights:,} params")
    total += (total_params - quantized) * 2
    scheme_words = " + ".join(words) or "no linear quantized"
    return int(total), f"{scheme_words} (config_groups by targets, with their scales) + 16-bit rest"


# The formats ``memory.weights_bytes.fp8`` / ``.int4`` size a checkpoint in, as real ones are
# made: DeepSeek-V3 / Qwen3-FP8 (e4m3, 128x128 fp32 block scales) and AutoAWQ's default
# (int4, group 128, GEMM); whatever these leave unconverted stays 16-bit.
FP8_BLOCK_128: dict[str, Any] = {"method": "fp8", "block_size": [128, 128]}
AWQ_INT4_G128: dict[str, Any] = {"method": "awq", "bits": 4, "group_size": 128}
_REST = "embeddings, lm_head, norms, routers and biases at 16 bits"
WEIGHTS_BASIS: dict[str, str] = {
    "bf16": "every parameter at 2 B",
    "fp8": f"a block-wise FP8 checkpoint: decoder linears at 1 B + an fp32 scale per 128x128 "
    f"block; {_REST}",
    "int4": f"an AWQ int4 g128 checkpoint: decoder linears at 4 bits + an fp16 scale and a "
    f"4-bit zero per 128 inputs; {_REST}",
}


def format_bytes(*, total_params: int, quantizable_params: int) -> tuple[int, int]:
    """(fp8 bytes, int4 bytes) of the whole model in the layouts ``WEIGHTS_BASIS`` names: what
    ``stored_bytes`` gives for a block-wise FP8 (``FP8_BLOCK_128``) and an AWQ int4 g128
    (``AWQ_INT4_G128``) quantization, without building its basis strings. Both convert the
    routed experts as the other decoder linears (``quantizable_params`` holds them)."""
    return (
        fp8_block_bytes(total_params, quantizable_params, 128 * 128),
        group_quantized_bytes(total_params, quantizable_params, 4, 128),
    )


# The same bases as structured fields, for a reader that words them in its own language
# (``manage.py analyze``: ``axes.cli.weights_basis_text``): a ``format`` naming the layout and
# the figures its sentence holds. The English one-line bases above stay as they are (the JSON
# report's ``weights_basis`` / ``stored_basis``, for scripts); these sit beside them as
# ``weights_basis_fields``.
def weights_basis_fields() -> dict[str, dict[str, Any]]:
    """``WEIGHTS_BASIS`` as fields, built afresh for each report (no list shared between
    reports)."""
    return {
        "bf16": {"format": "every_param", "bytes_per_param": 2},
        "fp8": {"format": "fp8_block_checkpoint", "block_size": [128, 128]},
        "int4": {"format": "awq_int4_checkpoint", "bits": 4, "group_size": 128},
    }


def stored_basis_fields(
    *,
    total_params: int,
    dtype: str | None,
    quantization: dict[str, Any] | None,
    placed: list[tuple[dict[str, Any], int, int, int, int]] | None = None,
) -> dict[str, Any]:
    """The basis ``stored_bytes`` writes as one English line, as fields: ``format`` (which of
    its sentences) and the figures in it (the parameter count, bytes per parameter, bits,
    group, the schemes placed by targets). Branch for branch as ``stored_bytes`` chooses."""
    base = DTYPE_BYTES.get(dtype or ASSUMED_DTYPE, 2)
    if not quantization:
        return {
            "format": "unquantized",
            "params": total_params,
            "bytes_per_param": base,
            "dtype": dtype or "bf16",
        }
    method = quantization["method"]
    if method == "fp8":
        block = quantization.get("block_size")
        if not block:
            return {"format": "fp8_per_tensor"}
        return {"format": "fp8_block", "block_size": list(block)}
    if method == "mxfp4":
        return {"format": "mxfp4"}
    if method in ("awq", "gptq"):
        groups = quantization.get("group_size", 128)
        return {
            "format": "group_quantized",
            "method": method,
            "bits": quantization.get("bits", 4),
            "group_size": None if groups == PER_CHANNEL else groups,
        }
    if placed is not None:
        schemes = [
            {"label": q["label"], "params": weights} for q, weights, *_rest in placed if weights
        ]
        return {"format": "placed_schemes", "schemes": schemes}
    if method in ("compressed-tensors", "modelopt") and quantization.get("bits"):
        q = quantization
        strategy = q.get("strategy")
        nvfp4 = q.get("weight_type") == "float" and q["bits"] == 4
        scale_bytes = 1 if nvfp4 else max(base, 2)
        if strategy in ("group", "tensor_group"):
            per = q["group_size"]
        elif strategy == "block":
            per = q["block_size"][0] * q["block_size"][1]
        else:
            per = 0
        return {
            "format": "scheme",
            "label": _scheme_label(q),
            "scale": "fp8" if nvfp4 else ("16-bit" if scale_bytes == 2 else f"{scale_bytes:g} B"),
            "values_per_scale": per or None,
            "strategy": strategy,
            "zero_point": bool(per) and not q.get("symmetric", True),
        }
    if method == "bitsandbytes":
        if quantization.get("double_quant"):
            return {"format": "bnb_4bit_double_quant"}
        if quantization.get("bits") == 4:
            return {"format": "bnb_4bit"}
        return {"format": "bnb_int8"}
    return {"format": "unknown_method", "method": method, "bytes_per_param": base}
