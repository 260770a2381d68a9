"""CPM-Ant (``cpmant``: openbmb/cpm-ant-10b): ``modeling_cpmant.py`` CpmAntForCausalLM.

CpmAntModel: ``input_embedding`` of vocab_size + prompt_types x prompt_length rows (the
prompt embeddings share the token table), ``segment_embedding`` (segment_types x hidden) and
CpmAntSegmentPositionEmbedding's ``relative_attention_bias`` (segment_types^2 +
position_bias_num_buckets rows of one bias per head: bucketed relative positions, no RoPE, no
position table); CpmAntEncoder: ``num_hidden_layers`` blocks of an RMS norm
(CpmAntLayerNorm, a weight only) before the attention (``project_q`` / ``_k`` / ``_v``
hidden -> heads x ``dim_head``, ``attention_out`` back, no biases; multi-head) and before the
FFN (gated GELU: ``w_0`` / ``w_1`` hidden -> ``dim_ff``, ``w_out`` back, no biases), and an
``output_layernorm``. The lm_head (vocab_size rows) is never tied, whatever
``tie_word_embeddings`` says (CpmAntForCausalLM: ``_tied_weights_keys = {}``).
"""

from __future__ import annotations

from axes.backbone.families._common import build, header, read_core, uniform_attention
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("cpmant",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "cpmant")
    core = read_core(view, family="cpmant", tie_default=True)
    for key in ("num_kv_heads", "head_dim", "intermediate_size"):
        view.sources.pop(key, None)  # modeling_cpmant.py reads dim_head and dim_ff, multi-head
    view.notes[:] = [n for n in view.notes if "intermediate_size" not in n]
    heads, h = core["num_attention_heads"], core["hidden_size"]
    if view.raw.get("tie_word_embeddings") is True:
        view.notes.append(
            "tie_word_embeddings is true, but modeling_cpmant.py ties no weights: the lm_head is "
            "counted apart from the input embedding"
        )
    core.update(
        num_kv_heads=heads,
        head_dim=view.int("dim_head", default=128, field_name="head_dim"),
        intermediate_size=view.int("dim_ff", default=10240, field_name="intermediate_size"),
        tied_embeddings=False,
        hidden_act="gelu",
        norm_eps=view.float("eps", default=1e-6, field_name="norm_eps"),
    )
    prompts = view.int("prompt_types", default=32) * view.int("prompt_length", default=32)
    segments = view.int("segment_types", default=32)
    buckets = view.int("position_bias_num_buckets", default=512)
    lookups = (prompts + segments) * h
    return build(
        {**core, **head},
        layers_from(uniform_attention(view, core["num_layers"], module="cpmant"), "mlp"),
        positional="relative_bias",
        # the prompt rows of input_embedding and segment_embedding; relative_attention_bias
        layer_extras=[
            (None, "embeddings", lookups, 0),
            (None, "attention", (segments * segments + buckets) * heads, 0),
        ],
        lookup_params=lookups,
        lookup_row_params=h,  # one segment_embedding row a token
    )
