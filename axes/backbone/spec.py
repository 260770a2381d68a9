"""config.json -> ArchSpec: one normalized, family-independent description of a backbone.

Every family module (``axes.backbone.families.*``) reads its own keys and defaults (the
defaults of the installed transformers ``configuration_*.py``) into the same ArchSpec, so
parameter, memory and compute formulas are written once, over the spec, not per family.

``ConfigView`` resolves aliases (``n_embd`` / ``hidden_size`` / ``d_model``), ``text_config``
nesting and numeric strings, and records which key path each value came from so facts can
quote their evidence (``text_config.num_key_value_heads``).
"""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, field, fields
from operator import itemgetter
from typing import Any

from axes.backbone.errors import ConfigError
from axes.backbone.layers import (
    PARALLEL_HYBRID,
    SHARED_MAMBA,
    SHARED_MAMBA2,
    LayerSpec,
    block_counts,
    pattern_dicts,
)
from axes.backbone.quantization import quantization_summary

_MISSING = object()
_NO_KEYS: frozenset[str] = frozenset()


class _computed_once:  # noqa: N801 - used as a decorator, like functools.cached_property
    """``functools.cached_property`` without its per-instance lock (Python 3.11 takes an RLock
    on every first access, ~1 us each; a spec is built and read by one thread)."""

    def __init__(self, fn: Any) -> None:
        self.fn = fn
        self.name = fn.__name__
        self.__doc__ = fn.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, cls: type | None = None) -> Any:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value


def _missing_key(names: tuple[str, ...], values: Any = None) -> ConfigError:
    """A required key is absent under every alias: say which and what to do."""
    if values is not None:
        for n in names:
            if n in values and values[n] is None:  # null, or NaN / Infinity read as null
                return ConfigError(
                    f"config.json has {n}: null (NaN and Infinity are read as null); the engine "
                    "needs a number there to count parameters. Fix the value and retry.",
                    key=n,
                )
    return ConfigError(
        f"config.json has no {' / '.join(names)}; the engine needs it to count "
        "parameters. Add the key or analyze the model's original config.json.",
        key=names[0],
    )


class ConfigView:
    """Read-only view over a config dict with alias lookup, ``text_config`` nesting and
    provenance. ``get("hidden_size", "n_embd", "d_model")`` returns the first present key."""

    def __init__(self, config: dict[str, Any]) -> None:
        if not isinstance(config, dict):
            raise ConfigError(
                f"config.json must hold a JSON object, not {type(config).__name__}. "
                "Check that you passed the model's config.json."
            )
        self.sources: dict[str, str] = {}  # spec field -> config key path
        self.notes: list[str] = []
        # where this dict sits in config.json: "text_config." for a wrapper's text model read
        # on its own (families/_wrapper.py), so notes name a key a user can find
        self.prefix = ""
        self._bind(config)

    def _bind(self, config: dict[str, Any]) -> None:
        # one flat mapping to look names up in (a null value reads as absent): the config
        # itself, or, with a text_config, the config overlaid by text_config's non-null keys
        self._raw = config
        text = config.get("text_config")
        if isinstance(text, dict) and text:
            self.text: dict[str, Any] = text
            self._from_text = frozenset(k for k, v in text.items() if v is not None)
            self._values = {**config, **{k: text[k] for k in self._from_text}}
        else:
            self.text = {}
            self._from_text = _NO_KEYS
            self._values = config

    @property
    def raw(self) -> dict[str, Any]:
        return self._raw

    @raw.setter
    def raw(self, config: dict[str, Any]) -> None:
        self._bind(config)

    def ints(self, table: tuple[tuple[str | None, tuple[str, ...], Any], ...]) -> list[Any]:
        """``[self.int(*names, default=default, field_name=field) for field, names, default
        in table]`` in one loop (no per-field call): the same values, sources and errors."""
        get = self._values.get
        sources = self.sources
        from_text = self._from_text
        out = []
        append = out.append
        for field_name, names, default in table:
            for n in names:
                v = get(n)
                if v is not None:
                    break
            else:
                if default is _MISSING:
                    raise _missing_key(names, self._values)
                append(default)
                continue
            path = f"text_config.{n}" if from_text and n in from_text else n
            if field_name:
                sources[field_name] = path
            append(v if type(v) is int and v >= 0 else _as_int(v, path, self.notes))
        return out

    def _path(self, name: str) -> str:
        return f"text_config.{name}" if name in self._from_text else name

    def _find(self, names: tuple[str, ...]) -> tuple[str, Any] | None:
        """(key path, value) of the first name present and not null; ``text_config`` wins."""
        get = self._values.get
        for n in names:
            v = get(n)
            if v is not None:
                return (f"text_config.{n}" if n in self._from_text else n), v
        return None

    def _lookup(self, name: str) -> tuple[str, Any]:
        hit = self._find((name,))
        return hit if hit is not None else (name, _MISSING)

    def has(self, *names: str) -> bool:
        get = self._values.get
        return any(get(n) is not None for n in names)

    def path(self, *names: str) -> str | None:
        hit = self._find(names)
        return hit[0] if hit is not None else None

    def raw_get(self, *names: str, default: Any = None, field_name: str | None = None) -> Any:
        get = self._values.get
        for n in names:
            v = get(n)
            if v is not None:
                if field_name:
                    self.sources[field_name] = self._path(n) if self._from_text else n
                return v
        return default

    def int(self, *names: str, default: Any = _MISSING, field_name: str | None = None) -> Any:
        """An integer, from the first present key; numeric strings are accepted (noted).

        The loop of ``ints`` for one field, written out: routing it through ``ints`` adds
        ~0.4 us a call (a tuple, a list and a call) on the engine's hot path."""
        get = self._values.get
        for n in names:
            v = get(n)
            if v is not None:
                break
        else:
            if default is _MISSING:
                raise _missing_key(names, self._values)
            return default
        if field_name:
            self.sources[field_name] = self._path(n) if self._from_text else n
        if type(v) is int and v >= 0:  # the common case, before the checks of _as_int
            return v
        return _as_int(v, self._path(n), self.notes)

    def float(self, *names: str, default: Any = None, field_name: str | None = None) -> Any:
        get = self._values.get
        for n in names:
            v = get(n)
            if v is not None:
                break
        else:
            return default
        if field_name:
            self.sources[field_name] = self._path(n) if self._from_text else n
        if type(v) is float:
            return v
        try:
            return float(v)
        except (TypeError, ValueError) as exc:
            p = self._path(n)
            raise ConfigError(f"{p} must be a number, not {v!r}", key=p) from exc

    def bool(self, *names: str, default: bool = False, field_name: str | None = None) -> bool:
        get = self._values.get
        for n in names:
            v = get(n)
            if v is not None:
                break
        else:
            return default
        if field_name:
            self.sources[field_name] = self._path(n) if self._from_text else n
        if isinstance(v, bool):
            return v
        if isinstance(v, str) and v.lower() in ("true", "false"):
            return v.lower() == "true"
        if isinstance(v, int):
            return bool(v)
        p = self._path(n)
        raise ConfigError(f"{p} must be true or false, not {v!r}", key=p)

    def list(self, *names: str, field_name: str | None = None) -> list[Any] | None:
        hit = self._find(names)
        if hit is None:
            return None
        p, v = hit
        if not isinstance(v, list):
            raise ConfigError(f"{p} must be a list, not {type(v).__name__}", key=p)
        if field_name:
            self.sources[field_name] = p
        return v


def _as_int(v: Any, path: str, notes: list[str]) -> int:
    """Every integer the engine reads is a size or a count: never negative."""
    if isinstance(v, bool):
        raise ConfigError(f"{path} must be an integer, not a boolean ({v!r})", key=path)
    if isinstance(v, int):
        return _not_negative(v, path)
    if isinstance(v, float) and v.is_integer():
        return _not_negative(int(v), path)
    if isinstance(v, str):
        try:
            out = int(v.strip())
        except ValueError:
            pass
        else:
            notes.append(f"{path} is the string {v!r}; read as the integer {out}")
            return _not_negative(out, path)
    raise ConfigError(
        f"{path} must be an integer, not {v!r}. Fix the value in config.json and retry.",
        key=path,
    )


def _not_negative(value: int, path: str) -> int:
    if value < 0:
        raise ConfigError(f"{path} must not be negative, not {value}", key=path)
    return value


@dataclass
class VisionSpec:
    """A vision tower plus its projector into the text model. ``kind`` names the tower's
    modeling code: "siglip" (gemma3), "llama4" (Llama4VisionModel), "pixtral" (mistral3),
    "qwen3_5" (Qwen3_5VisionModel), "mllama" (MllamaVisionModel), "fuyu" (no tower: FuyuModel's
    vision_embed_tokens, a linear patch projection); the fields after ``projector`` default to what a tower
    that lacks them needs."""

    kind: str
    hidden_size: int
    num_layers: int
    intermediate_size: int
    num_attention_heads: int
    num_channels: int
    image_size: int
    patch_size: int
    use_head: bool  # siglip: the attention-pooling head
    projector: str  # "gemma3_mm_projector" | "llama4_mm_projector" | "mistral3_mm_projector" | ""
    temporal_patch_size: int = 1  # qwen3_5: the Conv3d patch spans this many frames
    num_position_embeddings: int = 0  # qwen3_5: learned position table rows
    spatial_merge_size: int = 1  # mistral3 / qwen3_5: patches merged per side
    output_dim: int = 0  # llama4 vision_output_dim, qwen3_5 out_hidden_size
    projector_input_dim: int = 0  # llama4 pixel-shuffle MLP
    projector_output_dim: int = 0
    projector_bias: bool = False  # mistral3 multimodal_projector_bias
    feature_layers: int = 1  # mistral3: vision_feature_layer as a list concatenates layers
    # gemma4_unified: the audio embedder's input width (0: none; hidden_size 0: no vision
    # embedder)
    audio_embed_dim: int = 0
    # mllama (MllamaVisionModel): the gated global encoder's layers, the tiles an image is cut
    # into and the supported aspect ratios (rows of the tile position tables: one more)
    global_layers: int = 0
    max_num_tiles: int = 0
    aspect_ratios: int = 0
    # got_ocr2 (GotOcr2VisionEncoder, a SAM ViT): the windowed layers' window_size and how many
    # layers have one (the rest, global_attn_indexes, attend over the whole patch grid), the
    # qkv bias, the absolute position table, and the relative position tables of each layer
    # (rel_pos_h / rel_pos_w); output_dim is the neck's output_channels
    window_size: int = 0
    windowed_layers: int = 0
    qkv_bias: bool = True
    abs_pos: bool = True
    rel_pos: bool = False


@dataclass
class AudioSpec:
    """An audio encoder plus its projectors into the text model. ``kind`` names its modeling
    code: "phi4_multimodal" (``modeling_phi4_multimodal.py`` Phi4MultimodalAudioModel: a NeMo
    conv subsampler, a relative attention bias table and Conformer blocks; two projector pairs,
    for speech and for vision-speech)."""

    kind: str
    hidden_size: int
    num_layers: int
    intermediate_size: int
    num_attention_heads: int
    input_size: int  # mel bins into the subsampler
    time_reduction: int  # the subsampler's stride-2 convs: log2 of it
    nemo_conv_channels: int
    ext_pw_out_channel: int
    depthwise_separable_out_channel: int
    depthwise_multiplier: int
    kernel_size: int
    bias_buckets: int  # rows of the relative attention bias table
    downsample_rate: int = 1  # the projectors' input is hidden_size x downsample_rate


@dataclass
class ArchSpec:
    """The normalized backbone. Keys of ``to_dict()`` are stable across families."""

    model_type: str
    family: str  # the family module that read it ("llama", "deepseek", ..., "generic")
    architectures: list[str]
    hidden_size: int
    num_layers: int
    vocab_size: int
    num_attention_heads: int
    num_kv_heads: int
    head_dim: int
    intermediate_size: int
    layers: list[LayerSpec]
    tied_embeddings: bool
    max_position_embeddings: int | None = None
    # the token table's and lm_head's width when it is not hidden_size (opt word_embed_proj_dim,
    # with project_in / project_out between it and the layers); None: hidden_size
    embedding_width: int | None = None
    hidden_act: str | None = None
    ffn_gated: bool = True  # SwiGLU/GeGLU (3 matrices) vs plain up/down (2 matrices)
    mlp_bias: bool = False
    qkv_bias: bool = False
    o_bias: bool = False
    lm_head_bias: bool = False  # phi, phimoe, ernie: lm_head = Linear(hidden, vocab, bias=True)
    # the lm_head's rows when they are not vocab_size (apertus1p5_text output_vocab_size: a
    # pruned output head); None: vocab_size
    lm_head_vocab: int | None = None
    # None | "per_head" (qwen3, gemma3: one RMSNorm(head_dim) each for q and k) |
    # "per_head_layernorm" (phi: LayerNorm(head_dim) with bias) | "full_width" (olmo2:
    # RMSNorm(heads*head_dim), RMSNorm(kv_heads*head_dim)) | "every_head" (stablelm, cohere:
    # a head_dim weight for every q and k head; counted as full_width)
    qk_norm: str | None = None
    attention_output_gate: bool = False  # qwen3_next doubles q_proj to gate the output
    # a sigmoid gate per head on the attention output, g_proj hidden -> heads (LFM3, Bailing
    # Hybrid's MLA)
    attention_head_gate: bool = False
    # o_proj's input width when it is not num_attention_heads x head_dim (modeling_helium.py
    # builds o_proj hidden -> hidden whatever head_dim is); None: heads x head_dim
    o_proj_in: int | None = None
    attention_sinks: bool = False  # gpt_oss: one learned sink logit per head
    # a sigmoid gate on the attention output, its own bias-free linear from the layer input:
    # "full" (afmoe gate_proj, hidden -> heads x head_dim) or "per_head" (laguna g_proj,
    # hidden -> heads); None: none (qwen3_next's gate is part of q_proj: attention_output_gate)
    attention_gate: str | None = None
    # parameters every attention block holds beyond q/k/v/o, biases and QK-norm: diffllama's
    # lambda_q1/k1/q2/k2 (head_dim each), doge's dynamic-mask A and dt_proj
    attention_extra: int = 0
    # parameters one layer holds beyond (or short of) the per-block count, as (layer index,
    # breakdown component, params): gpt_neox_japanese's last-layer dense_bias (-1,
    # "attention", hidden_size); zaya's first router, without router_states_scale (0,
    # "router", -router_hidden_size)
    one_layer_extra: tuple[int, str, int] | None = None
    attention_sinks_sliding_only: bool = False  # mimo_v2_flash: sinks in sliding layers only
    fused_qkv: bool = False  # phi3 qkv_proj / gpt2 c_attn (same parameter count)
    # "rmsnorm" | "layernorm" | "nonparametric_layernorm" (olmo) | "nonparametric_rmsnorm"
    # (nanochat: an RMS norm without a weight)
    norm_type: str = "rmsnorm"
    norm_bias: bool = False
    norms_per_layer: int = 2
    # norm-like parameters in every layer beyond norms_per_layer x hidden_size: bitnet's
    # ffn_sub_norm (intermediate_size), doge's input_residual / post_attention_residual scales
    layer_extra_norms: int = 0
    # parameters (and of them matmul weights) every dense MLP holds beyond its up/down (and
    # gate) matrices and biases: RWKV's channel-mix receptance (hidden x hidden, a matmul) and
    # its time_mix_key / time_mix_receptance (hidden each); 0: none
    mlp_extra: int = 0
    mlp_extra_weights: int = 0
    # hidden-size norms outside the decoder layers: the final one (norm / ln_f), plus bloom's
    # word_embeddings_layernorm; none in a post-LN OPT (do_layer_norm_before false)
    outer_norms: int = 1
    norm_eps: float | None = None
    norm_placement: str = "pre"  # "pre" | "post" (olmo2) | "sandwich" (gemma2/3)
    # "rope" | "learned" | "none" | "rope+nope" | "alibi" (falcon) | "sinusoidal" (ctrl: a buffer)
    positional: str = "rope"
    learned_positions: int = 0  # rows of the position table: gpt2 n_positions, opt 2 more
    rope_theta: float | None = None
    sliding_rope_theta: float | None = None  # the sliding layers' own RoPE base (Gemma 3)
    rope_scaling: dict[str, Any] | None = None
    partial_rotary_factor: float | None = None
    nope_layers: int = 0  # smollm3: layers without RoPE
    sliding_window: int | None = None
    # MLA (deepseek_v2 / v3 / kimi_k2)
    q_lora_rank: int | None = None
    kv_lora_rank: int | None = None
    qk_nope_head_dim: int | None = None
    qk_rope_head_dim: int | None = None
    # also, without kv_lora_rank, a softmax attention whose V and output heads are v_head_dim
    # wide while Q and K are head_dim (mimo_v2_flash)
    v_head_dim: int | None = None
    # DeepSeek Sparse Attention (deepseek_v32): the indexer's heads and width, and how many
    # tokens each query attends to
    index_n_heads: int | None = None
    index_head_dim: int | None = None
    index_topk: int | None = None
    # A.X-K2 (modeling_axk2.py): q_gate_proj (2 x q_lora_rank -> heads x (qk_head + v_head)) in
    # place of q_b_proj, and RMSNorms gated by a low-rank MLP (hidden -> rank -> hidden) on the
    # input of every layer and after attention in the MoE layers; 0 / False: none
    mla_q_gate: bool = False
    gated_norm_rank: int = 0
    # dots3_note (modeling_dots3_note.py): the sliding_attention layers are MLA blocks (no
    # indexer) of their own sizes, (heads, q_lora_rank, kv_lora_rank, qk_nope_head_dim,
    # qk_rope_head_dim, v_head_dim), caching their latent for at most sliding_window tokens;
    # and every MLA block normalizes its shared RoPE key (k_rope_only_layernorm, an RMSNorm of
    # qk_rope_head_dim). None / False: neither
    sliding_mla: tuple[int, int, int, int, int, int] | None = None
    mla_rope_norm: bool = False
    # GLM-5 (glm_moe_dsa indexer_types "shared"): layers that build no indexer and cache no
    # indexer key, reusing the previous indexer's top-k; None: every MLA layer has one
    index_shared_layers: list[int] | None = None
    # block-sparse softmax attention on sparse_layers of the "attention" layers (Qwen4-Exp's QSA,
    # MiniMax-M3's lightning indexer): each query attends to at most sparse_attended tokens its
    # indexer picks (index_n_heads x index_head_dim; one index_head_dim key cached per token),
    # the indexer scoring one key per index_stride tokens; 0: none
    sparse_layers: int = 0
    sparse_attended: int = 0
    index_stride: int = 1
    # Hy-V4 (hy_v4 hc_mult): streams of the hyper-connections around each attention and FFN;
    # 0: plain residuals
    hyper_connections: int = 0
    # DeepSeek-V4 (modeling_deepseek_v4.py): the mHC hyper-connections also mix the streams
    # (an hc_mult x hc_mult "comb" block, a third scale)
    hyper_connection_comb: bool = False
    # Qwen4-Exp (modeling_qwen4_exp.py Qwen4ExpTextGatedResidual): the hyper-connections are
    # gated residuals whose input mixer has this rank; 0: Hy-V4 / DeepSeek-V4's kind
    hyper_connection_rank: int = 0
    # parameters single layers hold beyond their block, as (layer index, breakdown component,
    # params, matmul weights): Qwen4-Exp's QSA indexers and PLE layers; layer index None: outside
    # the layers (Gemma 4 Unified Assistant's projections); None: none
    layer_extras: list[tuple[int | None, str, int, int]] | None = None
    # lookup tables beside the token embedding (Qwen4-Exp's n-gram PLE tables, counted under
    # embeddings): their parameters, and those of the rows one token reads
    lookup_params: int = 0
    lookup_row_params: int = 0
    # matmul weights that layers run again with another layer's weights (HRM-Text's recurrent
    # cycles: layer_extras take those runs' parameters out): counted once in the parameters,
    # at every run in the FLOPs
    reused_weights: int = 0
    # recurrent-state elements per sequence beyond the mixers' (Qwen4-Exp's PLE convolutions),
    # held in the KV dtype as conv states
    extra_conv_state: int = 0
    # conv-state elements per sequence held in fp32 whatever the KV dtype (Inkling's short
    # convolutions, four a layer, cache their last conv_kernel_size inputs in fp32)
    fp32_conv_state: int = 0
    # routed-expert params a token skips in layer runs that reuse another run's weights
    # (Inkling-2 Loop: the looped MoE layers' later passes, whose parameters layer_extras take
    # out): the per-layer inactive count subtracts them once per run, this adds them back
    reused_inactive: int = 0
    # DeepSeek-V4 attention: one kv_proj (head_dim) serves as K and V (attention_kv_shared),
    # a grouped output projection (o_groups groups to o_lora_rank each, then to hidden), and
    # per layer a compressor: compressed_attention holds each layer's type
    # ("sliding_attention": the window only, "compressed_sparse_attention": every
    # compress_rates[type] tokens into one entry plus an indexer, or
    # "heavily_compressed_attention"); None: no compressors
    attention_kv_shared: bool = False
    o_groups: int = 0
    o_lora_rank: int = 0
    compressed_attention: list[str] | None = None
    compress_rates: dict[str, int] | None = None
    # Gemma 4 (modeling_gemma4.py): full-attention layers with their own head width and K/V
    # heads (global_head_dim, num_global_key_value_heads), no v_proj on them with
    # attention_k_eq_v (V is read from the key projection), the last num_kv_shared_layers
    # layers reusing an earlier layer's K/V (no k/v projections or k norm, no cache of their
    # own; use_double_wide_mlp doubles their MLP), per-layer embeddings (PLE), and MoE layers
    # that run a dense MLP beside the experts
    global_head_dim: int | None = None  # head_dim of the full ("attention") layers
    global_num_kv_heads: int | None = None  # their K/V heads (None: num_kv_heads)
    global_k_eq_v: bool = False
    kv_shared_layers: int = 0
    # layer runs (indices into the pattern) that cache no K/V of their own: Dory's earlier
    # recurrent loops with recurrent_kv_cache_mode "last_loop" (they read the last loop's
    # cache); None: every attention run caches
    kv_uncached: list[int] | None = None
    # Mllama (modeling_mllama.py MllamaCrossAttentionDecoderLayer): the indices of the layers
    # whose attention is cross-attention to the image (the layer summary and the attention
    # FLOPs; their K/V are cached per image, not per token: they are kv_uncached too). None:
    # none
    cross_attention_layers: list[int] | None = None
    kv_shared_mlp_factor: int = 1
    per_layer_input_size: int = 0  # hidden_size_per_layer_input
    per_layer_input_vocab: int = 0  # vocab_size_per_layer_input
    moe_beside_mlp: bool = False
    # LongCat-Flash (modeling_longcat_flash.py): a layer's two attention + MLP sublayers are two
    # blocks, the first with the shortcut MoE beside its MLP (no extra norms or router
    # scales); zero_experts identity experts the router also scores
    shortcut_moe: bool = False
    zero_experts: int = 0
    # Gemma 3n (modeling_gemma3n.py): the Gemma 4 PLE / KV-sharing fields above, and in every
    # layer an AltUp block (altup_num_inputs streams: a modality router, prediction and
    # correction coefficients, a per-hidden-unit output scale, a router norm) and a LAuReL
    # block (a rank-laurel_rank residual, hidden -> rank -> hidden, and its norm); None: none.
    # ffn_widths: one MLP width per layer when they differ (intermediate_size is the first)
    altup_num_inputs: int | None = None
    laurel_rank: int | None = None
    ffn_widths: list[int] | None = None
    # laguna (num_attention_heads_per_layer): query heads per layer when they differ from
    # num_attention_heads (q_proj, o_proj and the output gate scale with them; K/V do not)
    heads_per_layer: list[int] | None = None
    # MoE
    num_experts: int = 0
    experts_per_token: int = 0
    # hunyuan_v1_moe (moe_topk as a list): each layer's own top-k where they differ;
    # experts_per_token is then the largest
    experts_per_token_per_layer: list[int] | None = None
    moe_intermediate_size: int | None = None
    num_shared_experts: int = 0
    shared_expert_intermediate_size: int = 0
    # qwen2_moe / qwen3_next sigmoid gate on the shared expert (hidden -> 1): these blocks
    # build it whatever the shared expert's width, even 0
    shared_expert_gate: bool = False
    # the MoE block builds its shared expert even at width 0 (deepseek_v2's DeepseekV2MLP of
    # moe_intermediate_size * 0 keeps down_proj's bias with mlp_bias); counting bookkeeping,
    # not exported
    shared_expert_always: bool = False
    expert_bias: bool = False  # gpt_oss expert biases
    router_bias: bool = False  # gpt_oss router bias
    # a MoE layer's router parameters when they are not num_experts x hidden (+ router_bias):
    # doge's product-key router_gate (hidden -> 2 x floor(sqrt(num_experts))), zaya's router
    # (down_proj, router_states_scale, router MLP); None: the linear router
    router_params: int | None = None
    expert_gated: bool = True  # nemotron_h experts are up/down only
    shared_expert_gated: bool = True
    moe_latent_size: int | None = None  # nemotron 3 latent projection around the experts
    first_k_dense: int = 0
    # JetMoE (modeling_jetmoe.py): attention whose query and output projections are
    # attention_experts routed experts (JetMoeMoA, top experts_per_token), and an output
    # bias (hidden) after each MoE block (JetMoeMoA and JetMoeMoE)
    attention_experts: int = 0
    moe_output_bias: bool = False
    moe_output_norm: bool = False  # axk1: an RMSNorm(hidden) on each MoE block's output
    router_scoring: str | None = None  # "softmax" | "sigmoid"
    norm_topk_prob: bool | None = None
    # SSM (mamba / mamba2 / nemotron_h)
    ssm_version: int | None = None  # 1 or 2
    ssm_state_size: int | None = None
    ssm_num_heads: int | None = None
    ssm_head_dim: int | None = None
    ssm_n_groups: int | None = None
    ssm_conv_kernel: int | None = None  # also LFM2's short-conv conv_L_cache
    ssm_intermediate_size: int | None = None
    ssm_time_step_rank: int | None = None
    ssm_bias: bool = False  # in_proj bias
    ssm_out_bias: bool = False  # out_proj bias: ssm_bias's switch, but falcon_h1 projectors_bias
    ssm_conv_bias: bool = True  # also LFM2's conv_bias (its conv, in_proj and out_proj)
    ssm_dt_bc_norms: bool = False  # jamba: RMSNorms over dt (time_step_rank), B and C (state)
    ssm_gated_norm: bool = True  # Mamba-2 gated RMSNorm (falcon_h1: only with mamba_rms_norm)
    # Zamba / Zamba2: shared_blocks distinct transformer blocks (attention over [hidden,
    # embeddings], 2 x hidden wide, then an MLP of intermediate_size) cycled over the hybrid
    # layers; Zamba2 adds a rank-shared_block_adapter_rank LoRA on gate_up (and on q/k/v with
    # shared_attention_adapter) for every hybrid layer
    shared_blocks: int = 0
    shared_block_adapter_rank: int = 0
    shared_attention_adapter: bool = False
    # Linear attention (qwen3_next Gated DeltaNet)
    linear_num_key_heads: int | None = None
    linear_num_value_heads: int | None = None
    linear_key_head_dim: int | None = None
    linear_value_head_dim: int | None = None
    linear_conv_kernel: int | None = None
    # Kimi Delta Attention: the forget / output gates' low rank (Kimi Linear: head_dim); None:
    # full-rank gates (Bailing Hybrid)
    linear_gate_rank: int | None = None
    linear_attention_kind: str | None = None  # "gated_deltanet" | "kda" | ... | "softmax_like"
    # Extras shipped in the checkpoint but not built by transformers
    mtp_layers: int = 0
    mtp_block_types: list[str] = field(default_factory=list)
    vision: VisionSpec | None = None
    # an audio encoder AutoModelForCausalLM builds beside the vision tower (Phi-4-multimodal),
    # counted under the breakdown's "audio"; None: none
    audio: AudioSpec | None = None
    # False where AutoModelForCausalLM builds the text model only (the llama4 and qwen3_5
    # wrappers): the tower is reported under params.vision_not_built, not in the total
    vision_built: bool = True
    # weights format
    stored_dtype: str | None = None  # "bfloat16", "float32", ...
    quantization: dict[str, Any] | None = None  # normalized quantization_config summary
    estimated: bool = False
    notes: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # field -> config key path

    # -- derived -------------------------------------------------------------------------
    @_computed_once
    def block_counts(self) -> dict[LayerSpec, int]:
        """Distinct blocks -> layer count (first-occurrence order); per-layer formulas are
        evaluated once per distinct block and multiplied, never once per layer."""
        return block_counts(self.layers)

    @_computed_once
    def mixer_counts(self) -> dict[str | None, int]:
        out: dict[str | None, int] = {}
        for layer, n in self.block_counts.items():
            out[layer.mixer] = out.get(layer.mixer, 0) + n
        return out

    @_computed_once
    def ffn_counts(self) -> dict[str | None, int]:
        out: dict[str | None, int] = {}
        for layer, n in self.block_counts.items():
            out[layer.ffn] = out.get(layer.ffn, 0) + n
        return out

    @_computed_once
    def kv_mixer_counts(self) -> dict[str | None, int]:
        """``mixer_counts`` of the layers that hold a KV cache of their own: every layer but
        the last ``kv_shared_layers`` (Gemma 4), which read an earlier layer's K/V, and the
        ``kv_uncached`` runs (Dory's earlier loops; Mllama's cross-attention layers, whose K/V
        are the image's)."""
        shared = self.kv_shared_layers
        if not shared and not self.kv_uncached:
            return self.mixer_counts
        out = dict(self.mixer_counts)
        for layer in self.layers[max(len(self.layers) - shared, 0) :] if shared else ():
            out[layer.mixer] -= 1
        for i in self.kv_uncached or ():  # Dory's "last_loop" cache: earlier loops read it
            out[self.layers[i].mixer] -= 1
        return {m: n for m, n in out.items() if n}

    def sliding_mla_view(self) -> ArchSpec:
        """This spec with the MLA sizes of the sliding layers (``sliding_mla``) in place of the
        global ones and no indexer: the spec their block, KV and FLOP figures are read from."""
        heads, q_rank, kv_rank, nope, rope, v = self.sliding_mla or (0, 0, 0, 0, 0, 0)
        view = object.__new__(ArchSpec)
        view.__dict__ = {
            **self.__dict__,
            "num_attention_heads": heads,
            "num_kv_heads": heads,
            "q_lora_rank": q_rank,
            "kv_lora_rank": kv_rank,
            "qk_nope_head_dim": nope,
            "qk_rope_head_dim": rope,
            "v_head_dim": v,
            "index_n_heads": None,
            "index_head_dim": None,
            "index_topk": None,
            "sliding_mla": None,
        }
        return view

    def attention_dims(self, mixer: str | None) -> tuple[int, int]:
        """(K/V heads, head_dim) of an attention layer of kind ``mixer``: Gemma 4's full
        layers have their own (global_num_kv_heads, global_head_dim)."""
        if mixer == "attention" and (self.global_head_dim or self.global_num_kv_heads):
            return (
                self.global_num_kv_heads or self.num_kv_heads,
                self.global_head_dim or self.head_dim,
            )
        return self.num_kv_heads, self.head_dim

    @property
    def attention_variant(self) -> str:
        counts = self.mixer_counts
        if not (
            counts.get("attention")
            or counts.get("sliding_attention")
            or counts.get("mla")
            or counts.get(PARALLEL_HYBRID)
            or counts.get(SHARED_MAMBA)
            or counts.get(SHARED_MAMBA2)
        ):
            return "none"
        if self.kv_lora_rank:
            return "MLA"
        if self.num_kv_heads == self.num_attention_heads:
            return "MHA"
        if self.num_kv_heads == 1:
            return "MQA"
        return "GQA"

    @property
    def is_moe(self) -> bool:
        return bool(self.ffn_counts.get("moe"))

    def to_dict(self, *, layer_pattern: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """Stable, family-independent keys (the compare page diffs these). ``layer_pattern``:
        ``pattern_dicts(self.layers)`` when the caller already built it (shared, not copied)."""
        # shallow copy in C (dataclasses.asdict deep-copies every LayerSpec: 10x slower)
        out = self.__dict__.copy()
        for name in _NOT_EXPORTED:
            out.pop(name, None)
        if len(out) != len(_SPEC_FIELDS):  # attributes added or deleted by hand: by name
            out = dict(zip(_SPEC_FIELDS, _spec_values(self.__dict__), strict=True))
        out["vision"] = asdict(self.vision) if self.vision else None
        out["audio"] = asdict(self.audio) if self.audio else None
        out["rope_scaling"] = dict(self.rope_scaling) if self.rope_scaling else None
        out["quantization"] = dict(self.quantization) if self.quantization else None
        out["notes"] = list(self.notes)
        out["mtp_block_types"] = list(self.mtp_block_types)
        out["ffn_widths"] = list(self.ffn_widths) if self.ffn_widths else None
        if self.sliding_mla:  # named sizes, not six bare numbers, for the compare page's diff
            out["sliding_mla"] = dict(zip(SLIDING_MLA_FIELDS, self.sliding_mla, strict=True))
        if self.index_shared_layers:
            out["index_shared_layers"] = list(self.index_shared_layers)
        if self.kv_uncached:
            out["kv_uncached"] = list(self.kv_uncached)
        if self.cross_attention_layers:
            out["cross_attention_layers"] = list(self.cross_attention_layers)
        if self.compressed_attention:
            out["compressed_attention"] = list(self.compressed_attention)
            out["compress_rates"] = dict(self.compress_rates or {})
        out["architectures"] = list(self.architectures)
        out["num_experts_per_token"] = self.experts_per_token  # alias the UI may expect
        out["attention_variant"] = self.attention_variant
        out["layer_pattern"] = (
            pattern_dicts(self.layers) if layer_pattern is None else layer_pattern
        )
        return out


# the order of ArchSpec.sliding_mla's sizes, named as configuration_dots3_note.py names them
SLIDING_MLA_FIELDS = (
    "num_attention_heads",
    "q_lora_rank",
    "kv_lora_rank",
    "qk_nope_head_dim",
    "qk_rope_head_dim",
    "v_head_dim",
)
ATTENTION_MIXERS = (
    "attention",
    "sliding_attention",
    "mla",
    PARALLEL_HYBRID,
    SHARED_MAMBA,
    SHARED_MAMBA2,
)
# not exported: the pattern (as layer_pattern), the provenance map, and layer_extras, the
# counting's bookkeeping (HRM-Text: two entries for every repeated layer run)
_SPEC_FIELDS = tuple(
    f.name
    for f in fields(ArchSpec)
    if f.name not in ("layers", "sources", "layer_extras", "shared_expert_always")
)
_spec_values = itemgetter(*_SPEC_FIELDS)
_FIELD_NAMES = frozenset(f.name for f in fields(ArchSpec))
_REQUIRED = frozenset(
    f.name for f in fields(ArchSpec) if f.default is MISSING and f.default_factory is MISSING
)
# every field in declaration order (required ones as a placeholder, overwritten below), so a
# spec built from it has its __dict__ in the order the dataclass __init__ would give
_TEMPLATE = {f.name: f.default for f in fields(ArchSpec)}
_FACTORIES = tuple(
    (f.name, f.default_factory) for f in fields(ArchSpec) if f.default_factory is not MISSING
)
# instance attributes that are not to_dict keys: the pattern (exported as layer_pattern), the
# provenance map, layer_extras, and what the _computed_once properties store
_NOT_EXPORTED = (
    "layers",
    "sources",
    "layer_extras",
    "shared_expert_always",
    "block_counts",
    "mixer_counts",
    "ffn_counts",
    "kv_mixer_counts",
)


def spec_from_fields(values: dict[str, Any]) -> ArchSpec:
    """``ArchSpec(**values)`` without the generated ``__init__``'s ~90 keyword parameters and
    attribute stores (a third of ``normalize``'s time): the same object, the same checks."""
    if not _REQUIRED <= values.keys():
        missing = sorted(_REQUIRED - values.keys())
        raise TypeError(f"ArchSpec is missing required field(s): {', '.join(missing)}")
    state = _TEMPLATE.copy()
    for name, factory in _FACTORIES:
        state[name] = factory()
    state.update(values)
    if len(state) != len(_TEMPLATE):  # update() added a key that is no field
        unknown = sorted(values.keys() - _FIELD_NAMES)
        raise TypeError(f"ArchSpec got unexpected field(s): {', '.join(unknown)}")
    spec = object.__new__(ArchSpec)
    spec.__dict__ = state
    return spec


_family_for: Any = None


def normalize(config: dict[str, Any]) -> ArchSpec:
    """Read a config.json dict into an ArchSpec. Unknown model types fall back to a generic
    decoder reading (``estimated=True``); malformed values raise ``ConfigError``."""
    global _family_for
    if _family_for is None:  # families import this module: bind on first use, not per call
        from axes.backbone.families import family_for as _family_for

    view = ConfigView(config)
    model_type = str(config.get("model_type") or view.text.get("model_type") or "")
    module = _family_for(model_type, config)
    spec = module.read(view)
    _read_common(view, spec)
    # the view is discarded: its lists and maps become the spec's (merged when the family
    # module wrote its own)
    spec.notes = view.notes + spec.notes if spec.notes else view.notes
    spec.sources = {**view.sources, **spec.sources} if spec.sources else view.sources
    _validate(spec)
    return spec


def _read_common(view: ConfigView, spec: ArchSpec) -> None:
    """Keys with the same meaning in every family: dtype and quantization."""
    dtype = view.raw_get("torch_dtype", "dtype", field_name="stored_dtype")
    if isinstance(dtype, str):
        spec.stored_dtype = dtype
    qc = view.raw.get("quantization_config")
    if isinstance(qc, dict):
        spec.quantization = quantization_summary(qc)
        view.sources["quantization"] = "quantization_config"


# Sizes past these are no model (the largest published ones are ~30x smaller): a typo such
# as 1e30 would give a 30-digit parameter count that JSON clients cannot even represent.
_SIZE_LIMITS = (
    ("hidden_size", 1_000_000),
    ("vocab_size", 100_000_000),
    ("intermediate_size", 10_000_000),
    ("head_dim", 1_000_000),
    ("num_attention_heads", 100_000),
    ("num_kv_heads", 100_000),
)
MAX_TOTAL_PARAMS = 10**14  # 100T: ~60x the largest published model


def invalid_counts(*, total: int, active: int) -> ConfigError:
    """After counting, for a total past any real model or an active count above the total
    (negative sizes are refused as they are read, so these are what sizes can still do)."""
    if total > MAX_TOTAL_PARAMS:
        return ConfigError(
            f"config.json describes {total:,} parameters, past any real model (at most "
            f"{MAX_TOTAL_PARAMS:,}); check its sizes"
        )
    return ConfigError(
        f"config.json's sizes give impossible counts (total {total:,}, active {active:,}); "
        "check its sizes"
    )


def _validate(spec: ArchSpec) -> None:
    sources = spec.sources
    for name in ("hidden_size", "num_layers", "vocab_size"):
        value = getattr(spec, name)
        if value <= 0:
            raise ConfigError(f"{sources.get(name, name)} must be positive, not {value}")
    if (
        spec.hidden_size > 1_000_000
        or spec.vocab_size > 100_000_000
        or spec.intermediate_size > 10_000_000
        or spec.head_dim > 1_000_000
        or spec.num_attention_heads > 100_000
        or spec.num_kv_heads > 100_000
    ):
        for name, limit in _SIZE_LIMITS:
            value = getattr(spec, name)
            if value > limit:
                raise ConfigError(
                    f"{sources.get(name, name)} = {value:,} is past any real model (at most "
                    f"{limit:,}); fix the value in config.json"
                )
    if spec.num_attention_heads < 0 or spec.num_kv_heads < 0:
        raise ConfigError("attention head counts must not be negative")
    if spec.num_attention_heads <= 0 or spec.num_kv_heads <= 0 or spec.head_dim <= 0:
        mixers = spec.mixer_counts
        if (
            "attention" in mixers
            or "sliding_attention" in mixers
            or "mla" in mixers
            or PARALLEL_HYBRID in mixers
            or SHARED_MAMBA in mixers
            or SHARED_MAMBA2 in mixers
        ):
            if spec.num_attention_heads == 0 and "num_attention_heads" not in sources:
                # absent (or null), not 0: say the key is missing, as for hidden_size
                raise _missing_key(("num_attention_heads",))
            for name in ("num_attention_heads", "num_kv_heads", "head_dim"):
                if getattr(spec, name) <= 0:
                    raise ConfigError(
                        f"{sources.get(name, name)} must be positive for a model with "
                        f"attention layers, not {getattr(spec, name)}"
                    )
    native = spec.max_position_embeddings
    if native is not None and native <= 0:
        raise ConfigError(
            f"{sources.get('max_position_embeddings', 'max_position_embeddings')} must be "
            f"positive, not {native}"
        )
    if len(spec.layers) != spec.num_layers:
        raise ConfigError(
            f"the layer pattern has {len(spec.layers)} entries but the config says "
            f"{spec.num_layers} layers; fix layer_types / the hybrid pattern in config.json"
        )
