"""GPT-2: learned absolute positions, LayerNorm with bias, Conv1D blocks with biases.

``modeling_gpt2.py``: ``wte`` (vocab x n_embd), ``wpe`` (n_positions x n_embd); per block
``ln_1``/``ln_2`` (weight + bias), ``c_attn`` (n_embd -> 3*n_embd, bias), ``c_proj``
(n_embd -> n_embd, bias), MLP ``c_fc`` (n_embd -> n_inner, default 4*n_embd, bias) and
``c_proj`` back (bias); final ``ln_f``; lm_head tied by default.

openai-gpt (``modeling_openai.py``, GPT-1): the same modules in a post-LN block (ln_1 after
the attention's residual, ln_2 after the MLP's), no final norm; the MLP is always 4 x n_embd
(``afn``, default gelu); n_positions default 512.

gpt-sw3: transformers maps it to GPT2Config and GPT2LMHeadModel (configuration_auto.py,
modeling_auto.py), so it is GPT-2 under another model_type.
"""

from __future__ import annotations

from axes.backbone.families._common import build, header, read_core, uniform_layers
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("gpt2", "openai-gpt", "gpt-sw3")


# the GPT-2 block (modeling_gpt2.py GPT2Block): fused c_attn and c_proj with biases, a GELU MLP
# (c_fc / c_proj, biases, no gate), LayerNorms with bias; bloom and gpt_bigcode build the same
GPT2_BLOCK: dict = {
    "qkv_bias": True,
    "o_bias": True,
    "mlp_bias": True,
    "ffn_gated": False,
    "fused_qkv": True,
    "norm_type": "layernorm",
    "norm_bias": True,
}


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "gpt2")
    if head["model_type"] == "openai-gpt":
        return _openai_gpt(view, head)
    core = read_core(
        view, family="gpt2", tie_default=True, max_pos_default=1024, max_pos_key="n_positions"
    )
    if not view.has("n_inner", "intermediate_size"):
        core["intermediate_size"] = 4 * core["hidden_size"]
        view.notes[:] = [n for n in view.notes if "intermediate_size" not in n]
    core["num_kv_heads"] = core["num_attention_heads"]
    core["hidden_act"] = core["hidden_act"] or "gelu_new"
    n_pos = view.int("n_positions", "max_position_embeddings", default=1024)
    return build(
        {**core, **head},
        uniform_layers(core["num_layers"], "attention", "mlp"),
        **GPT2_BLOCK,
        positional="learned",
        learned_positions=n_pos,
    )


def _openai_gpt(view: ConfigView, head: dict) -> ArchSpec:
    core = read_core(
        view, family="gpt2", tie_default=True, max_pos_default=512, max_pos_key="n_positions"
    )
    # modeling_openai.py MLP: n_state = 4 * n_embd, whatever the config says
    for key in ("intermediate_size", "num_kv_heads", "head_dim"):
        view.sources.pop(key, None)
    view.notes[:] = [n for n in view.notes if "intermediate_size" not in n]
    heads = core["num_attention_heads"]
    core.update(
        intermediate_size=4 * core["hidden_size"],
        num_kv_heads=heads,
        head_dim=core["hidden_size"] // heads if heads else 0,
        hidden_act=view.raw_get("afn", default="gelu", field_name="hidden_act"),
    )
    return build(
        {**core, **head},
        uniform_layers(core["num_layers"], "attention", "mlp"),
        **GPT2_BLOCK,
        norm_placement="post",
        outer_norms=0,
        positional="learned",
        learned_positions=core["max_position_embeddings"],
    )
