"""NX-AI xLSTM (``configuration_xlstm.py``, ``modeling_xlstm.py``, the native code path that
transformers uses without the external ``xlstm`` package): a stack of mLSTM blocks, no attention.

Each xLSTMBlock: ``norm_mlstm`` and ``norm_ffn`` (RMSNorms, a bias with ``use_bias``), an mLSTM
layer and a SwiGLU. xLSTMLayer: q and k (hidden -> ``int(hidden x qk_dim_factor)``), v and the
output gate (hidden -> ``int(hidden x v_dim_factor)``), all with ``use_bias``; input and forget
gates (hidden -> ``num_heads``, always with a bias); a per-head LayerNorm over v
(``multihead_norm``, a weight and, with ``use_bias``, a bias); ``out_proj`` back to hidden
(``weight_mode`` "fused" fuses the same matrices). xLSTMFeedForward: gate and up (hidden ->
``hidden x ffn_proj_factor`` rounded up to ``ffn_round_up_to_multiple_of``) and down, with
``use_bias``. Embedding, ``out_norm``, an lm_head that transformers never ties
(xLSTMForCausalLM declares no tied weights). ``embedding_dim`` and ``num_blocks`` are aliases
of hidden_size and num_hidden_layers. The recurrent state per layer (xLSTMCache): C (heads x
qk head dim x v head dim), n (heads x qk head dim) and m (heads), counted in fp32.
"""

from __future__ import annotations

from axes.backbone.errors import ConfigError
from axes.backbone.families._common import (
    NO_WIDTH,
    build,
    drop_note,
    header,
    read_core,
    unread_layer_types,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("xlstm",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "xlstm")
    raw = view.raw
    aliases = {}
    if not view.has("hidden_size") and view.has("embedding_dim"):
        aliases["hidden_size"] = raw.get("embedding_dim")
    if view.has("num_blocks") and raw.get("num_blocks") != raw.get("num_hidden_layers"):
        # xLSTMModel builds its blocks from num_blocks (num_hidden_layers fills it only when
        # absent), so where both are written and differ, num_blocks is the depth
        aliases["num_hidden_layers"] = raw.get("num_blocks")
    if aliases:
        view.raw = {**raw, **aliases}
    core = read_core(view, family="xlstm", tie_default=False)
    if core["tied_embeddings"]:
        view.notes.append(
            "tie_word_embeddings is true, but modeling_xlstm.py ties no weights: the "
            "lm_head is counted apart from the input embedding"
        )
    core["tied_embeddings"] = False
    h, n = core["hidden_size"], core["num_layers"]
    if not view.has("num_attention_heads", "n_head", "num_heads", "n_heads"):
        core["num_attention_heads"] = core["num_kv_heads"] = 8
    heads = core["num_attention_heads"]
    qk = int(h * view.float("qk_dim_factor", default=0.5))
    v = int(h * view.float("v_dim_factor", default=1.0))
    if view.has("intermediate_size", "ffn_hidden_size", "n_inner", "ffn_dim"):
        view.notes.append(
            f"{view.path('intermediate_size', 'ffn_hidden_size', 'n_inner', 'ffn_dim')} is set, "
            "but modeling_xlstm.py does not read it: the feed-forward width is "
            "ffn_proj_factor × hidden_size, rounded up to ffn_round_up_to_multiple_of"
        )
    drop_note(view, NO_WIDTH)  # xLSTMConfig has no intermediate_size: nothing is assumed
    multiple = view.int("ffn_round_up_to_multiple_of", default=64)
    if not multiple:  # xLSTMFeedForward divides by it
        where = view.path("ffn_round_up_to_multiple_of") or "ffn_round_up_to_multiple_of"
        raise ConfigError(f"{where} must be positive, not {multiple}", key=where)
    width = h * view.float("ffn_proj_factor", default=2.667)
    core["intermediate_size"] = int(((width + multiple - 1) // multiple) * multiple)
    core["head_dim"] = qk // heads if heads else 0
    unread_layer_types(view, ["linear_attention"] * n, module="xlstm")
    bias = view.bool("use_bias", default=False)
    return build(
        {**core, **head},
        layers_from(["linear_attention"] * n, "mlp"),
        mlp_bias=bias,
        qkv_bias=bias,
        o_bias=bias,
        positional="none",
        linear_attention_kind="mlstm",
        linear_num_key_heads=heads,
        linear_num_value_heads=heads,
        linear_key_head_dim=qk // heads if heads else 0,
        linear_value_head_dim=v // heads if heads else 0,
    )
