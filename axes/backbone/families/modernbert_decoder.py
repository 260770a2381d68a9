"""ModernBERT decoder (``configuration_modernbert_decoder.py``,
``modeling_modernbert_decoder.py``): a causal ModernBERT with global and local attention layers.

ModernBertDecoderEmbeddings: ``tok_embeddings`` (vocab x hidden) and a LayerNorm ``norm``
(bias with ``norm_bias``, default false). ModernBertDecoderLayer: ``attn_norm`` (none in layer
0: nn.Identity), ``attn`` (``q_proj`` / ``k_proj`` / ``v_proj`` hidden -> hidden and ``Wo``,
biases with ``attention_bias``; multi-head, head_dim = hidden // heads), ``mlp_norm`` and a
GeGLU ``mlp`` (``Wi`` hidden -> 2 x intermediate_size, ``Wo`` back, biases with ``mlp_bias``).
A ``final_norm``; ModernBertDecoderForCausalLM adds the prediction head (``dense`` hidden ->
hidden, bias with ``classifier_bias``, then a LayerNorm) and ``decoder`` (hidden -> vocab, a
bias with ``decoder_bias``, default true), its weight tied to ``tok_embeddings`` by default.

Layers: ``layer_types``, else every ``global_attn_every_n_layers``-th layer (default 3,
starting at layer 0) full and the rest sliding; a sliding layer's window is
``local_attention // 2`` (default 128 // 2), as configuration_modernbert_decoder.py sets it.
RoPE: ``rope_parameters`` per layer type, else ``global_rope_theta`` (default 160,000).
"""

from __future__ import annotations

from axes.backbone.errors import ConfigError
from axes.backbone.families._common import (
    build,
    header,
    heads_divide,
    layer_types_mixers,
    read_core,
    read_rope,
    unwindowed,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("modernbert-decoder",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "modernbert-decoder")
    core = read_core(view, family="modernbert_decoder", tie_default=True, max_pos_default=8192)
    read_rope(view, core)
    if not core["rope_theta"]:
        core["rope_theta"] = view.float(
            "global_rope_theta", default=160_000.0, field_name="rope_theta"
        )
    h, heads, n = core["hidden_size"], core["num_attention_heads"], core["num_layers"]
    heads_divide(view, h, heads)
    for key in ("num_kv_heads", "head_dim"):
        view.sources.pop(key, None)  # ModernBertDecoderAttention: multi-head, hidden // heads
    if not view.has("intermediate_size", "ffn_hidden_size", "n_inner", "ffn_dim"):
        core["intermediate_size"] = 1152  # ModernBertDecoderConfig.intermediate_size
        view.notes[:] = [note for note in view.notes if "intermediate_size" not in note]
    core.update(num_kv_heads=heads, head_dim=h // heads if heads else 0)
    mixers = layer_types_mixers(view, n)
    if mixers is None:
        every = view.int("global_attn_every_n_layers", default=3)
        if not every:  # transformers takes layer_id % 0
            where = view.path("global_attn_every_n_layers") or "global_attn_every_n_layers"
            raise ConfigError(f"{where} must be positive, not 0", key=where)
        mixers = ["sliding_attention" if i % every else "attention" for i in range(n)]
    local = view.int("local_attention", default=128, field_name="sliding_window")
    window = local // 2 if local // 2 else None
    mixers = unwindowed(view, mixers, window=window)
    norm_bias = view.bool("norm_bias", default=False)
    norm = 2 * h if norm_bias else h
    head_dense = h * h
    head_bias = h if view.bool("classifier_bias", default=False) else 0
    attention_bias = view.bool("attention_bias", default=False)
    return build(
        {**core, **head},
        layers_from(mixers, "mlp"),
        qkv_bias=attention_bias,
        o_bias=attention_bias,
        mlp_bias=view.bool("mlp_bias", default=False),
        ffn_gated=True,
        lm_head_bias=view.bool("decoder_bias", default=True),
        norm_type="layernorm",
        norm_bias=norm_bias,
        # final_norm, the embeddings' norm and the prediction head's norm
        outer_norms=3,
        one_layer_extra=(0, "norms", -norm) if n else None,  # layer 0 has no attn_norm
        # the prediction head's dense (hidden -> hidden), outside the layers
        layer_extras=[(None, "lm_head", head_dense + head_bias, head_dense)],
        sliding_window=window,
    )
