"""Liquid LFM2 (``lfm2``): gated short-convolution blocks mixed with GQA attention blocks.

``modeling_lfm2.py``: every layer has ``operator_norm`` and ``ffn_norm`` (RMSNorm) and a SwiGLU
``feed_forward`` (w1 / w3 / w2, no bias); its mixer is ``conv`` (Lfm2ShortConv) where
``layer_types[i] == "conv"``, else ``self_attn`` (Lfm2Attention: q/k/v/``out_proj`` without
bias, RMSNorm(head_dim) ``q_layernorm`` / ``k_layernorm``). Lfm2ShortConv: ``in_proj`` hidden ->
3 x hidden, a depthwise ``conv`` (hidden x ``conv_L_cache``) and ``out_proj``, all with a bias
when ``conv_bias``; its cache is the last ``conv_L_cache`` inputs (hidden x conv_L_cache), one
per layer and sequence, constant in context: counted as recurrent state, like a Mamba conv
state. The final norm is ``embedding_norm``; lm_head tied by default.

configuration_lfm2.py: ``layer_types``, else from ``full_attn_idxs`` (attention at those
indices, conv elsewhere), else every layer attention; ``block_ff_dim`` (LFM2's own name) wins
over ``intermediate_size`` and ``tie_embedding`` over ``tie_word_embeddings``. The MLP width
is adjusted when ``block_auto_adjust_ff_dim`` (default true): int(2/3 x width), times
``block_ffn_dim_multiplier`` (default 1.0; null skips this and the rounding), rounded up to a
multiple of ``block_multiple_of`` (256). head_dim is ``head_dim`` or hidden // heads.

LFM2-MoE (``modeling_lfm2_moe.py``): the same layers, but only the first ``num_dense_layers``
(default 2) have the SwiGLU, of ``intermediate_size`` as given (no adjustment; default 7168);
the others a sparse MoE block (Lfm2MoeSparseMoeBlock: router ``gate`` E x hidden, no bias, its
``expert_bias`` a buffer; fused experts of ``moe_intermediate_size``; sigmoid scores, top
``num_experts_per_tok``), no shared expert. ``layer_types`` is required by the modeling code
(an entry other than "conv" is attention).

LFM3 (``modular_lfm3.py``): LFM2's layers with ``layer_types`` defaulting to full attention at
``i % 4 == 2``, sliding attention (``sliding_window``, default 256) at ``i % 4 == 0, i > 0``,
short conv elsewhere; Lfm3Attention is Qwen3's (q/k/v/o with ``attention_bias``, per-head q/k
RMSNorms, ``head_dim`` default 128) plus ``g_proj`` (hidden -> heads, a sigmoid gate per head)
with ``use_attention_gate``; the SwiGLU is ``intermediate_size`` as given (default 7680);
``use_sandwich_norm`` adds ``post_operator_norm`` and ``post_ffn_norm`` to every layer. LFM2's
own spellings (``block_ff_dim``, ``tie_embedding``, ``full_attn_idxs``) are not read.
"""

from __future__ import annotations

from axes.backbone.families._common import (
    NO_WIDTH,
    _layer_types_problem,
    build,
    header,
    read_core,
    read_rope,
    sliding_window,
    unwindowed,
)
from axes.backbone.layers import SHORT_CONV, layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("lfm2", "lfm2_moe", "lfm3")


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "lfm2")
    if head["model_type"] == "lfm3":
        return _read_lfm3(view, head)
    moe = head["model_type"] == "lfm2_moe"
    noted = len(view.notes)
    core = read_core(view, family="lfm2", tie_default=True, max_pos_default=128_000)
    if NO_WIDTH in view.notes[noted:]:  # the config class default, or block_ff_dim below
        view.notes.remove(NO_WIDTH)
    if not view.has("intermediate_size", "block_ff_dim"):
        core["intermediate_size"] = 7168 if moe else 12288
    if view.has("block_ff_dim"):
        core["intermediate_size"] = view.int("block_ff_dim", field_name="intermediate_size")
    if view.has("tie_embedding"):
        core["tied_embeddings"] = view.bool("tie_embedding", field_name="tied_embeddings")
    heads = core["num_attention_heads"]
    if view.has("head_dim"):
        core["head_dim"] = view.int("head_dim", field_name="head_dim")
    else:  # Lfm2Attention: getattr(config, "head_dim", hidden_size // num_attention_heads)
        view.sources.pop("head_dim", None)
        core["head_dim"] = core["hidden_size"] // heads if heads else 0
    read_rope(view, core)
    if core["rope_theta"] is None:
        core["rope_theta"] = 1_000_000.0  # Lfm2Config.default_theta
    mixers = _mixers(view, core["num_layers"])
    experts: dict = {}
    if moe:  # Lfm2MoeDecoderLayer: dense below num_dense_layers, then sparse
        n = core["num_layers"]
        dense = min(view.int("num_dense_layers", default=2, field_name="first_k_dense"), n)
        ffns: str | list[str] = ["mlp"] * dense + ["moe"] * (n - dense)
        experts = {
            "num_experts": view.int("num_experts", default=32, field_name="num_experts"),
            "experts_per_token": view.int(
                "num_experts_per_tok", default=4, field_name="experts_per_token"
            ),
            "moe_intermediate_size": view.int(
                "moe_intermediate_size", default=1792, field_name="moe_intermediate_size"
            ),
            "first_k_dense": dense,
            "router_scoring": "sigmoid",
            "norm_topk_prob": view.bool("norm_topk_prob", default=True),
        }
    else:
        core["intermediate_size"] = _mlp_width(view, core["intermediate_size"])
        ffns = "mlp"
    return build(
        {**core, **head},
        layers_from(mixers, ffns),
        **experts,
        qk_norm="per_head",
        ssm_conv_kernel=view.int("conv_L_cache", default=3, field_name="ssm_conv_kernel"),
        ssm_conv_bias=view.bool("conv_bias", default=False, field_name="ssm_conv_bias"),
    )


def _read_lfm3(view: ConfigView, head: dict) -> ArchSpec:
    noted = len(view.notes)
    core = read_core(
        view, family="lfm2", tie_default=True, max_pos_default=128_000, head_dim_default=128
    )
    if NO_WIDTH in view.notes[noted:]:  # Lfm3Config's default
        view.notes.remove(NO_WIDTH)
        core["intermediate_size"] = 7680
    read_rope(view, core)
    n = core["num_layers"]
    types = view.list("layer_types", field_name="layer_types")
    if types is not None and len(types) >= n and all(isinstance(t, str) for t in types[:n]):
        mixers = [
            SHORT_CONV
            if t == "conv"
            else "sliding_attention"
            if t == "sliding_attention"
            else "attention"
            for t in types[:n]
        ]
    else:
        if types is not None:
            _layer_types_problem(view, types, n)
        mixers = [
            "attention"
            if i % 4 == 2
            else "sliding_attention"
            if i % 4 == 0 and i > 0
            else SHORT_CONV
            for i in range(n)
        ]
    window = sliding_window(view, 256)
    mixers = unwindowed(view, mixers, window=window)
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    return build(
        {**core, **head},
        layers_from(mixers, "mlp"),
        qk_norm="per_head",
        qkv_bias=bias,
        o_bias=bias,
        attention_head_gate=view.bool("use_attention_gate", default=True),
        sliding_window=window if "sliding_attention" in mixers else None,
        norms_per_layer=4 if view.bool("use_sandwich_norm", default=True) else 2,
        norm_placement="sandwich" if view.bool("use_sandwich_norm", default=True) else "pre",
        ssm_conv_kernel=view.int("conv_L_cache", default=7, field_name="ssm_conv_kernel"),
        ssm_conv_bias=view.bool("conv_bias", default=False, field_name="ssm_conv_bias"),
    )


def _mlp_width(view: ConfigView, width: int) -> int:
    """Lfm2MLP's width from the configured one (``block_auto_adjust_ff_dim`` and friends)."""
    if not view.bool("block_auto_adjust_ff_dim", default=True):
        return width
    width = int(2 * width / 3)
    multiplier = view.float("block_ffn_dim_multiplier", default=1.0)
    if "block_ffn_dim_multiplier" in view.raw and view.raw["block_ffn_dim_multiplier"] is None:
        return width  # an explicit null: no multiplier, no rounding
    multiple = view.int("block_multiple_of", default=256)
    width = int(multiplier * width)
    return multiple * ((width + multiple - 1) // multiple) if multiple else width


def _mixers(view: ConfigView, n: int) -> list[str]:
    """``layer_types`` ("conv" or an attention type), else ``full_attn_idxs``, else attention
    in every layer (configuration_lfm2.py)."""
    types = view.list("layer_types", field_name="layer_types")
    if types is not None:
        if len(types) >= n and all(isinstance(t, str) for t in types[:n]):
            return [SHORT_CONV if t == "conv" else "attention" for t in types[:n]]
        _layer_types_problem(view, types, n)
    idxs = view.list("full_attn_idxs", field_name="layer_types")
    if idxs is None:
        return ["attention"] * n
    full = {i for i in idxs if isinstance(i, int)}
    return ["attention" if i in full else SHORT_CONV for i in range(n)]
