"""Phi-1 / Phi-1.5 / Phi-2: a parallel attention + MLP block with biases everywhere; Persimmon.

``modeling_phi.py``: one ``input_layernorm`` (LayerNorm with bias) feeds both the attention
and the MLP (PhiDecoderLayer adds both to the residual); q/k/v and ``dense`` (o) with bias;
``fc1``/``fc2`` (up/down, GELU, with bias); ``final_layernorm``; ``lm_head`` with a bias
(vocab). RoPE on ``partial_rotary_factor`` of each head (configuration_phi.py default 0.5).
``qk_layernorm``: LayerNorm(head_dim) with bias on q and on k.

``modeling_persimmon.py``: the same modules in a sequential block (input_layernorm and
post_attention_layernorm, LayerNorms with bias), a fused ``query_key_value`` (hidden ->
3 x hidden, bias: always multi-head, num_key_value_heads is not read), ``dense`` with bias,
``dense_h_to_4h`` / ``dense_4h_to_h`` (ReLU^2) with bias, ``qk_layernorm`` on by default,
partial_rotary_factor 0.5, an lm_head without bias.
"""

from __future__ import annotations

from axes.backbone.families._common import build, header, read_core, read_rope, uniform_layers
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("phi", "persimmon")


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "phi")
    persimmon = head["model_type"] == "persimmon"
    core = read_core(
        view, family="phi", tie_default=False, max_pos_default=16384 if persimmon else 2048
    )
    read_rope(view, core)
    if core.get("partial_rotary_factor") is None:
        core["partial_rotary_factor"] = 0.5
    qk = view.bool("qk_layernorm", default=persimmon, field_name="qk_norm")
    if persimmon and core["num_kv_heads"] != core["num_attention_heads"]:
        path = view.sources.get("num_kv_heads", "num_key_value_heads")
        view.notes.append(
            f"{path} = {core['num_kv_heads']} is not read by modeling_persimmon.py; counted as "
            "transformers builds the model"
        )
        core["num_kv_heads"] = core["num_attention_heads"]
    if persimmon and core["num_attention_heads"]:  # PersimmonAttention: hidden // heads
        core["head_dim"] = core["hidden_size"] // core["num_attention_heads"]
    return build(
        {**core, **head},
        uniform_layers(core["num_layers"], "attention", "mlp"),
        qkv_bias=True,
        o_bias=True,
        mlp_bias=True,
        lm_head_bias=not persimmon,
        ffn_gated=False,
        fused_qkv=persimmon,
        qk_norm="per_head_layernorm" if qk else None,
        norm_type="layernorm",
        norm_bias=True,
        norms_per_layer=2 if persimmon else 1,
    )
