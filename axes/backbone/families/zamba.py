"""Zyphra Zamba and Zamba2: Mamba layers, some of which first run a shared transformer block.

``configuration_zamba.py`` / ``configuration_zamba2.py``: ``layers_block_type`` (alias
``layer_types``) names each layer "hybrid" or not (Zamba: "linear_attention"; Zamba2 also
accepts "mamba"); without it Zamba makes layer 2 and every layer ``i + 3`` with ``i %
attn_layer_period == attn_layer_offset`` hybrid, Zamba2 uses a fixed 54-layer pattern.
``attention_hidden_size`` is 2 x hidden (the hidden state beside the input embeddings) and
``attention_head_dim`` 2 x hidden // heads (Zamba: unless set; Zamba2: always).

``modeling_zamba.py``: every layer has a Mamba-1 mixer (ZambaMambaMixer: ``in_proj`` hidden ->
2 x intermediate, a depthwise conv, per-head ``x_proj`` / ``dt_proj`` (with a bias) of the same
total size as Mamba's, ``A_log``, ``D``, ``out_proj``; intermediate = mamba_expand x hidden,
``mamba_proj_bias`` on in/out_proj, ``mamba_conv_bias``) and an ``input_layernorm``; a hybrid
layer adds ``linear`` (hidden x hidden, no bias) and the shared ZambaAttentionDecoderLayer (q/k/v
from 2 x hidden, o_proj to hidden, no biases; a gate/up/down MLP of ``intermediate_size``;
RMSNorms of 2 x hidden and hidden), one block tied across all hybrid layers. No RoPE.

``modeling_zamba2.py``: the mixer is Mamba-2 (Zamba2MambaMixer: ``n_mamba_heads`` heads,
``mamba_ngroups`` groups, conv bias always, gated RMSNorm, ``add_bias_linear`` on in/out_proj);
``num_mem_blocks`` shared blocks are cycled over the hybrid layers, the MLP is a fused gate_up
and down (``add_bias_linear``), and every hybrid layer has a LoRA (``adapter_rank``) on gate_up
and, with ``use_shared_attention_adapter``, on q, k and v, held by the block it runs. RoPE only
with ``use_mem_rope``.
"""

from __future__ import annotations

import math

from axes.backbone.families._common import (
    NO_WIDTH,
    build,
    drop_note,
    header,
    read_core,
    read_rope,
)
from axes.backbone.layers import SHARED_MAMBA, SHARED_MAMBA2, layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("zamba", "zamba2")

# Zamba2Config.__post_init__: the 54-layer default, "hybrid" at these indices
_ZAMBA2_HYBRID = frozenset((6, 12, 18, 24, 30, 36, 42, 47, 51))


def read(view: ConfigView) -> ArchSpec:
    v2 = (view.raw.get("model_type") or view.text.get("model_type")) == "zamba2"
    head = header(view, "zamba2" if v2 else "zamba")
    core = read_core(
        view, family="zamba", tie_default=True, max_pos_default=4096, head_dim_default=0
    )
    h, n, heads = core["hidden_size"], core["num_layers"], core["num_attention_heads"]
    if not view.has("num_attention_heads"):
        core["num_attention_heads"] = heads = 32 if v2 else 16
    if not view.has("num_key_value_heads"):  # Zamba: 16 whatever the heads; Zamba2: the heads
        core["num_kv_heads"] = heads if v2 else 16
    if v2 or not view.has("attention_head_dim", "head_dim"):
        core["head_dim"] = 2 * h // heads if heads else 0
    if not view.has("intermediate_size", "ffn_hidden_size", "n_inner", "ffn_dim"):
        if v2:  # Zamba2Config's own default is 4 × hidden: not an assumption
            drop_note(view, NO_WIDTH)
        # zamba: read_core gave ZambaConfig's 14,848 (families/_defaults.py), with its note
    hybrid = _hybrid_layers(view, n, v2)
    mixers = [
        (SHARED_MAMBA2 if v2 else SHARED_MAMBA) if i in hybrid else ("mamba2" if v2 else "mamba")
        for i in range(n)
    ]
    if not core["tied_embeddings"] and len(hybrid) > 1:
        view.notes.append(
            f"tie_word_embeddings is false: transformers then ties none of the {len(hybrid)} "
            "hybrid layers' shared transformer blocks, so each holds its own copy (counted so)"
        )
    expand = view.int("mamba_expand", default=2)
    if v2:
        read_rope(view, core)
        bias = view.bool("add_bias_linear", default=False)
        ssm_heads = view.int("n_mamba_heads", default=8, field_name="ssm_num_heads")
        ssm = {
            "ssm_version": 2,
            "ssm_num_heads": ssm_heads,
            "ssm_head_dim": expand * h // ssm_heads if ssm_heads else 0,
            "ssm_n_groups": view.int("mamba_ngroups", default=1, field_name="ssm_n_groups"),
            "ssm_state_size": view.int("mamba_d_state", default=64, field_name="ssm_state_size"),
            "ssm_bias": bias,
            "ssm_out_bias": bias,
            "ssm_conv_bias": True,  # Zamba2MambaMixer: conv1d bias=True, use_conv_bias unread
            "mlp_bias": bias,
            "shared_blocks": view.int("num_mem_blocks", default=1),
            "shared_block_adapter_rank": view.int("adapter_rank", default=128),
            "shared_attention_adapter": view.bool("use_shared_attention_adapter", default=False),
            "positional": "rope" if view.bool("use_mem_rope", default=False) else "none",
        }
    else:
        proj_bias = view.bool("mamba_proj_bias", default=False)
        rank = view.raw_get("mamba_dt_rank", default="auto")
        rank = math.ceil(h / 16) if rank == "auto" else view.int("mamba_dt_rank")
        ssm = {
            "ssm_version": 1,
            "ssm_state_size": view.int("mamba_d_state", default=16, field_name="ssm_state_size"),
            "ssm_time_step_rank": rank,
            "ssm_bias": proj_bias,
            "ssm_out_bias": proj_bias,
            "ssm_conv_bias": view.bool("mamba_conv_bias", default=True),
            "shared_blocks": 1,
            "positional": "none",
        }
    return build(
        {**core, **head},
        layers_from(mixers, None),
        norms_per_layer=1,  # the Mamba layer's input_layernorm; the shared block's are apart
        ssm_conv_kernel=view.int("mamba_d_conv", default=4),
        ssm_intermediate_size=expand * h,
        **ssm,
    )


def _hybrid_layers(view: ConfigView, n: int, v2: bool) -> set[int]:
    types = view.list("layers_block_type", "layer_types", field_name="layer_types")
    if types is not None:
        return {i for i, t in enumerate(types[:n]) if t == "hybrid"}
    if v2:
        return set(_ZAMBA2_HYBRID)
    period = view.int("attn_layer_period", default=6)
    offset = view.int("attn_layer_offset", default=4)
    return {2} | {i + 3 for i in range(n - 3) if period and i % period == offset}
