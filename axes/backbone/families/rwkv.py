"""RWKV-4 (``configuration_rwkv.py``, ``modeling_rwkv.py``): an RNN language model, no attention
and no KV cache; each block is a time-mix (the WKV linear recurrence) and a channel-mix.

RwkvModel: ``embeddings`` (vocab x hidden), the blocks, ``ln_out``; RwkvForCausalLM: ``head``
(hidden -> vocab, no bias), tied to the embeddings only with tie_word_embeddings (default
false). RwkvBlock: ``ln1`` / ``ln2`` (LayerNorms with bias) and, in block 0 only, ``pre_ln``
over the embeddings. RwkvSelfAttention (time-mix): ``key`` / ``value`` / ``receptance``
(hidden -> attention_hidden_size, default hidden) and ``output`` (back), no biases;
``time_decay``, ``time_first`` (attention_hidden_size) and ``time_mix_key`` / ``_value`` /
``_receptance`` (hidden). RwkvFeedForward (channel-mix, the MLP here): ``key`` (hidden ->
intermediate_size, default 4 x hidden), ``value`` (back), ``receptance`` (hidden -> hidden),
no biases, a squared ReLU, and ``time_mix_key`` / ``time_mix_receptance`` (hidden).
``rescale_every`` halves weights at inference, which changes no count. ``context_length``
(RwkvConfig's max_position_embeddings, default 1024) is the length one parallel forward pass
(and the CUDA kernel) is built for; in RNN mode the recurrence runs past it.

State per sequence (RwkvModel.forward with use_cache): five (batch, hidden, layers) tensors,
the two token-shift inputs in the model's dtype and the WKV numerator, denominator and
running maximum in float32.
"""

from __future__ import annotations

from axes.backbone.families._common import (
    build,
    default_note,
    header,
    read_core,
    unread_layer_types,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("rwkv",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "rwkv")
    core = read_core(view, family="rwkv", tie_default=False)
    h, n = core["hidden_size"], core["num_layers"]
    if not view.has("intermediate_size"):  # configuration_rwkv.py: 4 x hidden, not a guess
        view.notes[:] = [note for note in view.notes if "intermediate_size" not in note]
    for key in ("num_attention_heads", "num_kv_heads", "head_dim"):
        view.sources.pop(key, None)
    context = view.int(
        "context_length",
        "max_position_embeddings",
        default=1024,
        field_name="max_position_embeddings",
    )
    if "max_position_embeddings" not in view.sources:
        default_note(view, "context_length", context)
    width = view.int("attention_hidden_size", default=h, field_name="ssm_intermediate_size")
    if "ssm_intermediate_size" not in view.sources:
        view.sources["ssm_intermediate_size"] = view.sources["hidden_size"]
    core.update(
        num_attention_heads=0,
        num_kv_heads=0,
        head_dim=0,
        max_position_embeddings=context,
        hidden_act="relu2",  # RwkvFeedForward: torch.square(torch.relu(key))
    )
    view.notes.append(
        "the recurrent state per sequence is what modeling_rwkv.py keeps: five hidden-size "
        "vectors per layer, the time-mix's and the channel-mix's last input (the model's dtype, "
        "counted as conv state) and the WKV numerator, denominator and running maximum (float32)"
    )
    mixers = ["linear_attention"] * n
    unread_layer_types(view, mixers, module="rwkv")
    return build(
        {**core, **head},
        layers_from(mixers, "mlp"),
        linear_attention_kind="rwkv",
        ssm_intermediate_size=width,
        ffn_gated=False,
        # RwkvFeedForward.receptance (hidden x hidden) and its two time-mix vectors
        mlp_extra=h * h + 2 * h,
        mlp_extra_weights=h * h,
        norm_type="layernorm",
        norm_bias=True,
        one_layer_extra=(0, "norms", 2 * h) if n else None,  # block 0's pre_ln
        positional="none",
    )
