"""Qwen4-Exp (qwen4_exp_text, and the qwen4_exp wrapper): Qwen3.5's Gated DeltaNet and gated
attention with a sparse MoE, hyper-connections in place of the residual norms, a QSA token
indexer on the attention layers and hashed n-gram per-layer embeddings (PLE).

``modeling_qwen4_exp.py`` (Qwen4ExpTextDecoderLayer):
- ``layer_types``: "linear_attention" or "indexed_attention" ("full_attention" is read as
  indexed); default ``(i + 1) % full_attention_interval`` (4) -> linear, else indexed;
- linear layers: Qwen3_5GatedDeltaNet (Qwen4ExpTextRMSNormGated of linear_value_head_dim);
- indexed layers: Qwen3_5Attention (``q_proj`` doubled for the output gate, per-head q/k
  norms) plus Qwen4ExpTextQSAIndexer: ``index_qk_proj`` hidden -> (indexer_n_heads +
  indexer_kv_heads) x indexer_head_dim, ``q_layernorm`` / ``k_layernorm`` (indexer_head_dim),
  no biases. transformers builds it unconditionally, so a config without the indexer_* keys
  (the config class's default) cannot be built at all; the engine counts no indexer then;
- every layer: Qwen4ExpTextSparseMoeBlock (router, ``num_experts`` routed experts of
  moe_intermediate_size, a shared expert of shared_expert_intermediate_size and its 1-unit
  gate), and two Qwen4ExpTextGatedResidual (``attn_hyper_connection``,
  ``mlp_hyper_connection``): ``hc_norm`` over hc_count x hidden, ``input_mix_weight_down``
  (hc x hidden -> hc_lowrank), ``input_mix_weight_up`` (back) and ``block_inject_weight``
  (hc x hidden -> hc), no biases; no input / post-attention norms;
- the layers in ``ple_layer_ids`` (one-indexed, linear layers only): Qwen4ExpTextPLELayer, an
  n-gram table (Qwen4ExpTextNGramEmbedding: (ngram_size - 1) × heads_per_ngram heads, head
  ``j`` of PLE layer ``p`` sized by the (p x heads + j + 1)-th prime from
  ngram_vocab_size_base, their sum padded to make_ngram_vocab_size_divisible_by rows of
  ple_embed_dim / heads), ``key_proj`` (ple_embed_dim -> hc x hidden), ``value_proj``
  (ple_embed_dim -> hidden), three norms over hc x hidden and a depthwise ``conv1d`` (hc x
  hidden x ple_conv_kernel_size, dilation ngram_size, no bias).
Qwen4ExpTextModel: ``embed_tokens``, the layers, ``hyper_connection_mixer`` (a gated residual
without ``block_inject_weight``) and no final norm; Qwen4ExpForCausalLM's ``lm_head``
(untied by default).

``qwen4_exp`` (Qwen4ExpForConditionalGeneration) nests the text model in ``text_config``:
AutoModelForCausalLM builds Qwen4ExpForCausalLM from it, text only; the vision tower
(Qwen4ExpVisionConfig = Qwen3.5-MoE's defaults) is reported under ``params.vision_not_built``.
"""

from __future__ import annotations

from functools import lru_cache

from axes.backbone.errors import ConfigError
from axes.backbone.families._common import NO_WIDTH, build, drop_note, header, read_core, read_rope
from axes.backbone.families.qwen3_next import _attention_fields, _deltanet_fields, read_wrapper
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("qwen4_exp_text", "qwen4_exp")

_LAYER_TYPES = {
    "linear_attention": "linear_attention",
    "indexed_attention": "attention",
    "full_attention": "attention",
}
_INDEXER_KEYS = (
    "indexer_n_heads",
    "indexer_kv_heads",
    "indexer_head_dim",
    "indexer_budget",
    "indexer_compress_ratio",
)
# the n-gram heads of all PLE layers together (each a prime-sized table): released configs
# have a few hundred
_MAX_NGRAM_HEADS = 100_000


def read(view: ConfigView) -> ArchSpec:
    if view.raw.get("model_type") == "qwen4_exp":
        return read_wrapper(view, "qwen4_exp_text")
    head = header(view, "qwen4_exp_text")
    core = read_core(
        view, family="qwen4_exp", tie_default=False, head_dim_default=256, max_pos_default=32768
    )
    if not view.has("intermediate_size", "ffn_hidden_size", "n_inner", "ffn_dim"):
        drop_note(view, NO_WIDTH)  # none is built
    read_rope(view, core)
    n, h = core["num_layers"], core["hidden_size"]
    mixers = _mixers(view, n)
    hc = view.int("hc_count", default=4, field_name="hyper_connections")
    rank = view.int("hc_lowrank", default=320, field_name="hyper_connection_rank")
    extras: list[tuple[int, str, int, int]] = []
    fields: dict = {}
    if all(view.has(k) for k in _INDEXER_KEYS):
        n_idx = view.int("indexer_n_heads", field_name="index_n_heads")
        kv_idx = view.int("indexer_kv_heads")
        d_idx = view.int("indexer_head_dim", field_name="index_head_dim")
        weights = h * (n_idx + kv_idx) * d_idx
        extras += [
            (i, "attention", weights + 2 * d_idx, weights)
            for i, m in enumerate(mixers)
            if m == "attention"
        ]
        budget = view.int("indexer_budget")
        block = view.int("indexer_compress_ratio")
        fields.update(  # kv_idx is 1 (required): one key of d_idx cached per token
            index_n_heads=n_idx,
            index_head_dim=d_idx,
            sparse_layers=mixers.count("attention"),
            # the picked complete blocks and the incomplete tail block
            sparse_attended=budget + max(block - 1, 0),
            index_stride=max(block, 1),
        )
        view.notes.append(
            f"QSA: each query of the {mixers.count('attention')} attention layers attends to at "
            f"most {budget:,} tokens in the {block}-token blocks its indexer picks, plus the "
            f"last incomplete block; the KV cache holds the indexer's key too ({d_idx:,} per "
            "token and layer), and a decode step reads every indexer key but only those "
            "tokens' K/V"
        )
    elif "attention" in mixers:
        view.notes.append(
            "no indexer_n_heads / indexer_head_dim / indexer_budget / indexer_compress_ratio: "
            "transformers cannot build Qwen4-Exp's attention layers without its QSA indexer; "
            "counted without one"
        )
    lookup = rows = 0
    ple = _ple_layers(view, n, mixers)
    if ple:
        dim = view.int("ple_embed_dim", default=h)
        ngram = view.int("ngram_size", default=3)
        heads = (ngram - 1) * view.int("heads_per_ngram", default=8)
        if heads <= 0 or dim % heads:
            raise ConfigError(
                f"ple_embed_dim ({dim}) must be a positive multiple of (ngram_size - 1) × "
                f"heads_per_ngram ({heads}), as transformers requires for PLE layers",
                key=view.path("ple_embed_dim") or "ple_embed_dim",
            )
        if heads * len(ple) > _MAX_NGRAM_HEADS:
            raise ConfigError(
                f"{len(ple)} PLE layers of {heads} n-gram heads each are past any real model "
                f"(at most {_MAX_NGRAM_HEADS:,} heads); check ple_layer_ids and heads_per_ngram",
                key=view.path("heads_per_ngram") or "heads_per_ngram",
            )
        base = view.int("ngram_vocab_size_base", default=20_000_000)
        divisor = max(view.int("make_ngram_vocab_size_divisible_by", default=128), 1)
        kernel = view.int("ple_conv_kernel_size", default=4)
        primes = _primes_from(base, heads * len(ple))
        streams = hc * h
        weights = dim * streams + dim * h
        for p, i in enumerate(ple):
            total = sum(primes[p * heads : (p + 1) * heads])
            table = -(-total // divisor) * divisor * (dim // heads)
            lookup += table
            extras.append((i, "embeddings", table, 0))
            extras.append((i, "other", weights + streams * kernel, weights))
            extras.append((i, "norms", 3 * streams, 0))
        rows = len(ple) * dim  # one row of every head a token
        fields["extra_conv_state"] = len(ple) * streams * (kernel - 1) * ngram
    experts = view.int("num_experts", default=512, field_name="num_experts")
    shared = view.int(
        "shared_expert_intermediate_size", default=512, field_name="shared_expert_intermediate_size"
    )
    return build(
        {**core, **head},
        layers_from(mixers, "moe"),
        **_attention_fields(view),
        num_experts=experts,
        experts_per_token=view.int(
            "num_experts_per_tok", default=10, field_name="experts_per_token"
        ),
        moe_intermediate_size=view.int(
            "moe_intermediate_size", default=512, field_name="moe_intermediate_size"
        ),
        num_shared_experts=1 if shared else 0,
        shared_expert_intermediate_size=shared,
        shared_expert_gate=bool(shared),
        norm_topk_prob=view.bool("norm_topk_prob", default=True),
        router_scoring="softmax",
        norms_per_layer=0,
        outer_norms=0,
        hyper_connections=hc,
        hyper_connection_rank=rank,
        layer_extras=extras or None,
        lookup_params=lookup,
        lookup_row_params=rows,
        **_deltanet_fields(view),
        **fields,
    )


def _mixers(view: ConfigView, n: int) -> list[str]:
    lt = view.list("layer_types", field_name="layer_types")
    if lt is not None:
        head = lt[:n]
        mixers = [_LAYER_TYPES.get(t) if isinstance(t, str) else None for t in head]
        if len(mixers) == n and None not in mixers:
            return mixers  # type: ignore[return-value]
        view.notes.append("layer_types does not describe every layer; ignored")
    interval = view.int("full_attention_interval", default=4, field_name="layer_types")
    return [
        "attention" if interval > 0 and (i + 1) % interval == 0 else "linear_attention"
        for i in range(n)
    ]


def _ple_layers(view: ConfigView, n: int, mixers: list[str]) -> list[int]:
    """Zero-based indices of the PLE layers (``ple_layer_ids`` is one-indexed, sorted and
    deduplicated by the config class)."""
    ids = view.list("ple_layer_ids", field_name="ple_layer_ids")
    if not ids:
        return []
    try:
        layers = sorted({int(i) for i in ids})
    except (TypeError, ValueError) as exc:
        raise ConfigError("ple_layer_ids must list layer numbers", key="ple_layer_ids") from exc
    for i in layers:
        if not 1 <= i <= n or mixers[i - 1] != "linear_attention":
            raise ConfigError(
                f"ple_layer_ids names layer {i}, which is no linear_attention layer of the {n} "
                "(ids are one-indexed); transformers builds PLE on those only",
                key="ple_layer_ids",
            )
    return [i - 1 for i in layers]


_SMALL_PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41)


def _is_prime(n: int) -> bool:
    """Deterministic Miller-Rabin (the first 13 primes as bases: exact below 3.3e24)."""
    if n < 2:
        return False
    for p in _SMALL_PRIMES:
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while not d & 1:
        d >>= 1
        s += 1
    for a in _SMALL_PRIMES:
        x = pow(a, d, n)
        if x == 1 or x == n - 1:
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


@lru_cache(maxsize=32)
def _primes_from(base: int, count: int) -> tuple[int, ...]:
    """The first ``count`` primes >= ``base`` (``_find_nth_prime_after(base - 1, k)`` for k =
    1..count in modeling_qwen4_exp.py)."""
    out: list[int] = []
    candidate = base
    while len(out) < count:
        if _is_prime(candidate):
            out.append(candidate)
        candidate += 1
    return tuple(out)
