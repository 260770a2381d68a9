"""GLM-4.5 / GLM-4.6 (glm4_moe): GQA attention with DeepSeek-V3-style MoE, and the two model
types transformers builds from the same modules, Sarvam-MoE (sarvam_moe) and Solar Open
(solar_open).

``modeling_glm4_moe.py``:
- attention (Glm4MoeAttention): q/k/v with ``attention_bias``, o_proj without bias; per-head
  q_norm/k_norm when ``use_qk_norm``; partial RoPE (``partial_rotary_factor`` default 0.5,
  configuration_glm4_moe.py);
- the first ``first_k_dense_replace`` layers are a dense SwiGLU of ``intermediate_size``, the
  rest Glm4MoeMoE: router (n_routed_experts x hidden, sigmoid scores; its
  ``e_score_correction_bias`` is a buffer, not a parameter), fused experts of
  ``moe_intermediate_size``, one shared SwiGLU of moe_intermediate_size * n_shared_experts.
The MTP layer (``num_nextn_predict_layers``) ships in the checkpoint but transformers does not
build it; it is not counted.

- sarvam_moe (``configuration_sarvam_moe.py``, SarvamMoEConfig): AutoModelForCausalLM builds
  Glm4MoeForCausalLM; only the defaults differ (use_qk_norm true, head_dim 64, RoPE over the
  whole head, 128 experts of 1024, top-6).
- solar_open (``modular_solar_open.py``): LlamaAttention (q/k/v bias with ``attention_bias``,
  o_proj without; no QK-norm, use_qk_norm is not read) and Glm4MoeMoE in every layer: the
  config class removes intermediate_size and first_k_dense_replace, so there is no dense layer.
"""

from __future__ import annotations

from axes.backbone.families._common import (
    NO_WIDTH,
    build,
    drop_note,
    header,
    read_core,
    read_rope,
    uniform_attention,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("glm4_moe", "sarvam_moe", "solar_open")

# configuration_<type>.py defaults: head_dim (None: hidden // heads), partial_rotary_factor,
# use_qk_norm, moe_intermediate_size, num_experts_per_tok
DEFAULTS = {
    "glm4_moe": (None, 0.5, False, 1408, 8),
    "sarvam_moe": (64, 1.0, True, 1024, 6),
    "solar_open": (128, 1.0, False, 1280, 8),
}


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "glm4_moe")
    mt = head["model_type"]
    head_dim, rotary, qk_norm, moe_default, top_k = DEFAULTS.get(mt, DEFAULTS["glm4_moe"])
    solar = mt == "solar_open"
    core = read_core(
        view, family=mt, tie_default=False, head_dim_default=head_dim, max_pos_default=131072
    )
    read_rope(view, core)
    if core.get("partial_rotary_factor") is None:
        core["partial_rotary_factor"] = rotary
    n = core["num_layers"]
    if solar:
        # no dense layer (SolarOpenConfig has no intermediate_size, first_k_dense_replace)
        drop_note(view, NO_WIDTH)
        first_dense = 0
        use_qk_norm = False
    else:
        first_dense = view.int("first_k_dense_replace", default=1, field_name="first_k_dense")
        use_qk_norm = view.bool("use_qk_norm", default=qk_norm)
    # SarvamMoEConfig's attribute_map: the original sarvam-30b config.json spells num_experts,
    # num_shared_experts and use_qkv_bias
    sarvam = mt == "sarvam_moe"
    experts = view.int(
        "n_routed_experts",
        "num_local_experts",
        *(("num_experts",) if sarvam else ()),
        default=128,
        field_name="num_experts",
    )
    moe_inter = view.int(
        "moe_intermediate_size", default=moe_default, field_name="moe_intermediate_size"
    )
    shared_n = view.int("n_shared_experts", *(("num_shared_experts",) if sarvam else ()), default=1)
    if solar:  # every FFN is MoE: its width is the expert's, as olmoe / mixtral report it
        core["intermediate_size"] = moe_inter
    return build(
        {**core, **head},
        layers_from(
            uniform_attention(view, n, module=mt),
            ["mlp" if i < first_dense else "moe" for i in range(n)],
        ),
        qkv_bias=view.bool(
            "attention_bias",
            *(("use_qkv_bias",) if sarvam else ()),
            default=False,
            field_name="attention_bias",
        ),
        qk_norm="per_head" if use_qk_norm else None,
        num_experts=experts,
        experts_per_token=view.int(
            "num_experts_per_tok", default=top_k, field_name="experts_per_token"
        ),
        moe_intermediate_size=moe_inter,
        num_shared_experts=shared_n,
        shared_expert_intermediate_size=moe_inter * shared_n,
        first_k_dense=min(first_dense, n),
        norm_topk_prob=view.bool("norm_topk_prob", default=True),
        router_scoring="sigmoid",
    )
