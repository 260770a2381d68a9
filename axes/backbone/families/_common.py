"""Readers shared by the family modules (the keys every decoder config spells the same)."""

from __future__ import annotations

import json
from typing import Any

from axes.backbone.errors import ConfigError
from axes.backbone.families._defaults import INTERMEDIATE_SIZE, NUM_KV_HEADS
from axes.backbone.layers import LAYER_TYPE_TO_MIXER, LayerSpec, mixers_from_layer_types
from axes.backbone.spec import _MISSING, ArchSpec, ConfigView, spec_from_fields

MAX_LAYERS = 10_000  # the deepest released decoders have a few hundred layers


_CORE_SIZE: Any = (
    ("hidden_size", ("hidden_size", "n_embd", "d_model", "dim", "n_embed"), _MISSING),
    ("num_layers", ("num_hidden_layers", "n_layer", "num_layers", "n_layers"), _MISSING),
)
_CORE_HEADS: Any = (
    ("vocab_size", ("vocab_size", "padded_vocab_size", "n_vocab"), _MISSING),
    ("num_attention_heads", ("num_attention_heads", "n_head", "num_heads", "n_heads"), 0),
    (
        "num_kv_heads",
        ("num_key_value_heads", "num_kv_heads", "n_kv_heads", "multi_query_group_num"),
        None,
    ),
)
_CORE_WIDTHS: Any = (
    ("head_dim", ("head_dim", "attention_head_dim", "kv_channels"), None),
    ("intermediate_size", ("intermediate_size", "ffn_hidden_size", "n_inner", "ffn_dim"), None),
)
_CORE: Any = _CORE_SIZE + _CORE_HEADS + _CORE_WIDTHS  # one lookup pass for the seven
_MAX_POS = ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length", "n_ctx")


def read_core(
    view: ConfigView,
    *,
    family: str,
    tie_default: bool,
    head_dim_default: int | None = None,
    max_pos_default: int | None = None,
    max_pos_key: str = "max_position_embeddings",
    mla: bool = False,
) -> dict[str, Any]:
    """hidden size, layers, vocab, heads, head_dim, FFN width, tying: the dense core.

    ``mla``: every attention layer is MLA (DeepseekV3Attention & co.), which builds its keys
    and values from the kv_lora_rank latent, one per query head, and no weights from
    ``num_key_value_heads``: a value that does not divide the heads is noted, not refused
    (transformers builds the model). Its attention still repeats the keys heads // kv times,
    so a config where that is not 1 is noted as one transformers builds but cannot run.

    ``head_dim``: ``config.head_dim`` when set, else ``head_dim_default`` (qwen3, gemma: a
    fixed default in their configuration_*.py), else hidden_size // num_attention_heads
    (llama and most others, ``configuration_llama.py``).

    ``max_pos_default``: the config class's ``max_position_embeddings`` default (``max_pos_key``
    names that field), used, with a note, when config.json has none; None: no fixed limit.
    """
    hidden, layers, vocab, heads, kv, hd, inter = view.ints(_CORE)
    if layers > MAX_LAYERS:
        # Checked before any per-layer list is built: 10**13 layers would exhaust memory.
        where = view.sources.get("num_layers", "num_hidden_layers")
        raise ConfigError(
            f"{where} is {layers:,}, over the {MAX_LAYERS:,} layers any real model has; fix "
            "the value in config.json.",
            key=where,
        )
    kv_default = False

    def kv_path() -> str:  # only the notes and refusals below name it (not the hot path)
        return view.path("num_key_value_heads") or key_path(view, "num_key_value_heads")

    if kv is None:
        if view.bool("multi_query", default=False):
            kv = 1
        elif "num_key_value_heads" in view.raw or "num_key_value_heads" in view.text:
            # an explicit null: LlamaConfig / Qwen2Config.__post_init__ give the heads, but
            # most config classes refuse a null (MistralConfig, GemmaConfig: a validation
            # error) and some keep None and build no model (Qwen2MoeConfig, Ernie4_5_MoeConfig)
            kv = heads
            view.notes.append(
                f"{kv_path()} is null: counted with as many K/V heads as query heads ({heads}), "
                "as LlamaConfig and Qwen2Config read it; many config classes refuse a null "
                "there or build no model from it"
            )
        else:
            kv = class_default(view, NUM_KV_HEADS)
            kv_default = kv is not None
            if kv_default:  # Qwen2Config: 32, whatever num_attention_heads is
                default_note(view, "num_key_value_heads", kv)
            else:  # the config class's None: num_attention_heads (__post_init__)
                kv = heads
    if hd is None:
        if head_dim_default is not None:
            hd = head_dim_default
        elif heads:
            hd = hidden // heads
        else:
            hd = 0
    if inter is None:
        inter = class_default(view, INTERMEDIATE_SIZE)
        if inter is not None:
            default_note(view, "intermediate_size", inter)
        else:
            inter = 4 * hidden
            view.notes.append(NO_WIDTH)
    if mla and heads and kv and heads // kv != 1:
        # DeepseekV3Attention & co. build nothing from num_key_value_heads, but their
        # attention (eager_attention_forward's repeat_kv, sdpa's GQA) repeats the keys
        # heads // kv times: only 1 runs (a forward pass of a 4-layer model, eager and sdpa)
        view.notes.append(
            f"{kv_path()} = {kv} with num_attention_heads = {heads}: MLA builds no "
            "weights from it (its keys and values come from the kv_lora_rank latent, one per "
            "query head), so the model is counted as transformers builds it; but transformers' "
            "attention repeats the keys num_attention_heads // num_key_value_heads = "
            f"{heads // kv} times, so this config does not run there"
            # none: eager attention fails, sdpa runs (its GQA check passes on 0 groups)
            + (" with eager attention" if heads < kv else "")
        )
    elif mla and heads and kv and heads % kv:
        view.notes.append(
            f"{kv_path()} = {kv} does not divide num_attention_heads ({heads}), but "
            "MLA builds no weights from it: its keys and values come from the kv_lora_rank "
            "latent, one per query head; counted as transformers builds it"
        )
    elif heads and kv and heads % kv:
        raise ConfigError(
            f"num_attention_heads ({heads}) is not a multiple of {kv_path()} ({kv})"
            + (
                f": config.json has no {kv_path()}, and {kv} is its config class's "
                "default. Add the key to config.json."
                if kv_default
                else ""
            ),
            key=kv_path(),
        )
    tied = view.bool("tie_word_embeddings", default=tie_default, field_name="tied_embeddings")
    sources = view.sources
    if "tied_embeddings" not in sources:  # absent key: the default, quoted by its name
        sources["tied_embeddings"] = "tie_word_embeddings"
    (max_pos,) = view.ints((("max_position_embeddings", _MAX_POS, max_pos_default),))
    if max_pos_default is not None and "max_position_embeddings" not in sources:
        # the config class's default is what transformers builds with (LlamaConfig: 2048)
        default_note(view, max_pos_key, max_pos_default)
    act = view.raw_get(
        "hidden_act", "hidden_activation", "activation_function", field_name="hidden_act"
    )
    eps = view.float(
        "rms_norm_eps", "layer_norm_eps", "layer_norm_epsilon", "norm_eps", field_name="norm_eps"
    )
    return {
        "family": family,
        "hidden_size": hidden,
        "num_layers": layers,
        "vocab_size": vocab,
        "num_attention_heads": heads,
        "num_kv_heads": kv,
        "head_dim": hd,
        "intermediate_size": inter,
        "tied_embeddings": tied,
        "max_position_embeddings": max_pos,
        "hidden_act": act if isinstance(act, str) else None,
        "norm_eps": eps,
    }


def read_rope(view: ConfigView, core: dict[str, Any]) -> None:
    """rope_theta / rope_scaling (transformers 4) or rope_parameters (transformers 5)."""
    get = view._values.get
    sources = view.sources
    params = get("rope_parameters")
    if params is not None:
        sources["rope_theta"] = view._path("rope_parameters")
    theta = get("rope_theta")
    if theta is not None:
        sources["rope_theta"] = view._path("rope_theta")
        if type(theta) is not float:
            theta = view.float("rope_theta")
    scaling = get("rope_scaling")
    if scaling is not None:
        sources["rope_scaling"] = view._path("rope_scaling")
    if isinstance(params, dict):
        inner = params.get("full_attention", params)
        if isinstance(inner, dict):
            theta = theta or (float(inner["rope_theta"]) if "rope_theta" in inner else None)
            if inner.get("rope_type", "default") != "default" and not scaling:
                scaling = dict(inner)
            if "partial_rotary_factor" in inner:
                core["partial_rotary_factor"] = float(inner["partial_rotary_factor"])
    core["rope_theta"] = theta
    core["rope_scaling"] = scaling if isinstance(scaling, dict) else None
    # the sliding layers' own base where a config gives one (Gemma 3: rope_local_base_freq;
    # ModernBERT: local_rope_theta; transformers 5: rope_parameters.sliding_attention)
    local = get("rope_local_base_freq")
    if local is not None:
        core["sliding_rope_theta"] = view.float(
            "rope_local_base_freq", field_name="sliding_rope_theta"
        )
    elif get("local_rope_theta") is not None:
        core["sliding_rope_theta"] = view.float("local_rope_theta", field_name="sliding_rope_theta")
    elif isinstance(params, dict) and isinstance(params.get("sliding_attention"), dict):
        local = params["sliding_attention"].get("rope_theta")
        if isinstance(local, int | float) and not isinstance(local, bool):
            core["sliding_rope_theta"] = float(local)
            sources["sliding_rope_theta"] = view._path("rope_parameters")
    if get("partial_rotary_factor") is not None:
        prf = view.float("partial_rotary_factor", field_name="partial_rotary_factor")
        core["partial_rotary_factor"] = prf


def heads_divide(view: ConfigView, hidden: int, heads: int) -> None:
    """For attention whose head width is hidden // heads and that transformers refuses when the
    heads do not divide the hidden size (XGLMAttention, ModernBertDecoderAttention)."""
    if heads and hidden % heads:
        where = view.sources.get("hidden_size", "hidden_size")
        heads_where = view.sources.get("num_attention_heads", "num_attention_heads")
        raise ConfigError(
            f"{where} ({hidden:,}) is not a multiple of {heads_where} ({heads:,}): transformers "
            "refuses such a model. Fix it in config.json.",
            key=heads_where,
        )


def uniform_layers(n: int, mixer: str | None, ffn: str | None) -> list[LayerSpec]:
    return [LayerSpec(mixer, ffn)] * n  # one interned block, n references


# the spec source of a value config.json does not give, its config class's default
# ("rope_local_base_freq (config class default)"): facts quote it as such in their evidence
CLASS_DEFAULT = " (config class default)"


def class_default(view: ConfigView, table: dict[str, int]) -> int | None:
    """The config class's default from a ``_defaults`` table: the text config's type first
    (a wrapper's keys are read from text_config), then the config's own."""
    for mt in (view.text.get("model_type"), view.raw.get("model_type")):
        if isinstance(mt, str) and mt in table:
            return table[mt]
    return None


NO_WIDTH = "no intermediate_size: assumed 4 × hidden_size"


def drop_note(view: ConfigView, note: str) -> None:
    """Take back a note read_core wrote that does not apply to this family (Kolibri1 builds no
    dense MLP, so ``NO_WIDTH`` assumes nothing); no error when it was not written (the key
    was set, or read_core gave the config class's default instead)."""
    if note in view.notes:
        view.notes.remove(note)


def key_path(view: ConfigView, key: str) -> str:
    """Where config.json would hold ``key``, which it lacks: under text_config for a wrapper
    (its text model read on its own, or overlaid by a text_config), else at the top."""
    if view.prefix:
        return view.prefix + key
    return f"text_config.{key}" if view.text else key


def default_note(view: ConfigView, key: str, value: int) -> None:
    """Say that a key config.json lacks was given its config class's default."""
    mt = view.raw.get("model_type") or view.text.get("model_type") or "this model"
    view.notes.append(
        f"no {key_path(view, key)} in config.json: transformers' {mt} default, {value:,}, is used"
    )


def _layer_types_problem(view: ConfigView, layer_types: list[Any], n: int) -> None:
    """Note why ``layer_types`` cannot give the layer mix: the first entry no layer type
    names, or a list shorter than the model."""
    for i, entry in enumerate(layer_types[:n]):
        if not isinstance(entry, str) or entry not in LAYER_TYPE_TO_MIXER:
            view.notes.append(f"layer_types has an unknown entry, {entry!r} (layer {i}); ignored")
            return
    view.notes.append("layer_types does not describe every layer; ignored")


def layer_types_mixers(view: ConfigView, n: int) -> list[str] | None:
    """Mixer per layer from ``layer_types``, for families whose modeling code reads it; None
    when it is absent, or unusable (an unknown entry, too few entries: noted, naming which)."""
    lt = view.list("layer_types", field_name="layer_types")
    if lt is None:
        return None
    mixers = mixers_from_layer_types(lt, n)
    if mixers is None:
        _layer_types_problem(view, lt, n)
    return mixers


def entry_shown(entry: Any) -> str:
    """A config entry as JSON writes it, cut to 40 characters, for a message naming it."""
    shown = json.dumps(entry, ensure_ascii=False, default=str)
    return shown if len(shown) <= 40 else shown[:39] + "…"


def per_layer_kinds(
    view: ConfigView,
    n: int,
    allowed: tuple[str, ...] = ("dense", "sparse"),
    *,
    key: str = "mlp_layer_types",
    field_name: str = "first_k_dense",
    note: str = "mlp_layer_types does not say dense or sparse for every layer; ignored",
) -> list[str] | None:
    """The first ``n`` entries of the per-layer list ``key`` (``mlp_layer_types``: "dense" /
    "sparse"), when each is one of ``allowed``; None when the key is absent or the list cannot
    be used, and the family's default placement counts. Unusable, it is noted as ignored, as
    ``layer_types`` is: an entry that is no string at all (a list, an object, a number) named
    with its layer, else (a shorter list, another kind) ``note``. (``set()`` of a list holding
    a list or an object was a ``TypeError``: a 500 on /upload/.)"""
    kinds = view.list(key, field_name=field_name)
    if kinds is None:
        return None
    for i, entry in enumerate(kinds[:n]):
        if not isinstance(entry, str):
            where = view.path(key) or key
            view.notes.append(
                f"{where} has an unknown entry, {entry_shown(entry)} (layer {i}); ignored"
            )
            return None
    if len(kinds) >= n and all(k in allowed for k in kinds[:n]):
        return kinds[:n]
    view.notes.append(note)
    return None


def layer_indices(view: ConfigView, key: str, *, field_name: str | None = None) -> set[int]:
    """The layer indices the list ``key`` gives (``attn_layer_indices``, ``moe_layers``,
    ``mlp_only_layers``); empty when absent. An entry that is no whole number is refused with
    ``ConfigError`` naming the key and the entry (``set()`` of a list holding a list was a
    ``TypeError``, a 500 on /upload/; a string never matched a layer, silently)."""
    given = view.list(key, field_name=field_name) or []
    for i, entry in enumerate(given):
        if type(entry) is not int:
            where = view.path(key) or key
            raise ConfigError(
                f"{where}[{i}] is {entry_shown(entry)}, not a layer index: {where} lists "
                "layers by number (0 is the first). Fix it in config.json.",
                key=where,
            )
    return set(given)


def attention_mixers(view: ConfigView, n: int, *, default_sliding: bool = False) -> list[str]:
    """Mixer per layer from ``layer_types`` when present, else all full (or all sliding)."""
    mixers = layer_types_mixers(view, n)
    if mixers is not None:
        return mixers
    return ["sliding_attention" if default_sliding else "attention"] * n


def uniform_attention(view: ConfigView, n: int, *, module: str, sliding: bool = False) -> list[str]:
    """Every layer the same attention, for a family whose ``modeling_<module>.py`` never reads
    ``layer_types`` (a window, when the config sets one, applies to every layer)."""
    mixers = ["sliding_attention" if sliding else "attention"] * n
    unread_layer_types(view, mixers, module=module)
    return mixers


def unread_layer_types(view: ConfigView, mixers: list[str], *, module: str) -> None:
    """For a family whose ``modeling_<module>.py`` never reads ``layer_types``: the mix is
    what that code builds (``mixers``); a ``layer_types`` that says otherwise is noted."""
    lt = view.raw_get("layer_types")
    if not isinstance(lt, list):
        return
    read = mixers_from_layer_types(lt, len(mixers))
    if read is None:
        _layer_types_problem(view, lt, len(mixers))  # transformers refuses such a config
    elif read != mixers:
        view.notes.append(f"layer_types is not read by modeling_{module}.py; ignored")


def sliding_window(view: ConfigView, default: int | None) -> int | None:
    """``sliding_window``, or the config class's ``default`` (noted) when the key is absent; an
    explicit null is no window (transformers keeps the null)."""
    if view.has("sliding_window"):
        return view.int("sliding_window", field_name="sliding_window")
    if default is None or "sliding_window" in view.raw or "sliding_window" in view.text:
        return None
    default_note(view, "sliding_window", default)
    return default


def unwindowed(
    view: ConfigView, mixers: list[str], *, window: int | None, reason: str = "null"
) -> list[str]:
    """Layers marked sliding_attention that get no window attend to the full context in
    transformers (``sliding_window = config.sliding_window if layer_type == ...``, None):
    they are full attention, in the layer mix as in the KV figures. ``reason``: why there is
    no window ("null", or "disabled" for ``use_sliding_window: false``)."""
    if window is not None or "sliding_attention" not in mixers:
        return mixers
    n = mixers.count("sliding_attention")
    if reason == "disabled":
        view.notes.append(
            f"{n} layers are marked sliding_attention, but use_sliding_window is false: "
            "transformers gives them no window, so they are counted as full attention"
        )
    else:
        view.notes.append(
            f"{n} layers are marked sliding_attention, but there is no sliding_window: "
            "they are counted as full attention"
        )
    return ["attention" if m == "sliding_attention" else m for m in mixers]


def build(core: dict[str, Any], layers: list[LayerSpec], **extra: Any) -> ArchSpec:
    values = {"architectures": [], **core, **extra, "layers": layers}
    return spec_from_fields(values)


def header(view: ConfigView, default_type: str) -> dict[str, Any]:
    mt = view.raw.get("model_type") or view.text.get("model_type") or default_type
    archs = view.raw.get("architectures")
    return {
        "model_type": str(mt),
        "architectures": [str(a) for a in archs] if isinstance(archs, list) else [],
    }
