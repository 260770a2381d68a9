"""GPT-Neo (EleutherAI/gpt-neo-125m / 1.3B / 2.7B): learned positions, and global layers
alternating with local ones that attend to the last ``window_size`` tokens.

``modeling_gpt_neo.py``: ``wte`` (vocab x hidden) and ``wpe`` (max_position_embeddings x
hidden); per block ``ln_1`` / ``ln_2`` (LayerNorm with bias), q/k/v_proj (hidden -> hidden)
without bias and ``out_proj`` with one, MLP ``c_fc`` / ``c_proj`` over intermediate_size
(default 4 * hidden) with bias; final ``ln_f``; lm_head tied by default. Multi-head only (head
size hidden // num_heads). Layer kinds: GPTNeoConfig expands ``attention_types``
(``[[["global", "local"], 12]]`` by default) into one entry per layer, and refuses a config
where that list is not num_layers long; a "local" layer masks all but the last
``window_size`` (default 256) tokens: a sliding layer here (transformers' own cache still
keeps every token of it; the figures give the window it attends to).
"""

from __future__ import annotations

from typing import Any

from axes.backbone.errors import ConfigError
from axes.backbone.families._common import build, header, read_core, unread_layer_types
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("gpt_neo",)

DEFAULT_ATTENTION_TYPES: list[Any] = [[["global", "local"], 12]]
_MIXERS = {"global": "attention", "local": "sliding_attention"}


def _expand(view: ConfigView, n: int) -> list[str]:
    """GPTNeoConfig.expand_attention_types_params, checked as transformers checks it (the
    count is taken before anything is expanded: a repeat of 10**12 builds no list)."""
    types = view.list("attention_types", field_name="layer_types")
    if types is None:
        types = DEFAULT_ATTENTION_TYPES
    total = 0
    for item in types:
        if not (
            isinstance(item, list)
            and len(item) == 2
            and isinstance(item[0], list)
            and type(item[1]) is int
            and item[1] >= 0
        ):
            raise ConfigError(
                "attention_types must be a list of [layer kinds, repeats] pairs, such as "
                '[[["global", "local"], 12]]; fix it in config.json',
                key="attention_types",
            )
        for kind in item[0]:
            if not isinstance(kind, str) or kind not in _MIXERS:
                raise ConfigError(
                    f"attention_types names the layer kind {kind!r}; transformers builds only "
                    "global and local layers. Fix attention_types in config.json.",
                    key="attention_types",
                )
        total += len(item[0]) * item[1]
    if total != n:
        raise ConfigError(
            f"attention_types gives {total:,} layers but num_layers is {n:,} (transformers "
            "refuses such a config); fix attention_types or num_layers in config.json",
            key="attention_types",
        )
    return [_MIXERS[kind] for kinds, repeats in types for _ in range(repeats) for kind in kinds]


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "gpt_neo")
    core = read_core(view, family="gpt_neo", tie_default=True, max_pos_default=2048)
    hidden, heads = core["hidden_size"], core["num_attention_heads"]
    for key in ("num_kv_heads", "head_dim"):
        view.sources.pop(key, None)  # read_core's aliases: modeling_gpt_neo.py reads neither
    core.update(
        num_kv_heads=heads,
        head_dim=hidden // heads if heads else 0,
        hidden_act=view.raw_get("activation_function", default="gelu_new", field_name="hidden_act"),
        rope_theta=None,
        rope_scaling=None,
    )
    if not view.has("intermediate_size"):  # GPTNeoBlock: None is 4 * hidden_size, no guess
        view.notes[:] = [n for n in view.notes if "intermediate_size" not in n]
        view.sources.pop("intermediate_size", None)
        core["intermediate_size"] = 4 * hidden
    mixers = _expand(view, core["num_layers"])
    unread_layer_types(view, mixers, module="gpt_neo")
    window = None
    if "sliding_attention" in mixers:
        window = view.int("window_size", default=256, field_name="sliding_window")
    return build(
        {**core, **head},
        layers_from(mixers, "mlp"),
        qkv_bias=False,
        o_bias=True,
        mlp_bias=True,
        ffn_gated=False,
        norm_type="layernorm",
        norm_bias=True,
        positional="learned",
        learned_positions=core["max_position_embeddings"],
        sliding_window=window,
    )
