"""BLOOM (bigscience/bloom, bloomz, bloom-560m ...): ALiBi, a fused q/k/v and biases everywhere.

``modeling_bloom.py``: ``word_embeddings`` (vocab x hidden) followed by
``word_embeddings_layernorm``; per block ``input_layernorm`` and ``post_attention_layernorm``
(LayerNorm with bias), ``query_key_value`` (hidden -> 3 * hidden, bias) and ``dense``
(hidden -> hidden, bias), MLP ``dense_h_to_4h`` / ``dense_4h_to_h`` over 4 * hidden (fixed: an
``n_inner`` or ``intermediate_size`` key is not read), GELU, with bias; final ``ln_f``;
lm_head tied by default. Multi-head only (head size hidden // n_head). Positions are ALiBi
slopes per head, no parameters and no table: BloomConfig has no ``max_position_embeddings``.
BloomConfig reads ``n_embed`` over ``hidden_size`` when both are given.
"""

from __future__ import annotations

from axes.backbone.families._common import build, header, read_core, uniform_attention
from axes.backbone.families.gpt2 import GPT2_BLOCK
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("bloom",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "bloom")
    core = read_core(view, family="bloom", tie_default=True)
    if view.has("n_embed"):  # configuration_bloom.py __post_init__: n_embed wins
        core["hidden_size"] = view.int("n_embed", field_name="hidden_size")
    hidden, heads = core["hidden_size"], core["num_attention_heads"]
    for key in ("num_kv_heads", "head_dim", "intermediate_size"):
        view.sources.pop(key, None)  # read_core's aliases: modeling_bloom.py reads none
    core.update(
        num_kv_heads=heads,
        head_dim=hidden // heads if heads else 0,
        intermediate_size=4 * hidden,
        hidden_act="gelu",  # BloomGelu, whatever the config says
        rope_theta=None,
        rope_scaling=None,
    )
    view.notes[:] = [n for n in view.notes if "intermediate_size" not in n]
    return build(
        {**core, **head},
        layers_from(uniform_attention(view, core["num_layers"], module="bloom"), "mlp"),
        **GPT2_BLOCK,
        outer_norms=2,  # word_embeddings_layernorm and ln_f
        positional="alibi",
    )
