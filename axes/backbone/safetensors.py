"""Compare the analytic count with what the checkpoint stores, and explain every difference.

Inputs, all optional and all parsed elsewhere (pure data here, like huggingface_hub's
``_parse_safetensors_header``): ``model.safetensors.index.json`` (``metadata.total_size`` in
bytes, sometimes ``metadata.total_parameters``, and ``weight_map`` names), the JSON headers of
the shard files (``{name: {dtype, shape, data_offsets}}``: exact shapes and dtypes) and the
Hub ``model_info().safetensors`` summary (``{"parameters": {dtype: count}, "total": n}``).

Known reasons a checkpoint holds more (or other) numbers than transformers builds:
MTP modules (DeepSeek ``model.layers.{N}``, Qwen3-Next ``mtp.…``), tied lm_head saved or
counted twice, quantization scales (``weight_scale_inv``, ``*_scales``,
``scales``/``qzeros``/``g_idx``), packed low-bit weights (8 int4 per int32 ``qweight``, 2 fp4
per byte in MXFP4 ``*_blocks``), buffers saved as tensors (``e_score_correction_bias``), and
vision towers.
"""

from __future__ import annotations

import re
from itertools import combinations
from math import prod
from typing import Any

from axes.backbone.params import ParamCount
from axes.backbone.spec import ArchSpec

SCALE_SUFFIXES = (
    "weight_scale_inv",
    "weight_scale",
    "input_scale",
    ".scales",
    "_scales",
    ".qzeros",
    ".g_idx",
    "k_scale",
    "v_scale",
    # compressed-tensors: zero points of asymmetric schemes, NVFP4's global scales, and the
    # two-element shape each packed linear keeps
    "weight_zero_point",
    "weight_global_scale",
    "input_global_scale",
    ".weight_shape",
)
PACKED_SUFFIXES = {".qweight": 8, "_blocks": 2}  # values per stored element (int32 / uint8)
# the dtypes a safetensors header may name, by bits per element (the safetensors crate's
# ``Dtype``, and the FNUZ float8 names its torch binding maps); any other is a header the
# engine cannot size. compressed-tensors' ``weight_packed`` holds as many values per element
# as its dtype holds bits over the scheme's (8 int4 per int32, 2 fp4 per uint8)
DTYPE_BITS: dict[str, int] = {
    **dict.fromkeys(("BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0"), 8),
    **dict.fromkeys(("F8_E4M3FNUZ", "F8_E5M2FNUZ"), 8),
    **dict.fromkeys(("U16", "I16", "F16", "BF16"), 16),
    **dict.fromkeys(("U32", "I32", "F32"), 32),
    **dict.fromkeys(("U64", "I64", "F64", "C64"), 64),
    "F4": 4,
    **dict.fromkeys(("F6_E2M3", "F6_E3M2"), 6),
}
VISION_MARKERS = ("vision_tower", "vision_model", "multi_modal_projector", "visual.")
_LAYER_RE = re.compile(r"layers\.(\d+)\.")
_MTP_PREFIXES = ("mtp.", "model.mtp.")


def _tensors(header: dict[str, Any]) -> dict[str, dict[str, Any]]:
    inner = header.get("tensors") if isinstance(header.get("tensors"), dict) else header
    return {k: v for k, v in inner.items() if k != "__metadata__" and isinstance(v, dict)}


def classify_tensor(name: str, spec: ArchSpec) -> str:
    if any(name.endswith(s) or s in name for s in SCALE_SUFFIXES):
        return "quant_scales"
    if any(m in name for m in VISION_MARKERS):
        return "vision"
    # Qwen3-Next / Qwen3.5 save their MTP module under its own prefix (``mtp.fc``,
    # ``mtp.layers.0.…``, as vLLM's qwen3_next_mtp.py loads it): its ``layers.0`` is not
    # the decoder's first layer
    if name.startswith(_MTP_PREFIXES):
        return "mtp"
    m = _LAYER_RE.search(name)
    if m and int(m.group(1)) >= spec.num_layers and "vision" not in name:
        return "mtp"
    if name.endswith("e_score_correction_bias"):
        return "buffer_saved"
    if name.startswith("lm_head") or name.endswith("lm_head.weight"):
        return "lm_head"
    return "model"


def _packed_bits(quantization: dict[str, Any]) -> int:
    """The bits of the values a ``weight_packed`` tensor holds: its scheme's (compressed-tensors
    packs only the ``pack-quantized`` ones, so in a mixed checkpoint of FP8 attention and a W4A16
    MLP the 4-bit scheme's), else the first scheme's (4 when none is said)."""
    packed = {
        s["bits"]
        for s in quantization.get("schemes") or ()
        if s.get("bits") and "pack" in str(s.get("format") or "")
    }
    if len(packed) == 1:
        return int(packed.pop())
    return int(quantization.get("bits") or 4)


def header_counts(headers: dict[str, dict[str, Any]], spec: ArchSpec) -> dict[str, Any]:
    by_dtype: dict[str, int] = {}
    by_class: dict[str, int] = {}
    unknown: dict[str, dict[str, Any]] = {}  # dtype -> {tensors, elements, first}
    unpacked_model = 0
    bits = _packed_bits(spec.quantization or {})
    for header in headers.values():
        for name, t in _tensors(header).items():
            n = prod(int(x) for x in t.get("shape", [])) if t.get("shape") else 1
            dtype = str(t.get("dtype", "?"))
            by_dtype[dtype] = by_dtype.get(dtype, 0) + n
            if dtype not in DTYPE_BITS:
                seen = unknown.setdefault(dtype, {"tensors": 0, "elements": 0, "first": name})
                seen["tensors"] += 1
                seen["elements"] += n
            cls = classify_tensor(name, spec)
            by_class[cls] = by_class.get(cls, 0) + n
            if cls in ("model", "lm_head", "vision"):
                if name.endswith(".weight_packed"):
                    # an unknown dtype's width is unknown: one value an element, not a guess
                    factor = max(DTYPE_BITS.get(dtype, bits) // max(bits, 1), 1)
                else:
                    factor = next((f for s, f in PACKED_SUFFIXES.items() if name.endswith(s)), 1)
                unpacked_model += n * factor
    return {
        "by_dtype": by_dtype,
        "by_class": by_class,
        "unpacked_model_params": unpacked_model,
        "total": sum(by_dtype.values()),
        "unknown_dtypes": unknown,
    }


def _count(value: Any) -> int | None:
    """A count or size from a checkpoint file: a non-negative integer (not a bool), else None."""
    return value if type(value) is int and value >= 0 else None


def checkpoint_report(
    spec: ArchSpec,
    count: ParamCount,
    *,
    safetensors_index: dict[str, Any] | None,
    safetensors_headers: dict[str, dict[str, Any]] | None,
    model_info: dict[str, Any] | None,
) -> dict[str, Any] | None:
    if not (safetensors_index or safetensors_headers or model_info):
        return None
    analytic = count.total
    out: dict[str, Any] = {"analytic_total": analytic, "sources": []}
    stored_total: int | None = None
    names: list[str] = []
    if isinstance(safetensors_index, dict) and safetensors_index:
        # an index is the Hub's file, not ours: any part of it may be the wrong type, and a
        # part that is is left out (with a note) rather than trusted or crashed on
        meta = safetensors_index.get("metadata") or {}
        wm = safetensors_index.get("weight_map") or {}
        if not isinstance(meta, dict):
            out.setdefault("index_notes", []).append("metadata is not an object: ignored")
            meta = {}
        if not isinstance(wm, dict):
            out.setdefault("index_notes", []).append("weight_map is not an object: ignored")
            wm = {}
        names = list(wm)
        total_parameters = _count(meta.get("total_parameters"))
        out["index"] = {
            "total_size_bytes": _count(meta.get("total_size")),
            "total_parameters": total_parameters,
            "tensors": len(names),
            "shards": len({v for v in wm.values() if isinstance(v, str)}),
        }
        if total_parameters is not None:
            stored_total = total_parameters
            out["sources"].append("index metadata.total_parameters")
    if model_info:
        st = model_info.get("safetensors", model_info)
        by_dtype = st.get("parameters") if isinstance(st, dict) else None
        if isinstance(by_dtype, dict) and all(_count(v) is not None for v in by_dtype.values()):
            out["stored_by_dtype"] = {str(k): v for k, v in by_dtype.items()}
            stored_total = _count(st.get("total")) or sum(out["stored_by_dtype"].values())
            out["sources"].append("Hub model_info.safetensors")
    classes: dict[str, int] = {}
    if safetensors_headers:
        hc = header_counts(safetensors_headers, spec)
        out["stored_by_dtype"] = hc["by_dtype"]
        out["stored_by_class"] = hc["by_class"]
        if hc["unknown_dtypes"]:
            out["unknown_dtypes"] = hc["unknown_dtypes"]
        classes = hc["by_class"]
        stored_total = hc["total"]
        out["sources"].append("safetensors headers")
        names = names or [n for h in safetensors_headers.values() for n in _tensors(h)]
    out["stored_total"] = stored_total
    present = {classify_tensor(n, spec) for n in names}
    out["tensor_classes_present"] = sorted(present)
    if stored_total is None:
        out["difference"] = None
        out["explained"] = False
        out["explanations"] = []
        out["note"] = "no stored parameter count (index without total_parameters, no headers)"
        return out
    diff = stored_total - analytic
    out["difference"] = diff
    explanations = _explain(spec, count, diff, classes, present)
    out["explanations"] = explanations
    out["explained"] = sum(e["params"] for e in explanations) == diff
    if not out["explained"]:
        out["unexplained_params"] = diff - sum(e["params"] for e in explanations)
    return out


def _explain(
    spec: ArchSpec, count: ParamCount, diff: int, classes: dict[str, int], present: set[str]
) -> list[dict[str, Any]]:
    """Exact accounting when headers give per-class counts, else the subset of known
    candidate reasons whose sum equals the difference."""
    hv = spec.vocab_size * (spec.embedding_width or spec.hidden_size)
    moe_layers = sum(1 for layer in spec.layers if layer.ffn == "moe")
    if classes:
        out: list[dict[str, Any]] = []
        for cls, reason in (
            ("mtp", "MTP modules stored in the checkpoint, not built by transformers"),
            ("quant_scales", "quantization scale / zero-point (and shape) tensors"),
            ("buffer_saved", "router correction biases saved as tensors (buffers in transformers)"),
        ):
            if classes.get(cls):
                out.append({"reason": reason, "params": classes[cls], "kind": cls})
        if spec.tied_embeddings and classes.get("lm_head"):
            out.append(
                {
                    "reason": "tied lm_head saved as its own tensor",
                    "params": classes["lm_head"],
                    "kind": "tied_duplicate",
                }
            )
        built = (
            ("model", "lm_head", "vision") if not count.vision_not_built else ("model", "lm_head")
        )
        if count.vision_not_built and classes.get("vision"):
            out.append(
                {
                    "reason": "vision tower + projector stored in the checkpoint, not built by "
                    "AutoModelForCausalLM",
                    "params": classes["vision"],
                    "kind": "vision",
                }
            )
        model_stored = sum(v for k, v in classes.items() if k in built)
        model_stored -= next((e["params"] for e in out if e["kind"] == "tied_duplicate"), 0)
        packed = model_stored - count.total
        if packed:
            out.append(
                {
                    "reason": "packed low-bit weights (several values per stored element) "
                    "or tensors the engine does not model",
                    "params": packed,
                    "kind": "packed_quantization",
                }
            )
        return out
    candidates: list[dict[str, Any]] = []
    if spec.mtp_layers or "mtp" in present:
        candidates.append(
            {
                "reason": "MTP modules stored in the checkpoint, not built by transformers",
                "params": count.mtp_params,
                "kind": "mtp",
            }
        )
    if spec.tied_embeddings:
        candidates.append(
            {
                "reason": "tied lm_head counted a second time by the checkpoint "
                "(index total_parameters / saved tensor)",
                "params": hv,
                "kind": "tied_duplicate",
            }
        )
    if spec.router_scoring == "sigmoid" and moe_layers:
        candidates.append(
            {
                "reason": "router e_score_correction_bias saved as tensors",
                "params": moe_layers * spec.num_experts,
                "kind": "buffer_saved",
            }
        )
    if count.vision_not_built and "vision" in present:
        candidates.append(
            {
                "reason": "vision tower + projector stored in the checkpoint, not built by "
                "AutoModelForCausalLM",
                "params": count.vision_not_built,
                "kind": "vision",
            }
        )
    if count.breakdown["vision"]:
        candidates.append(
            {
                "reason": "vision tower + projector not in the stored count",
                "params": -count.breakdown["vision"],
                "kind": "vision",
            }
        )
    for r in range(len(candidates) + 1):
        for combo in combinations(candidates, r):
            if sum(c["params"] for c in combo) == diff:
                return list(combo)
    return []
