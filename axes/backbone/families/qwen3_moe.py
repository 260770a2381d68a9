"""Qwen3-MoE: the Qwen3 block (per-head QK-norm) with sparse MoE FFNs.

``modeling_qwen3_moe.py`` Qwen3MoeDecoderLayer: a layer is sparse when
``layer_idx not in mlp_only_layers and num_experts > 0 and (layer_idx + 1) %
decoder_sparse_step == 0``, else a dense SwiGLU of ``intermediate_size``. Router ``gate``
(E x hidden, no bias); fused experts of width ``moe_intermediate_size``; no shared expert.
Attention: ``sliding_window`` (default 4096) in every layer when ``use_sliding_window``
(Qwen3MoeAttention reads ``config.sliding_window``; neither layer_types nor max_window_layers).

Mellum (``modeling_mellum.py``): the same attention and MoE blocks; ``layer_types`` places the
sliding layers (configuration_mellum.py default: all full; ``sliding_window`` default 1024)
and ``mlp_layer_types`` the FFNs ("sparse": MoE, else a dense SwiGLU of intermediate_size;
default all sparse); head_dim default 128. The checkpoint's ``mtp.*`` modules
(``num_mtp_layers``) are dropped on load (_keys_to_ignore_on_load_unexpected): not counted.
"""

from __future__ import annotations

from axes.backbone.families._common import (
    attention_mixers,
    build,
    header,
    layer_indices,
    read_core,
    read_rope,
    sliding_window,
    uniform_attention,
    unwindowed,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("qwen3_moe", "mellum")


def sparse_layers(view: ConfigView, n: int, num_experts: int) -> list[bool]:
    only = layer_indices(view, "mlp_only_layers", field_name="mlp_only_layers")
    step = view.int("decoder_sparse_step", default=1, field_name="decoder_sparse_step")
    if not only and step == 1:  # the common case: every layer sparse (or none)
        return [num_experts > 0] * n
    return [
        i not in only and num_experts > 0 and step > 0 and (i + 1) % step == 0 for i in range(n)
    ]


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "qwen3_moe")
    mellum = head["model_type"] == "mellum"
    core = read_core(
        view,
        family="qwen3_moe",
        tie_default=False,
        head_dim_default=128 if mellum else None,
        max_pos_default=131072 if mellum else 32768,
    )
    read_rope(view, core)
    n = core["num_layers"]
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    if mellum:
        experts = view.int("num_experts", "num_local_experts", default=64, field_name="num_experts")
        kinds = view.list("mlp_layer_types", field_name="mlp_layer_types")
        if kinds is not None and len(kinds) < n:
            view.notes.append(
                "mlp_layer_types does not say dense or sparse for every layer; ignored"
            )
            kinds = None
        sparse = [
            experts > 0 and (k == "sparse" if kinds else True) for k in (kinds or [0] * n)[:n]
        ]
        window = sliding_window(view, 1024)
        mixers = unwindowed(view, attention_mixers(view, n), window=window)
    else:
        experts = view.int(
            "num_experts", "num_local_experts", default=128, field_name="num_experts"
        )
        sparse = sparse_layers(view, n, experts)
        window = sliding_window(view, 4096) if view.bool("use_sliding_window") else None
        mixers = uniform_attention(view, n, module="qwen3_moe", sliding=window is not None)
    if "sliding_attention" not in mixers:
        window = None
    return build(
        {**core, **head},
        layers_from(mixers, ["moe" if s else "mlp" for s in sparse]),
        qkv_bias=bias,
        o_bias=bias,
        qk_norm="per_head",
        sliding_window=window,
        num_experts=experts,
        experts_per_token=view.int(
            "num_experts_per_tok", default=8, field_name="experts_per_token"
        ),
        moe_intermediate_size=view.int(
            "moe_intermediate_size",
            default=896 if mellum else 768,
            field_name="moe_intermediate_size",
        ),
        norm_topk_prob=view.bool("norm_topk_prob", default=mellum),
        router_scoring="softmax",
    )
