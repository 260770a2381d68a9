"""Moonshot Kimi Linear: Kimi Delta Attention (KDA) layers, MLA every few layers, DeepSeek-style
MoE after dense-first layers.

``configuration_kimi_linear.py``: ``layer_types`` ("full_attention" / "linear_attention"), else
the checkpoint's ``linear_attn_config`` (``full_attn_layers`` / ``kda_layers``, 1-indexed; its
``head_dim``, ``num_heads``, ``short_conv_kernel_size`` override ``linear_head_dim``,
``linear_num_heads``, ``linear_conv_kernel_dim``), else full attention at every layer ``i > 0``
with ``i % 4 == 0``; ``mlp_layer_types`` ("dense" / "sparse"), else dense below
``first_k_dense_replace`` (default 1). Attribute aliases: ``num_experts`` (num_local_experts),
``num_experts_per_token``, ``num_shared_experts``, ``model_max_length``.

``modeling_kimi_linear.py``:
- KimiLinearAttention: MLA as DeepSeek's (``q_proj``, or ``q_a_proj`` / ``q_a_layernorm`` /
  ``q_b_proj`` with ``q_lora_rank``; ``kv_a_proj_with_mqa``, ``kv_a_layernorm``, ``kv_b_proj``,
  ``o_proj``; ``attention_bias`` on q_a, kv_a and o), no RoPE;
- KimiLinearDeltaAttention: q/k/v (hidden -> heads x head_dim), a depthwise conv over the three
  (no bias), the forget gate (``f_a_proj`` hidden -> head_dim, ``f_b_proj`` back to heads x
  head_dim, ``dt_bias`` per channel, ``A_log`` per head), ``b_proj`` (hidden -> heads), the output
  gate (``g_a_proj`` / ``g_b_proj``), a gated RMSNorm of head_dim and ``o_proj``, no biases;
- KimiLinearMoE: router (E x hidden; ``e_score_correction_bias`` is a buffer), fused experts of
  ``moe_intermediate_size``, shared experts as one SwiGLU of ``moe_intermediate_size x
  num_shared_experts``; dense layers a SwiGLU of ``intermediate_size``; two RMSNorms a layer;
- KimiLinearForCausalLM: ``_tied_weights_keys`` is empty, so the lm_head is its own weight
  whatever tie_word_embeddings says.

Bailing Hybrid (Ling 3, ``modular_bailing_hybrid.py``) is the same network with:
- full attention at every layer ``i`` with ``(i + 1) % layer_group_size == 0`` (default 6),
  ``first_k_dense_replace`` default 2, RoPE (``rope_theta``);
- BailingHybridAttention: DeepSeek-V3's MLA plus ``g_proj`` (hidden -> heads), a sigmoid gate per
  head on the output;
- BailingHybridDeltaAttention: full-rank gates (forget gate ``f_proj`` hidden -> heads x
  head_dim with ``dt_bias`` and ``A_log``; output gate ``g_proj`` hidden -> heads x head_dim);
  its heads are ``num_attention_heads`` and its head width the config's ``head_dim`` (which
  ``__post_init__`` then overwrites with qk_rope_head_dim), unless ``linear_num_heads`` /
  ``linear_head_dim`` / ``linear_conv_kernel_dim`` are given (``short_conv_kernel_size``
  otherwise);
- ``num_nextn_predict_layers`` (alias num_mtp_layers) MTP layers are stored in the checkpoint
  but not built (not counted).
"""

from __future__ import annotations

from typing import Any

from axes.backbone.families._common import (
    build,
    default_note,
    header,
    layer_types_mixers,
    per_layer_kinds,
    read_core,
    read_rope,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("kimi_linear", "bailing_hybrid")


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "kimi_linear")
    bailing = head["model_type"] == "bailing_hybrid"
    core = read_core(view, family="kimi_linear", tie_default=False, mla=True)
    if core["tied_embeddings"]:
        module = "bailing_hybrid" if bailing else "kimi_linear"
        view.notes.append(
            f"tie_word_embeddings is true, but modeling_{module}.py ties no weights: the "
            "lm_head is counted apart from the input embedding"
        )
    core["tied_embeddings"] = False  # _tied_weights_keys = {} in both
    if "max_position_embeddings" not in view.sources:
        (core["max_position_embeddings"],) = view.ints(
            (("max_position_embeddings", ("model_max_length",), 262144 if bailing else 1048576),)
        )
    n = core["num_layers"]
    linear_cfg = view.raw_get("linear_attn_config")
    linear_cfg = linear_cfg if isinstance(linear_cfg, dict) else {}
    mixers = _mixers(view, n, linear_cfg, bailing)
    ffns = _ffns(view, n, 2 if bailing else 1)
    experts = view.int(
        "num_experts",
        "num_local_experts",
        default=512 if bailing else 256,
        field_name="num_experts",
    )
    shared_n = view.int(
        "num_shared_experts", "n_shared_experts", default=1, field_name="num_shared_experts"
    )
    # KimiLinearConfig: 1024; BailingHybridConfig: 768
    moe_inter = view.int(
        "moe_intermediate_size",
        default=768 if bailing else 1024,
        field_name="moe_intermediate_size",
    )
    if not view.has("moe_intermediate_size"):
        default_note(view, "moe_intermediate_size", moe_inter)
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    nope = view.int("qk_nope_head_dim", default=128, field_name="qk_nope_head_dim")
    rope = view.int("qk_rope_head_dim", default=64, field_name="qk_rope_head_dim")
    if not view.has("num_attention_heads"):
        core["num_attention_heads"] = 32
    if not view.has("num_key_value_heads"):
        core["num_kv_heads"] = core["num_attention_heads"]
    if bailing:  # BailingHybridConfig.__post_init__: the linear sizes from the attention's
        heads = view.int("linear_num_heads", default=core["num_attention_heads"])
        width = view.int("linear_head_dim", "head_dim", default=128)
        kernel = view.int("linear_conv_kernel_dim", "short_conv_kernel_size", default=4)
        read_rope(view, core)
    else:
        heads = _linear_int(view, linear_cfg, "num_heads", "linear_num_heads", 32)
        width = _linear_int(view, linear_cfg, "head_dim", "linear_head_dim", 128)
        kernel = _linear_int(
            view, linear_cfg, "short_conv_kernel_size", "linear_conv_kernel_dim", 4
        )
    return build(
        {**core, **head, "head_dim": nope + rope},
        layers_from(mixers, ffns),
        qkv_bias=bias,
        o_bias=bias,
        positional="rope" if bailing else "none",
        attention_head_gate=bailing,  # BailingHybridAttention.g_proj: one gate per head
        q_lora_rank=view.int("q_lora_rank", default=None, field_name="q_lora_rank"),
        kv_lora_rank=view.int("kv_lora_rank", default=512, field_name="kv_lora_rank"),
        qk_nope_head_dim=nope,
        qk_rope_head_dim=rope,
        v_head_dim=view.int("v_head_dim", default=128, field_name="v_head_dim"),
        num_experts=experts,
        experts_per_token=view.int(
            "num_experts_per_token",
            "num_experts_per_tok",
            default=8,
            field_name="experts_per_token",
        ),
        moe_intermediate_size=moe_inter,
        num_shared_experts=shared_n,
        shared_expert_intermediate_size=moe_inter * shared_n,
        first_k_dense=ffns.index("moe") if "moe" in ffns else n,
        router_scoring="sigmoid",
        norm_topk_prob=view.bool("moe_renormalize", "norm_topk_prob", default=True),
        linear_attention_kind="kda",
        linear_num_key_heads=heads,
        linear_num_value_heads=heads,
        linear_key_head_dim=width,
        linear_value_head_dim=width,
        linear_conv_kernel=kernel,
        linear_gate_rank=None if bailing else width,  # Kimi: f_a/f_b, g_a/g_b through head_dim
    )


def _linear_int(
    view: ConfigView, linear_cfg: dict[str, Any], inner: str, key: str, default: int
) -> int:
    """``linear_attn_config[inner]`` (the checkpoint's spelling, which wins), else ``key``."""
    if linear_cfg.get(inner) is not None:
        return ConfigView({inner: linear_cfg[inner]}).int(inner)
    return view.int(key, default=default)


def _mixers(view: ConfigView, n: int, linear_cfg: dict[str, Any], bailing: bool) -> list[str]:
    mixers = layer_types_mixers(view, n)
    if mixers is not None:
        return ["mla" if m == "attention" else m for m in mixers]
    if bailing:
        group = view.int("layer_group_size", default=6, field_name="layer_types")
        return ["mla" if group and (i + 1) % group == 0 else "linear_attention" for i in range(n)]
    full, kda = linear_cfg.get("full_attn_layers"), linear_cfg.get("kda_layers")
    if isinstance(full, list) and isinstance(kda, list):
        out: list[str] = ["linear_attention"] * n
        for i in full:
            if isinstance(i, int) and 1 <= i <= n:
                out[i - 1] = "mla"
        return out
    return ["mla" if i and i % 4 == 0 else "linear_attention" for i in range(n)]


def _ffns(view: ConfigView, n: int, first_dense: int) -> list[str]:
    kinds = per_layer_kinds(view, n)
    if kinds is not None:
        return ["mlp" if k == "dense" else "moe" for k in kinds]
    dense = min(
        view.int("first_k_dense_replace", default=first_dense, field_name="first_k_dense"), n
    )
    return ["mlp"] * dense + ["moe"] * (n - dense)
