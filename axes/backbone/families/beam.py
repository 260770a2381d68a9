"""Beam (Reflection AI): Qwen3-style GQA with a per-element sigmoid output gate, sliding layers
with RoPE and full layers without (NoPE), sandwich norms, and a DeepSeek-V3-routed MoE after
dense first layers.

``modeling_beam.py``:
- BeamAttention: q/k/v/o with ``attention_bias``; ``q_norm`` / ``k_norm`` RMSNorm(head_dim);
  ``gate_proj`` (hidden -> heads x head_dim, no bias) and ``gate_bias`` (one per head), a
  sigmoid gate on the attention output; ``sliding_window`` (default 512) on the layers
  ``layer_types`` marks sliding_attention (configuration_beam.py default: every sixth layer and
  the last one full, the rest sliding).
- ``rope_parameters`` is keyed by layer type; a type given null runs without RoPE (default: the
  sliding layers RoPE, the full layers NoPE with a position-dependent query scale, no
  parameters).
- BeamDecoderLayer: four RMSNorms (``input_layernorm``, ``post_attention_layernorm``,
  ``pre_feedforward_layernorm``, ``post_feedforward_layernorm``); ``mlp_layer_types`` (default:
  the first three layers dense, the rest sparse): a SwiGLU of ``intermediate_size`` or BeamMoE:
  router ``weight`` (num_experts x hidden, sigmoid scores, grouped top-k; the
  ``e_score_correction_bias`` is a buffer, not a parameter), fused experts of
  ``moe_intermediate_size``; no shared expert.
``final_logit_softcapping`` caps the logits: no parameters.
"""

from __future__ import annotations

from typing import Any

from axes.backbone.families._common import (
    NO_WIDTH,
    build,
    default_note,
    drop_note,
    header,
    layer_types_mixers,
    per_layer_kinds,
    read_core,
    read_rope,
    sliding_window,
    unwindowed,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("beam",)

# configuration_beam.py defaults a config.json may leave out
INTERMEDIATE_DEFAULT = 20480
HEADS_DEFAULT = 48
KV_HEADS_DEFAULT = 8
DENSE_DEFAULT = 3  # the first min(3, layers) layers dense


def _default_mixers(n: int) -> list[str]:
    """configuration_beam.py: full where (i + 1) % 6 == 0, and the last layer full."""
    mixers = ["sliding_attention" if (i + 1) % 6 else "attention" for i in range(n)]
    if mixers:
        mixers[-1] = "attention"
    return mixers


def _ffns(view: ConfigView, n: int) -> list[str]:
    kinds = per_layer_kinds(view, n)
    if kinds is not None:
        return ["mlp" if k == "dense" else "moe" for k in kinds]
    dense = min(DENSE_DEFAULT, n)
    return ["mlp"] * dense + ["moe"] * (n - dense)


def _nope_types(view: ConfigView) -> set[str]:
    """Mixers whose layer type ``rope_parameters`` gives null (BeamModel: no RoPE there). Absent
    rope_parameters: configuration_beam.py's default, full_attention null."""
    params = view.raw_get("rope_parameters")
    if params is None:
        return {"attention"}
    if not isinstance(params, dict):
        return set()
    out = set()
    for key, mixer in (("full_attention", "attention"), ("sliding_attention", "sliding_attention")):
        if key in params and params[key] is None:
            out.add(mixer)
    return out


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "beam")
    core = read_core(
        view, family="beam", tie_default=False, head_dim_default=128, max_pos_default=8192
    )
    if not view.has("intermediate_size", "ffn_hidden_size", "n_inner", "ffn_dim"):
        core["intermediate_size"] = INTERMEDIATE_DEFAULT  # BeamConfig's, not 4 x hidden
        drop_note(view, NO_WIDTH)  # read_core's 4 x hidden: the class default instead
        default_note(view, "intermediate_size", INTERMEDIATE_DEFAULT)
    for field, key, value in (
        ("num_attention_heads", "num_attention_heads", HEADS_DEFAULT),
        ("num_kv_heads", "num_key_value_heads", KV_HEADS_DEFAULT),
    ):
        if field not in view.sources:  # BeamConfig's defaults (read_core: 0 heads, kv = heads)
            core[field] = value
            default_note(view, key, value)
    read_rope(view, core)
    params = view.raw_get("rope_parameters")
    if core["rope_theta"] is None and isinstance(params, dict):
        # the full layers' entry is null (NoPE): the RoPE base is the sliding layers'
        core["rope_theta"] = core.pop("sliding_rope_theta", None)
    if core["rope_theta"] is None and params is None:
        core["rope_theta"] = 10000.0  # BeamConfig default_theta, for the sliding layers
    n = core["num_layers"]
    mixers = layer_types_mixers(view, n) or _default_mixers(n)
    nope_types = _nope_types(view)
    nope = sum(1 for m in mixers if m in nope_types)  # by layer type, windowed or not
    window = sliding_window(view, 512) if "sliding_attention" in mixers else None
    mixers = unwindowed(view, mixers, window=window)
    extra: dict[str, Any] = {}
    if nope:
        extra.update(nope_layers=nope, positional="rope+nope" if nope < n else "none")
    ffns = _ffns(view, n)
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    heads = core["num_attention_heads"]
    return build(
        {**core, **head},
        layers_from(mixers, ffns),
        qkv_bias=bias,
        o_bias=bias,
        qk_norm="per_head",
        attention_gate="full",
        attention_extra=heads,  # gate_bias: one per head
        norms_per_layer=4,
        norm_placement="sandwich",
        sliding_window=window,
        num_experts=view.int("num_experts", default=256, field_name="num_experts"),
        experts_per_token=view.int(
            "num_experts_per_tok", default=8, field_name="experts_per_token"
        ),
        moe_intermediate_size=view.int(
            "moe_intermediate_size", default=2560, field_name="moe_intermediate_size"
        ),
        first_k_dense=next((i for i, f in enumerate(ffns) if f == "moe"), n),
        norm_topk_prob=view.bool("norm_topk_prob", default=True),
        router_scoring="sigmoid",
        **extra,
    )
