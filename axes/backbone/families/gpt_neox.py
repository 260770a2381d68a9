"""GPT-NeoX / Pythia: fused q/k/v, LayerNorm with bias, a plain GELU MLP with biases.

``modeling_gpt_neox.py``: per layer ``input_layernorm`` and ``post_attention_layernorm`` (both
LayerNorm with bias, also with ``use_parallel_residual``, which only changes how they are
summed); ``query_key_value`` (hidden -> 3*hidden) and ``dense`` (hidden -> hidden), with bias
when ``attention_bias`` (default true); ``dense_h_to_4h`` / ``dense_4h_to_h`` always with bias;
``final_layer_norm``; ``embed_out`` untied by default. Multi-head only: head size is
hidden // heads, any ``num_key_value_heads`` / ``head_dim`` key is ignored. RoPE on
``rotary_pct`` of each head (configuration_gpt_neox.py default 0.25).

gpt_neox_japanese (``modeling_gpt_neox_japanese.py``): the same layout without biases
(query_key_value, dense, dense_h_to_4h, dense_4h_to_h), except a ``dense_bias`` (hidden) in
the last layer's attention; the MLP width is hidden_size x ``intermediate_multiple_size``
(default 4); ``embed_out`` tied by default; RoPE on every dimension by default.
"""

from __future__ import annotations

from axes.backbone.families._common import build, header, read_core, read_rope, uniform_layers
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("gpt_neox", "gpt_neox_japanese")


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "gpt_neox")
    japanese = head["model_type"] == "gpt_neox_japanese"
    core = read_core(view, family="gpt_neox", tie_default=japanese, max_pos_default=2048)
    read_rope(view, core)
    heads = core["num_attention_heads"]
    core["num_kv_heads"] = heads
    core["head_dim"] = core["hidden_size"] // heads if heads else 0
    if core.get("partial_rotary_factor") is None:
        core["partial_rotary_factor"] = view.float(
            "rotary_pct", default=1.0 if japanese else 0.25, field_name="partial_rotary_factor"
        )
    if core["rope_theta"] is None and view.has("rotary_emb_base"):
        core["rope_theta"] = view.float("rotary_emb_base", field_name="rope_theta")
    if japanese:  # GPTNeoXJapaneseMLP: hidden x intermediate_multiple_size, no biases
        multiple = view.float("intermediate_multiple_size", default=4)
        core["intermediate_size"] = int(core["hidden_size"] * multiple)
        view.sources["intermediate_size"] = "intermediate_multiple_size"
        view.notes[:] = [n for n in view.notes if "intermediate_size" not in n]
        return build(
            {**core, **head},
            uniform_layers(core["num_layers"], "attention", "mlp"),
            one_layer_extra=(-1, "attention", core["hidden_size"]),  # the last dense_bias
            ffn_gated=False,
            fused_qkv=True,
            norm_type="layernorm",
            norm_bias=True,
        )
    bias = view.bool("attention_bias", default=True, field_name="attention_bias")
    return build(
        {**core, **head},
        uniform_layers(core["num_layers"], "attention", "mlp"),
        qkv_bias=bias,
        o_bias=bias,
        mlp_bias=True,
        ffn_gated=False,
        fused_qkv=True,
        norm_type="layernorm",
        norm_bias=True,
    )
