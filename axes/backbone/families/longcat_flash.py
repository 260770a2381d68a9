"""Meituan LongCat-Flash (longcat_flash): MLA, two attention + MLP sublayers per layer and a
shortcut-connected MoE with zero (identity) experts.

``modeling_longcat_flash.py`` LongcatFlashDecoderLayer (``num_layers`` of them; the config's
``num_hidden_layers`` is 2 x num_layers): two LongcatFlashMLA (the DeepSeek-V3 MLA block,
q_lora_rank always used, ``attention_bias`` on q_a_proj, kv_a_proj_with_mqa and o_proj), two
dense SwiGLUs of ``ffn_hidden_size``, two input and two post-attention RMSNorms, and one
LongcatFlashMoE fed from the first sublayer: router ``classifier`` (hidden ->
n_routed_experts + zero_expert_num, bias when ``router_bias``; ``e_score_correction_bias`` is
a buffer) and experts of ``expert_ffn_hidden_size`` whose ``gate_up_proj`` is sized for the
zero experts too (``down_proj`` for the real ones only). The engine lists the 2 x num_layers
sublayers as blocks (MLA + MLP each), the first of each pair with the MoE beside its MLP, so
the KV cache counts one latent per sublayer, as the cache transformers builds.
"""

from __future__ import annotations

from axes.backbone.errors import ConfigError
from axes.backbone.families._common import MAX_LAYERS, build, header, read_core, read_rope
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("longcat_flash",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "longcat_flash")
    core = read_core(
        view, family="longcat_flash", tie_default=False, max_pos_default=131072, mla=True
    )
    read_rope(view, core)
    if core["rope_theta"] is None:
        core["rope_theta"] = 10_000_000.0  # LongcatFlashConfig.default_theta
    if view.has("num_layers"):
        layers = view.int("num_layers", field_name="num_layers")
        if 2 * layers > MAX_LAYERS:  # checked before the per-layer lists are built
            raise ConfigError(
                f"num_layers is {layers:,}, over the {MAX_LAYERS:,} layers any real model has; "
                "fix the value in config.json.",
                key="num_layers",
            )
    else:  # the num_hidden_layers setter: num_layers = num_hidden_layers // 2
        layers = core["num_layers"] // 2
    n = 2 * layers
    core["num_layers"] = n
    if layers:
        view.notes.append(
            f"each of the {layers:,} decoder layers holds two MLA + MLP sublayers and one MoE "
            f"beside the first sublayer's MLP; the layer pattern lists the {n:,} sublayers"
        )
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    rope_dim = view.int("qk_rope_head_dim", default=64, field_name="qk_rope_head_dim")
    nope = view.int("qk_nope_head_dim", default=128, field_name="qk_nope_head_dim")
    zero = view.int("zero_expert_num", default=256, field_name="zero_experts")
    return build(
        {**core, **head, "head_dim": rope_dim + nope},
        layers_from(["mla"] * n, ["moe", "mlp"] * layers),
        qkv_bias=bias,
        o_bias=bias,
        q_lora_rank=view.int("q_lora_rank", default=1536, field_name="q_lora_rank"),
        kv_lora_rank=view.int("kv_lora_rank", default=512, field_name="kv_lora_rank"),
        qk_nope_head_dim=nope,
        qk_rope_head_dim=rope_dim,
        v_head_dim=view.int("v_head_dim", default=128, field_name="v_head_dim"),
        num_experts=view.int(
            "n_routed_experts", "num_local_experts", default=512, field_name="num_experts"
        ),
        experts_per_token=view.int(
            "moe_topk", "num_experts_per_tok", default=12, field_name="experts_per_token"
        ),
        moe_intermediate_size=view.int(
            "expert_ffn_hidden_size",
            "moe_intermediate_size",
            default=2048,
            field_name="moe_intermediate_size",
        ),
        router_bias=view.bool("router_bias", default=False),
        zero_experts=zero,
        shortcut_moe=True,
        router_scoring="softmax",
    )
