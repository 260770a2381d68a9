"""GPTBigCode (StarCoder 1, SantaCoder, WizardCoder-15B): GPT-2 with multi-query attention.

``modeling_gpt_bigcode.py``: ``wte`` (vocab x n_embd), ``wpe`` (n_positions x n_embd); per
block ``ln_1``/``ln_2`` (LayerNorm with bias), ``c_attn`` (n_embd -> n_embd + 2 * kv_dim, bias)
where kv_dim is one head's width with ``multi_query`` (its default, true) and n_embd without,
``c_proj`` (n_embd -> n_embd, bias), MLP ``c_fc`` (n_embd -> n_inner, default 4 * n_embd, bias)
and ``c_proj`` back (bias); final ``ln_f``; lm_head tied by default. Head size is
n_embd // n_head: a ``num_key_value_heads``, ``head_dim`` or ``intermediate_size`` key is not
read (GPTBigCodeConfig sets num_key_value_heads from multi_query itself).
"""

from __future__ import annotations

from axes.backbone.families._common import build, header, read_core, uniform_attention
from axes.backbone.families.gpt2 import GPT2_BLOCK
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("gpt_bigcode",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "gpt_bigcode")
    core = read_core(
        view,
        family="gpt_bigcode",
        tie_default=True,
        max_pos_default=1024,
        max_pos_key="n_positions",
    )
    hidden, heads = core["hidden_size"], core["num_attention_heads"]
    view.sources.pop("num_kv_heads", None)  # read_core's num_key_value_heads: not read
    multi_query = view.bool("multi_query", default=True, field_name="num_kv_heads")
    core["num_kv_heads"] = 1 if multi_query else heads
    core["head_dim"] = hidden // heads if heads else 0
    view.sources.pop("head_dim", None)
    view.sources.pop("intermediate_size", None)
    core["intermediate_size"] = view.int(
        "n_inner", default=4 * hidden, field_name="intermediate_size"
    )
    view.notes[:] = [n for n in view.notes if "intermediate_size" not in n]
    core["hidden_act"] = view.raw_get(
        "activation_function", default="gelu_pytorch_tanh", field_name="hidden_act"
    )
    n_pos = view.int("n_positions", "max_position_embeddings", default=1024)
    return build(
        {**core, **head},
        layers_from(uniform_attention(view, core["num_layers"], module="gpt_bigcode"), "mlp"),
        **GPT2_BLOCK,
        positional="learned",
        learned_positions=n_pos,
    )
