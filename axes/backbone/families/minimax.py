"""MiniMax-Text-01 / MiniMax-M1: Lightning Attention (linear) + softmax attention, MoE everywhere.

``modeling_minimax.py`` (native ``minimax``):
- layer types: ``layer_types`` ("linear_attention" / "full_attention"); configuration_minimax.py
  default: full attention on even layers (``(i + 1) % 2``), Lightning Attention on odd ones;
- Lightning Attention (MiniMaxLightningAttention): ``qkv_proj`` hidden -> 3 * heads * head_dim,
  ``output_gate`` hidden -> heads * head_dim, ``out_proj`` heads * head_dim -> hidden, an RMSNorm
  over heads * head_dim; no biases; its cache is one ``heads x head_dim x head_dim`` state (K^T V)
  per layer and sequence, constant in context (counted in fp32, as the other recurrent states);
- softmax attention (MiniMaxAttention): the Mistral block (q/k/v/o, no biases, GQA);
  ``sliding_window`` (default none) applies to every softmax layer;
- every layer's FFN is the Mixtral sparse block: router (experts x hidden, no bias), fused
  experts of ``intermediate_size``; two RMSNorms per layer; the alpha/beta residual factors
  are scalars, not parameters. The norms are post-norm in MiniMax's sense (MiniMax-M1's
  ``postnorm: true``): each sub-block's residual is its *normalized* input, so the residual
  stream is re-normalized at every block (DeepNorm-style alpha scaling), not kept raw as in a
  pre-norm Llama.

MiniMax-M1's own config (``model_type: minimax_m1``, remote code that is never run here) is
the same network spelled differently: ``attn_type_list`` (0 = Lightning, 1 = softmax) instead of
``layer_types``, ``rotary_dim`` for the partial RoPE, ``postnorm`` and the layernorm alpha/beta
factors (scalars). Its ``shared_intermediate_size`` adds a shared expert the native code does not
have: with a non-zero value the count cannot be checked against transformers and is marked
estimated.
"""

from __future__ import annotations

from axes.backbone.families._common import (
    build,
    header,
    layer_types_mixers,
    read_core,
    read_rope,
    sliding_window,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("minimax", "minimax_m1")


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "minimax")
    mt = head["model_type"]
    core = read_core(view, family=mt, tie_default=False, max_pos_default=4096 * 32)
    read_rope(view, core)
    n = core["num_layers"]
    mixers = None
    remote = (
        mt != "minimax"
    )  # minimax_m1 and the remote-code aliases (families.ARCHITECTURE_ALIASES)
    if remote and view.has("attn_type_list") and not view.has("layer_types"):
        mixers = _attn_type_list(view, n)
    if mixers is None:
        mixers = layer_types_mixers(view, n)
    if mixers is None:  # configuration_minimax.py's default
        mixers = ["attention" if (i + 1) % 2 else "linear_attention" for i in range(n)]
    window = sliding_window(view, None)
    if window is not None:
        mixers = ["sliding_attention" if m == "attention" else m for m in mixers]
    extra: dict = {}
    if remote:
        rotary = view.int("rotary_dim", default=None, field_name="partial_rotary_factor")
        if rotary and core["head_dim"]:
            extra["partial_rotary_factor"] = rotary / core["head_dim"]
        shared = view.int("shared_intermediate_size", default=0, field_name="shared_experts")
        if shared:
            view.notes.append(
                f"shared_intermediate_size is {shared:,}: MiniMax-M1's remote code adds a "
                "shared expert that transformers' minimax does not build; the count leaves it "
                "out and is an estimate"
            )
            extra["estimated"] = True
    return build(
        {**core, **head},
        layers_from(mixers, "moe"),
        sliding_window=window,
        num_experts=view.int(
            "num_local_experts", "num_experts", default=8, field_name="num_experts"
        ),
        experts_per_token=view.int(
            "num_experts_per_tok", default=2, field_name="experts_per_token"
        ),
        moe_intermediate_size=core["intermediate_size"],
        router_scoring="softmax",
        linear_attention_kind="lightning",
        norm_placement="post",
        **extra,
    )


def _attn_type_list(view: ConfigView, n: int) -> list[str] | None:
    """MiniMax-M1's ``attn_type_list``: 1 = softmax attention, 0 = Lightning Attention."""
    types = view.list("attn_type_list", field_name="layer_types")
    if types is None or len(types) < n or any(t not in (0, 1) for t in types[:n]):
        view.notes.append("attn_type_list does not give 0 or 1 for every layer; ignored")
        return None
    return ["attention" if t == 1 else "linear_attention" for t in types[:n]]
