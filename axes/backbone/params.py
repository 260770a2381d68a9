"""Parameter counts from an ArchSpec, exact to the parameter for the mirrored families.

Counted the way ``sum(p.numel() for p in model.parameters())`` counts a transformers model
built from the same config (tied lm_head counted once, buffers such as RoPE ``inv_freq`` or
DeepSeek's ``e_score_correction_bias`` not counted). Each formula cites the module it mirrors;
the family modules document the per-family switches (biases, norms, gates).

Active parameters (MoE): every parameter a token touches = total minus the routed experts it
does not use, per MoE layer ``(num_experts - experts_per_token) * params_per_expert``. Two
conventions are reported (``params.conventions``): with and without the input embedding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from axes.backbone.layers import (
    PARALLEL_HYBRID,
    SHARED_HYBRIDS,
    SHARED_MAMBA,
    SHORT_CONV,
    LayerSpec,
)
from axes.backbone.spec import ArchSpec, AudioSpec, VisionSpec

COMPONENTS: tuple[str, ...] = (
    "embeddings",
    "attention",
    "dense_mlp",
    "routed_experts",
    "router",
    "shared_experts",
    "ssm",
    "norms",
    "lm_head",
    "mtp",
    "vision",
    "audio",
    "other",
)
# every component at zero, copied per count (a dict copy is ~7x faster than dict.fromkeys)
_ZERO_BREAKDOWN: dict[str, int] = dict.fromkeys(COMPONENTS, 0)


@dataclass
class ParamCount:
    breakdown: dict[str, int] = field(default_factory=_ZERO_BREAKDOWN.copy)
    per_layer: list[int] = field(default_factory=list)
    params_per_expert: int = 0
    linear_weight_params: int = 0  # decoder-layer matmul weights (what FP8/AWQ/GPTQ convert)
    inactive_routed: int = 0  # routed-expert params a token skips, summed over the layers
    mtp_params: int = 0
    vision_not_built: int = 0  # a tower AutoModelForCausalLM does not build (llama4, qwen3_5)
    # per distinct block: (routed expert params, active routed params); per layer on request
    layers: list[LayerSpec] = field(default_factory=list, repr=False)
    block_routed: dict[LayerSpec, tuple[int, int]] = field(default_factory=dict, repr=False)

    @property
    def total(self) -> int:
        return sum(self.breakdown.values())

    @property
    def routed_expert_params_per_layer(self) -> list[int]:
        """Routed-expert params of each layer (0 for a layer without MoE)."""
        routed = self.block_routed
        return [routed[layer][0] for layer in self.layers]

    @property
    def active_routed_per_layer(self) -> list[int]:
        """Routed-expert params one token uses in each layer (experts_per_token experts)."""
        routed = self.block_routed
        return [routed[layer][1] for layer in self.layers]


def _linear(n_in: int, n_out: int, bias: bool) -> int:
    return n_in * n_out + (n_out if bias else 0)


_NONPARAMETRIC = frozenset(("nonparametric_layernorm", "nonparametric_rmsnorm"))


def norm_params(spec: ArchSpec, width: int) -> int:
    if spec.norm_type in _NONPARAMETRIC:  # modeling_olmo.py OlmoLayerNorm: none
        return 0  # (modeling_nanochat.py NanoChatRMSNorm: none either)
    return width * (2 if spec.norm_bias else 1)


def attention_params(
    spec: ArchSpec, mixer: str | None = None, *, kv_shared: bool = False
) -> tuple[int, int]:
    """(params, matmul weight params) of one standard attention block.

    q/k/v/o as in ``modeling_llama.py`` LlamaAttention; phi3/gpt2 fuse q/k/v into one linear
    of the same size. QK-norm: per head (``modeling_qwen3.py``: RMSNorm(head_dim) each; phi's
    LayerNorm(head_dim) adds a bias), full width (``modeling_olmo2.py``: RMSNorm(heads*head_dim)
    and RMSNorm(kv_heads*head_dim)) or a weight for every head (``modeling_stablelm.py``
    StableLmLayerNormPerHead, ``modeling_cohere.py`` CohereLayerNorm((heads, head_dim))): the
    same count as full width.

    Gemma 4 (``modeling_gemma4.py`` Gemma4TextAttention): a full (``mixer`` "attention") layer
    has its own K/V heads and head_dim (``spec.attention_dims``) and, with attention_k_eq_v, no
    v_proj; a ``kv_shared`` layer keeps q_proj, q_norm and o_proj only (its K/V are an
    earlier layer's). Its v_norm has no weight.
    """
    if spec.v_head_dim is not None:
        return _split_v_attention_params(spec, mixer)
    if spec.attention_kv_shared:
        return _dsv4_attention_params(spec)
    h, nh = spec.hidden_size, spec.num_attention_heads
    kv, hd = spec.attention_dims(mixer)
    q_out = nh * hd * (2 if spec.attention_output_gate else 1)
    if kv_shared:
        kv_out = 0
    elif spec.global_k_eq_v and mixer == "attention":
        kv_out = kv * hd  # k_proj only: V is the key projection's output
    else:
        kv_out = 2 * kv * hd
    # o_proj: heads x head_dim -> hidden (helium: hidden -> hidden, spec.o_proj_in)
    weights = h * q_out + h * kv_out + (spec.o_proj_in or nh * hd) * h
    if spec.attention_head_gate:  # modular_lfm3.py Lfm3Attention.g_proj: hidden -> heads
        weights += h * nh
    total = weights
    if spec.qkv_bias:
        total += q_out + kv_out
    if spec.o_bias:
        total += h
    qk_norm = spec.qk_norm
    if qk_norm:
        if qk_norm == "per_head":
            total += hd if kv_shared else 2 * hd
        elif qk_norm == "per_head_layernorm":  # modeling_phi.py q_layernorm / k_layernorm
            total += 4 * hd
        elif qk_norm in ("full_width", "every_head"):
            total += nh * hd + kv * hd
    if spec.attention_sinks:
        total += nh  # modeling_gpt_oss.py: self.sinks = nn.Parameter(torch.empty(num_heads))
    gate = spec.attention_gate
    if gate:  # modeling_afmoe.py gate_proj / modeling_laguna.py g_proj, no bias
        gate_weights = h * (nh * hd if gate == "full" else nh)
        total += gate_weights
        weights += gate_weights
    return total + spec.attention_extra, weights


def _dsv4_attention_params(spec: ArchSpec) -> tuple[int, int]:
    """One DeepSeek-V4 attention without its compressor (``modeling_deepseek_v4.py``
    DeepseekV4Attention): ``q_a_proj`` hidden -> q_lora_rank, ``q_a_norm``, ``q_b_proj`` ->
    heads x head_dim, one ``kv_proj`` hidden -> head_dim (K and V) and ``kv_norm``, the grouped
    ``o_a_proj`` (o_groups blocks of heads x head_dim / o_groups -> o_lora_rank) and ``o_b_proj``
    (o_groups x o_lora_rank -> hidden), one sink per head; no biases."""
    h, nh, hd = spec.hidden_size, spec.num_attention_heads, spec.head_dim
    q_rank, o_rank = spec.q_lora_rank or 0, spec.o_lora_rank
    weights = h * q_rank + q_rank * nh * hd + h * hd + nh * hd * o_rank + spec.o_groups * o_rank * h
    return weights + q_rank + hd + nh, weights


def dsv4_compressor_params(spec: ArchSpec, layer_type: str) -> tuple[int, int]:
    """(params, matmul weights) of one DeepSeek-V4 compressor (``modeling_deepseek_v4.py``):
    DeepseekV4HCACompressor (``kv_proj`` / ``gate_proj`` hidden -> head_dim, ``position_bias``
    rate x head_dim, ``kv_norm``) or DeepseekV4CSACompressor (the same at twice the width, the
    windows overlapping, plus DeepseekV4Indexer: the same at index_head_dim, ``q_b_proj``
    q_lora_rank -> index heads x index_head_dim and the scorer's ``weights_proj`` hidden ->
    index heads); none in a sliding_attention layer."""
    if layer_type == "sliding_attention":
        return 0, 0
    h, hd = spec.hidden_size, spec.head_dim
    rate = (spec.compress_rates or {}).get(layer_type, 0)
    if layer_type != "compressed_sparse_attention":
        weights = 2 * h * hd
        return weights + rate * hd + hd, weights
    n_idx, d_idx = spec.index_n_heads or 0, spec.index_head_dim or 0
    weights = 4 * h * hd + 4 * h * d_idx + (spec.q_lora_rank or 0) * n_idx * d_idx + h * n_idx
    return weights + rate * 2 * hd + hd + rate * 2 * d_idx + d_idx, weights


def _split_v_attention_params(spec: ArchSpec, mixer: str | None) -> tuple[int, int]:
    """Softmax attention with V and output heads ``v_head_dim`` wide (``modeling_mimo_v2_flash.py``
    MiMoV2FlashAttention): q/k of head_dim and v of v_head_dim per head, with
    ``attention_bias``; o_proj heads x v_head_dim -> hidden (``o_bias``); the K/V heads of the
    layer's kind (``spec.attention_dims``) and sinks (one per head) where the spec has them."""
    h, nh = spec.hidden_size, spec.num_attention_heads
    kv, hd = spec.attention_dims(mixer)
    vd = spec.v_head_dim or 0
    qkv_out = nh * hd + kv * hd + kv * vd
    weights = h * qkv_out + nh * vd * h
    total = weights + (qkv_out if spec.qkv_bias else 0) + (h if spec.o_bias else 0)
    if spec.attention_sinks and (
        mixer == "sliding_attention" or not spec.attention_sinks_sliding_only
    ):
        total += nh
    return total, weights


def mla_params(spec: ArchSpec) -> tuple[int, int]:
    """One MLA block (``modeling_deepseek_v3.py`` DeepseekV3Attention)."""
    h, nh = spec.hidden_size, spec.num_attention_heads
    nope, rope, v = spec.qk_nope_head_dim or 0, spec.qk_rope_head_dim or 0, spec.v_head_dim or 0
    kv_rank, q_rank = spec.kv_lora_rank or 0, spec.q_lora_rank
    bias = spec.qkv_bias
    total = weights = 0
    if q_rank:
        # modeling_axk2.py q_gate_proj: the query and an output gate from 2 x q_lora_rank
        q_b = (
            2 * q_rank * nh * (nope + rope + v) if spec.mla_q_gate else q_rank * nh * (nope + rope)
        )
        total += _linear(h, q_rank, bias) + q_rank + q_b
        weights += h * q_rank + q_b
    else:
        total += h * nh * (nope + rope)
        weights += h * nh * (nope + rope)
    total += _linear(h, kv_rank + rope, bias) + kv_rank + kv_rank * nh * (nope + v)
    weights += h * (kv_rank + rope) + kv_rank * nh * (nope + v)
    total += _linear(nh * v, h, spec.o_bias)
    weights += nh * v * h
    if spec.attention_head_gate:  # Bailing Hybrid g_proj: hidden -> one gate per head
        total += h * nh
        weights += h * nh
    if spec.attention_output_gate:  # modeling_hy_v4.py gate_proj: hidden -> heads x v_head_dim
        total += h * nh * v
        weights += h * nh * v
    if spec.attention_sinks:  # modeling_hy_v4.py: one sink logit per head
        total += nh
    if spec.mla_rope_norm:  # modeling_dots3_note.py k_rope_only_layernorm
        total += rope
    if spec.index_n_heads:  # modeling_deepseek_v32.py DeepseekV32Indexer
        indexer, indexer_weights = indexer_params(spec)
        total += indexer
        weights += indexer_weights
    return total, weights


def indexer_params(spec: ArchSpec) -> tuple[int, int]:
    """One DSA indexer (``modeling_deepseek_v32.py`` DeepseekV32Indexer): ``wq_b`` q_lora_rank
    -> heads x head_dim, ``wk`` hidden -> head_dim, ``weights_proj`` hidden -> heads, no
    biases, and ``k_norm``, a LayerNorm (weight and bias)."""
    h, n_idx, d_idx = spec.hidden_size, spec.index_n_heads or 0, spec.index_head_dim or 0
    weights = (spec.q_lora_rank or 0) * n_idx * d_idx + h * d_idx + h * n_idx
    return weights + 2 * d_idx, weights


def gated_deltanet_params(spec: ArchSpec) -> tuple[int, int]:
    """One Gated DeltaNet block (``modeling_qwen3_next.py`` Qwen3NextGatedDeltaNet)."""
    h = spec.hidden_size
    nk, nv = spec.linear_num_key_heads or 0, spec.linear_num_value_heads or 0
    kd, vd = nk * (spec.linear_key_head_dim or 0), nv * (spec.linear_value_head_dim or 0)
    k = spec.linear_conv_kernel or 0
    weights = h * (2 * kd + 2 * vd) + h * 2 * nv + vd * h
    total = weights + (2 * kd + vd) * k + 2 * nv + (spec.linear_value_head_dim or 0)
    return total, weights


def kda_params(spec: ArchSpec) -> tuple[int, int]:
    """One Kimi Delta Attention block (``modeling_kimi_linear.py`` KimiLinearDeltaAttention):
    q/k/v (hidden -> heads x head_dim each), a depthwise conv over the three (no bias), the
    forget gate (``f_a_proj`` hidden -> head_dim, ``f_b_proj`` head_dim -> heads x head_dim,
    ``dt_bias`` per channel, ``A_log`` per head), ``b_proj`` (hidden -> heads), the output gate
    (``g_a_proj`` / ``g_b_proj``, as the forget gate's), a gated RMSNorm of head_dim and
    ``o_proj``; no biases. Bailing Hybrid's gates are full rank (``linear_gate_rank`` None:
    ``f_proj`` and ``g_proj``, hidden -> heads x head_dim)."""
    h, heads = spec.hidden_size, spec.linear_num_value_heads or 0
    hd, rank = spec.linear_value_head_dim or 0, spec.linear_gate_rank
    d, k = heads * hd, spec.linear_conv_kernel or 0
    gate = h * rank + rank * d if rank else h * d  # Bailing Hybrid: f_proj, g_proj hidden -> d
    weights = 3 * h * d + 2 * gate + h * heads + d * h
    return weights + 3 * d * k + d + heads + hd, weights


def mlstm_params(spec: ArchSpec) -> tuple[int, int]:
    """One mLSTM layer (``modeling_xlstm.py`` xLSTMLayer): q, k (hidden -> heads x qk head
    dim), v and the output gate (hidden -> heads x v head dim), with ``use_bias``; the input
    and forget gates (hidden -> heads, biased); the per-head norm over v (a weight, a bias with
    ``use_bias``) and ``out_proj`` back to hidden (``use_bias``)."""
    h, heads = spec.hidden_size, spec.linear_num_value_heads or 0
    qk = heads * (spec.linear_key_head_dim or 0)
    v = heads * (spec.linear_value_head_dim or 0)
    weights = 2 * h * qk + 2 * h * v + 2 * h * heads + v * h
    total = weights + 2 * heads + v
    if spec.qkv_bias:
        # xLSTMConfig.use_bias: q, k, v, ogate, the norm's bias, out_proj; and the biases of
        # the block's norm_mlstm and norm_ffn (out_norm has none, so spec.norm_bias is off)
        total += 2 * qk + 2 * v + v + h + 2 * h
    return total, weights


def rwkv_params(spec: ArchSpec) -> tuple[int, int]:
    """One RWKV-4 time-mix block (``modeling_rwkv.py`` RwkvSelfAttention): ``key``, ``value``
    and ``receptance`` (hidden -> attention_hidden_size) and ``output`` (back), no biases;
    ``time_decay`` and ``time_first`` (attention_hidden_size each) and the token-shift mixes
    ``time_mix_key`` / ``time_mix_value`` / ``time_mix_receptance`` (hidden each). The
    channel-mix block (RwkvFeedForward) is the layer's MLP (``spec.mlp_extra``)."""
    h, width = spec.hidden_size, spec.ssm_intermediate_size or 0
    weights = 4 * h * width
    return weights + 2 * width + 3 * h, weights


def lightning_params(spec: ArchSpec) -> tuple[int, int]:
    """One Lightning Attention block (``modeling_minimax.py`` MiniMaxLightningAttention):
    qkv_proj (3 x heads x head_dim), output_gate and out_proj, no biases, and an RMSNorm."""
    h, width = spec.hidden_size, spec.num_attention_heads * spec.head_dim
    weights = 5 * h * width
    return weights + width, weights


def short_conv_params(spec: ArchSpec) -> tuple[int, int]:
    """One gated short convolution (``modeling_lfm2.py`` Lfm2ShortConv): ``in_proj`` hidden ->
    3 x hidden (the B and C gates and x), a depthwise ``conv`` (hidden x conv_L_cache) and
    ``out_proj`` hidden -> hidden, all three with a bias when ``conv_bias``."""
    h, k = spec.hidden_size, spec.ssm_conv_kernel or 0
    weights = 3 * h * h + h * h
    total = weights + h * k + (3 * h + h + h if spec.ssm_conv_bias else 0)
    return total, weights


def rg_lru_params(spec: ArchSpec) -> tuple[int, int]:
    """One Griffin recurrent block (``modeling_recurrent_gemma.py``
    RecurrentGemmaRecurrentBlock): ``linear_y`` / ``linear_x`` (hidden -> lru_width) and
    ``linear_out`` (back), all with biases; a depthwise ``conv_1d`` (lru_width x conv1d_width
    and a bias); the RG-LRU: ``recurrent_param`` (lru_width) and two block-diagonal gates
    (heads x block x block weights, heads x block biases). The gates are parameters used in a
    batched matmul, not linears: they are left out of the matmul weights that FP8/AWQ/GPTQ
    convert (their FLOPs are counted with the recurrence)."""
    h, heads, block = (
        spec.hidden_size,
        spec.linear_num_value_heads or 0,
        spec.linear_value_head_dim or 0,
    )
    lru, k = heads * block, spec.linear_conv_kernel or 0
    weights = 3 * h * lru
    total = weights + 2 * lru + h + lru * k + lru + lru + 2 * (heads * block * block + lru)
    return total, weights


def mamba_params(spec: ArchSpec) -> tuple[int, int]:
    """One Mamba-1 mixer (``modeling_mamba.py`` MambaMixer); ``modeling_jamba.py``
    JambaMambaMixer adds ``dt_layernorm`` (time_step_rank), ``b_layernorm`` and
    ``c_layernorm`` (state size each)."""
    h, i = spec.hidden_size, spec.ssm_intermediate_size or 0
    n, r, k = spec.ssm_state_size or 0, spec.ssm_time_step_rank or 0, spec.ssm_conv_kernel or 0
    b = spec.ssm_bias
    weights = h * 2 * i + i * (r + 2 * n) + r * i + i * h
    total = (
        _linear(h, 2 * i, b)
        + i * k
        + (i if spec.ssm_conv_bias else 0)
        + i * (r + 2 * n)
        + _linear(r, i, True)
        + i * n
        + i  # A_log, D
        + _linear(i, h, spec.ssm_out_bias)
    )
    if spec.ssm_dt_bc_norms:
        total += r + 2 * n
    return total, weights


def mamba2_params(spec: ArchSpec) -> tuple[int, int]:
    """One Mamba-2 mixer (``modeling_mamba2.py`` Mamba2Mixer = NemotronHMamba2Mixer);
    ``modeling_falcon_h1.py`` FalconH1Mixer gives ``out_proj`` its own bias switch
    (``projectors_bias``) and has the gated RMSNorm only with ``mamba_rms_norm``."""
    h, i = spec.hidden_size, spec.ssm_intermediate_size or 0
    n, g, heads = spec.ssm_state_size or 0, spec.ssm_n_groups or 0, spec.ssm_num_heads or 0
    k, b = spec.ssm_conv_kernel or 0, spec.ssm_bias
    conv_dim = i + 2 * g * n
    proj = i + conv_dim + heads
    weights = h * proj + i * h
    total = (
        _linear(h, proj, b)
        + conv_dim * k
        + (conv_dim if spec.ssm_conv_bias else 0)
        + 3 * heads  # dt_bias, A_log, D
        + (i if spec.ssm_gated_norm else 0)  # gated RMSNorm
        + _linear(i, h, spec.ssm_out_bias)
    )
    return total, weights


def mlp_params(spec: ArchSpec, width: int, *, gated: bool, bias: bool) -> int:
    h = spec.hidden_size
    if gated:  # gate/up/down (SwiGLU, GeGLU); phi3 fuses gate+up, same count
        return 3 * h * width + ((2 * width + h) if bias else 0)
    return 2 * h * width + ((width + h) if bias else 0)  # up/down (GPT-2 GELU, ReLU^2)


def expert_params(spec: ArchSpec) -> int:
    """One routed expert: fused gate_up/down slices (mixtral, qwen3_moe, deepseek),
    with biases in gpt_oss, up/down only in nemotron_h (input = moe_latent_size if set)."""
    width = spec.moe_intermediate_size or 0
    dim = spec.moe_latent_size or spec.hidden_size
    mats = 3 if spec.expert_gated else 2
    per = mats * dim * width
    if spec.expert_bias:  # modeling_gpt_oss.py gate_up_proj_bias (2*I) + down_proj_bias (H)
        per += 2 * width + dim
    return per


def routed_expert_bias_params(spec: ArchSpec, count: ParamCount) -> int:
    """The biases among ``count``'s routed-expert parameters (gpt_oss): MXFP4 packs the
    expert matrices and keeps their biases at 16 bits."""
    if not spec.expert_bias or not count.params_per_expert:
        return 0
    experts = count.breakdown["routed_experts"] // count.params_per_expert
    return experts * (
        2 * (spec.moe_intermediate_size or 0) + (spec.moe_latent_size or spec.hidden_size)
    )


def moe_layer_params(spec: ArchSpec) -> dict[str, int]:
    h, e = spec.hidden_size, spec.num_experts
    router = spec.router_params
    if router is None:
        router = e * h + (e if spec.router_bias else 0)
    if spec.moe_beside_mlp:  # modeling_gemma4.py Gemma4TextRouter: scale, per_expert_scale
        router += h + e
    shared = 0
    if spec.shared_expert_intermediate_size or spec.shared_expert_always:
        # at width 0 only the biases remain (modeling_deepseek_v2.py DeepseekV2MLP: down_proj's)
        shared = mlp_params(
            spec,
            spec.shared_expert_intermediate_size,
            gated=spec.shared_expert_gated,
            bias=spec.mlp_bias,  # ernie4_5_moe use_bias; nemotron_h mlp_bias
        )
    if spec.shared_expert_gate:
        # modeling_qwen2_moe.py / modeling_qwen3_next.py shared_expert_gate: Linear(hidden, 1),
        # built even when shared_expert_intermediate_size is 0
        shared += h
    other = 0
    if spec.moe_latent_size:  # modeling_nemotron_h.py fc1_latent_proj / fc2_latent_proj
        other = 2 * h * spec.moe_latent_size + ((spec.moe_latent_size + h) if spec.mlp_bias else 0)
    routed = e * expert_params(spec)
    if spec.zero_experts:
        # modeling_longcat_flash.py: the router scores the zero (identity) experts too, and
        # LongcatFlashExperts sizes gate_up_proj for them (down_proj for the real ones only)
        z = spec.zero_experts
        router += z * h + (z if spec.router_bias else 0)
        routed += z * 2 * h * (spec.moe_intermediate_size or 0)
    return {
        "router": router,
        "routed_experts": routed,
        "shared_experts": shared,
        "other": other,
    }


def vision_params(spec: ArchSpec) -> int:
    """The vision tower and its projector into the text model (``spec.vision.kind``)."""
    v = spec.vision
    if v is None:
        return 0
    if v.kind == "llama4":
        return _llama4_vision_params(v, spec.hidden_size)
    if v.kind == "pixtral":
        return _pixtral_vision_params(v, spec.hidden_size)
    if v.kind == "qwen3_5":
        return _qwen3_5_vision_params(v)
    if v.kind == "gemma4_unified":
        return _gemma4_unified_embedder_params(v, spec.hidden_size)
    if v.kind == "mllama":
        return _mllama_vision_params(v, spec.hidden_size)
    if v.kind == "got_ocr2":
        return _got_ocr2_vision_params(v, spec.hidden_size)
    if v.kind == "fuyu":  # modeling_fuyu.py vision_embed_tokens: patch pixels -> hidden, biased
        return (v.num_channels * v.patch_size**2 + 1) * spec.hidden_size
    # SigLIP (``modeling_siglip.py``) + Gemma3MultiModalProjector
    hv, iv = v.hidden_size, v.intermediate_size
    patches = (v.image_size // v.patch_size) ** 2
    embeddings = hv * v.num_channels * v.patch_size**2 + hv + patches * hv
    layer = 2 * (2 * hv) + 4 * (hv * hv + hv) + (hv * iv + iv) + (iv * hv + hv)
    total = embeddings + v.num_layers * layer + 2 * hv  # post_layernorm
    if v.use_head:  # SiglipMultiheadAttentionPoolingHead: probe, MHA, layernorm, MLP
        total += (
            hv + (3 * hv * hv + 3 * hv) + (hv * hv + hv) + 2 * hv + (hv * iv + iv + iv * hv + hv)
        )
    if v.projector == "gemma3_mm_projector":
        total += hv * spec.hidden_size + hv
    elif v.projector == "phi4_multimodal_projector":
        # modeling_phi4_multimodal.py Phi4MultimodalImageEmbedding: img_projection_up (vision
        # hidden -> text hidden) and img_projection_down (text hidden square), both biased, and
        # the global / sub-image feature extensors (vision hidden each)
        h = spec.hidden_size
        total += (hv * h + h) + (h * h + h) + 2 * hv
    return total


def audio_params(spec: ArchSpec) -> int:
    """The audio encoder and its projectors into the text model (``spec.audio.kind``)."""
    a = spec.audio
    if a is None:
        return 0
    return _phi4_multimodal_audio_params(a, spec.hidden_size)


def _phi4_multimodal_audio_params(a: AudioSpec, text_hidden: int) -> int:
    """``modeling_phi4_multimodal.py`` Phi4MultimodalAudioEmbedding: the encoder
    (Phi4MultimodalAudioModel; its mean / variance norm holds buffers only) and two pairs of
    biased projectors, ``up_proj_for_speech`` / ``up_proj_for_vision_speech`` (hidden x
    downsample_rate -> text hidden) and ``down_proj_for_*`` (text hidden square).

    - Phi4MultimodalAudioNemoConvSubsampling: a Conv2d(1, C, 3), then per further halving a
      depthwise Conv2d(C, C, 3, groups=C) and a pointwise Conv2d(C, C, 1), all biased; ``out``
      Linear(C x the mel bins left after log2(time_reduction) halvings, hidden).
    - Phi4MultimodalAudioRelativeAttentionBias: an Embedding(bias_buckets, heads).
    - Each Conformer block: two MLPs (LayerNorm, gate_up_proj hidden -> 2 x intermediate,
      down_proj, biased), attention (q/k/v/o of heads x hidden // heads, biased), the conv
      module (LayerNorm; GLU point-wise Conv1d hidden -> 2 x ext_pw_out_channel with b1 / b2;
      a depthwise Conv1d of kernel_size and depthwise_multiplier, a point-wise Conv1d to
      depthwise_separable_out_channel; ext_pw_conv_1d hidden -> ext_pw_out_channel; all
      biased) and two LayerNorms."""
    h, i, c = a.hidden_size, a.intermediate_size, a.nemo_conv_channels
    halvings = max(a.time_reduction.bit_length() - 1, 0)  # int(math.log2(time_reduction))
    mels = a.input_size
    for _ in range(halvings):
        mels = (mels - 1) // 2 + 1  # math.floor((size - 1) / 2 + 1)
    subsampler = (9 * c + c) + max(halvings - 1, 0) * ((9 * c + c) + (c * c + c))
    subsampler += c * mels * h + h
    att = a.num_attention_heads * (h // a.num_attention_heads if a.num_attention_heads else 0)
    mlp = 2 * h + (h * 2 * i + 2 * i) + (i * h + h)
    attention = 3 * (h * att + att) + (att * h + h)
    p, m, d = a.ext_pw_out_channel, a.depthwise_multiplier, a.depthwise_separable_out_channel
    conv = 2 * h + (h * 2 * p + 2 * p) + 2 * p
    conv += (h * m * a.kernel_size + h * m) + (h * m * d + d) + (h * p + p)
    block = 2 * mlp + attention + conv + 2 * (2 * h)
    encoder = subsampler + a.bias_buckets * a.num_attention_heads + a.num_layers * block
    up = h * a.downsample_rate * text_hidden + text_hidden
    down = text_hidden * text_hidden + text_hidden
    return encoder + 2 * (up + down)


def _got_ocr2_vision_params(v: VisionSpec, text_hidden: int) -> int:
    """``modeling_got_ocr2.py`` GotOcr2VisionEncoder + GotOcr2MultiModalProjector: a biased
    patch Conv2d, the absolute position table (one row per patch of the grid), layers of two
    LayerNorms, ``qkv`` (biased with qkv_bias), ``proj``, ``lin1`` / ``lin2`` (biased) and the
    relative position tables (2 x window - 1 rows of head_dim each for height and width; the
    global layers' window is the patch grid), the neck (1x1 and 3x3 convs without bias to
    output_channels, two LayerNorms), and the projector (two stride-2 3x3 convs without bias,
    output_channels -> 2 x output_channels -> text hidden, then a biased text hidden square
    linear)."""
    hv, iv, oc = v.hidden_size, v.intermediate_size, v.output_dim
    grid = v.image_size // v.patch_size if v.patch_size else 0
    tower = v.num_channels * v.patch_size**2 * hv + hv + (grid * grid * hv if v.abs_pos else 0)
    layer = 2 * (2 * hv) + 3 * hv * hv + (3 * hv if v.qkv_bias else 0) + hv * hv + hv
    layer += hv * iv + iv + iv * hv + hv
    tower += v.num_layers * layer
    if v.rel_pos:
        head_dim = hv // v.num_attention_heads if v.num_attention_heads else 0
        windowed, full = v.windowed_layers, v.num_layers - v.windowed_layers
        rows = windowed * 2 * (2 * v.window_size - 1) + full * 2 * (2 * grid - 1)
        tower += rows * head_dim
    neck = hv * oc + 2 * oc + oc * oc * 9 + 2 * oc
    projector = oc * 2 * oc * 9 + 2 * oc * text_hidden * 9 + text_hidden * text_hidden + text_hidden
    return tower + neck + projector


def _llama4_vision_params(v: VisionSpec, text_hidden: int) -> int:
    """``modeling_llama4.py`` Llama4VisionModel + Llama4MultiModalProjector: an unfold patch
    linear (no bias), class embedding, learned positions for every patch plus the class
    token, LayerNorms before and after, encoder layers of biased q/k/v/o and fc1/fc2 with two
    LayerNorms, the pixel-shuffle MLP (fc1: intermediate -> projector_input_dim, fc2:
    projector_output_dim square, no biases) and linear_1 (vision_output_dim -> text hidden)."""
    hv, iv = v.hidden_size, v.intermediate_size
    positions = (v.image_size // v.patch_size) ** 2 + 1
    embeddings = v.num_channels * v.patch_size**2 * hv + hv + positions * hv
    layer = 4 * (hv * hv + hv) + (hv * iv + iv) + (iv * hv + hv) + 2 * (2 * hv)
    adapter = iv * v.projector_input_dim + v.projector_output_dim**2
    return embeddings + 2 * (2 * hv) + v.num_layers * layer + adapter + v.output_dim * text_hidden


def _mllama_vision_params(v: VisionSpec, text_hidden: int) -> int:
    """``modeling_mllama.py`` MllamaVisionModel + the multi-modal projector: class embedding,
    a patch Conv2d without bias, the gated position embedding (patches + 1 rows, and a tile
    table of aspect_ratios + 1 rows over max_num_tiles x (patches + 1) x hidden), the gated
    pre- and post-tile position tables (aspect_ratios + 1 rows of max_num_tiles x hidden),
    LayerNorms before and after, the local encoder's layers (q/k/v/o without bias, fc1/fc2
    with bias, two LayerNorms) and the global encoder's (the same plus two gates), and the
    projector (vision_output_dim -> text hidden, biased)."""
    hv, iv, tiles = v.hidden_size, v.intermediate_size, v.max_num_tiles
    positions = (v.image_size // v.patch_size) ** 2 + 1
    rows = v.aspect_ratios + 1
    embeddings = hv + v.num_channels * v.patch_size**2 * hv
    embeddings += 1 + positions * hv + rows * tiles * positions * hv + 2 * (1 + rows * tiles * hv)
    layer = 4 * hv * hv + (hv * iv + iv) + (iv * hv + hv) + 2 * (2 * hv)
    encoders = v.num_layers * layer + v.global_layers * (layer + 2)
    return embeddings + 2 * (2 * hv) + encoders + v.output_dim * text_hidden + text_hidden


def _pixtral_vision_params(v: VisionSpec, text_hidden: int) -> int:
    """``modeling_pixtral.py`` PixtralVisionModel (patch Conv2d without bias, ln_pre RMSNorm,
    layers of q/k/v/o and a SwiGLU without biases and two RMSNorms) +
    ``modeling_mistral3.py`` Mistral3MultiModalProjector (RMSNorm, the patch merger's
    merging_layer, linear_1 from the concatenated feature layers and linear_2)."""
    hv, iv = v.hidden_size, v.intermediate_size
    tower = v.num_channels * v.patch_size**2 * hv + hv
    tower += v.num_layers * (4 * hv * hv + 3 * hv * iv + 2 * hv)
    bias = text_hidden if v.projector_bias else 0
    projector = (
        hv
        + hv * v.spatial_merge_size**2 * hv
        + hv * v.feature_layers * text_hidden
        + bias
        + text_hidden * text_hidden
        + bias
    )
    return tower + projector


def _gemma4_unified_embedder_params(v: VisionSpec, text_hidden: int) -> int:
    """``modeling_gemma4_unified.py``: Gemma4UnifiedVisionEmbedder (LayerNorm over the merged
    patch's pixels, ``patch_dense`` with bias, LayerNorm, the factorized position table of 2
    rows per position, LayerNorm, ``embedding_projection`` output_proj_dims -> text hidden;
    ``hidden_size`` 0: not built) and the audio Gemma4UnifiedMultimodalEmbedder
    (``embedding_projection`` audio_embed_dim -> text hidden; 0: not built)."""
    total = v.audio_embed_dim * text_hidden
    mm = v.hidden_size
    if mm:
        pixels = v.patch_size**2 * v.num_channels
        total += 2 * pixels + pixels * mm + mm + 2 * mm + v.num_position_embeddings * 2 * mm
        total += 2 * mm + v.output_dim * text_hidden
    return total


def _qwen3_5_vision_params(v: VisionSpec) -> int:
    """``modeling_qwen3_5.py`` Qwen3_5VisionModel (the same in ``modeling_qwen3_5_moe.py``): a
    Conv3d patch embedding with bias, a learned position table, blocks of two LayerNorms, a
    fused biased qkv, proj and fc1/fc2, and the patch merger (LayerNorm, fc1 over the merged
    patches, fc2 to out_hidden_size), which is the projector."""
    hv, iv = v.hidden_size, v.intermediate_size
    patch = v.num_channels * v.temporal_patch_size * v.patch_size**2 * hv + hv
    block = 2 * (2 * hv) + (3 * hv * hv + 3 * hv) + (hv * hv + hv) + (hv * iv + iv) + (iv * hv + hv)
    merged = hv * v.spatial_merge_size**2
    merger = 2 * hv + (merged * merged + merged) + (merged * v.output_dim + v.output_dim)
    return patch + v.num_position_embeddings * hv + v.num_layers * block + merger


def mixer_params(spec: ArchSpec, mixer: str | None) -> tuple[str, int, int]:
    if mixer in ("attention", "sliding_attention"):
        if spec.sliding_mla and mixer == "sliding_attention":  # dots3_note: sliding MLA
            return ("attention", *mla_params(spec.sliding_mla_view()))
        return ("attention", *attention_params(spec, mixer))
    if mixer == "mla":
        return ("attention", *mla_params(spec))
    if mixer == "linear_attention":
        if spec.linear_attention_kind == "gated_deltanet":
            return ("attention", *gated_deltanet_params(spec))
        if spec.linear_attention_kind == "lightning":
            return ("attention", *lightning_params(spec))
        if spec.linear_attention_kind == "rg_lru":  # a linear recurrence, as Mamba's
            return ("ssm", *rg_lru_params(spec))
        if spec.linear_attention_kind == "kda":
            return ("attention", *kda_params(spec))
        if spec.linear_attention_kind == "mlstm":
            return ("ssm", *mlstm_params(spec))
        if spec.linear_attention_kind == "rwkv":  # a linear recurrence, as Mamba's
            return ("ssm", *rwkv_params(spec))
        return ("attention", *attention_params(spec))
    if mixer == "mamba":
        return ("ssm", *mamba_params(spec))
    if mixer == "mamba2":
        return ("ssm", *mamba2_params(spec))
    if mixer == SHORT_CONV:  # a token mixer that is neither attention nor an SSM
        return ("other", *short_conv_params(spec))
    if mixer == PARALLEL_HYBRID:  # both mixers' weights; count_params splits the breakdown
        attention, attention_weights = attention_params(spec)
        ssm, ssm_weights = mamba2_params(spec)
        return (PARALLEL_HYBRID, attention + ssm, attention_weights + ssm_weights)
    if mixer in SHARED_HYBRIDS:  # the layer's own mixer; _shared_blocks adds the shared block
        return ("ssm", *(mamba_params(spec) if mixer == SHARED_MAMBA else mamba2_params(spec)))
    return ("other", 0, 0)


# mixers whose blocks hold the same weights (a sliding window changes the mask, not the shapes)
_SAME_WEIGHTS: dict[str | None, str] = {
    "sliding_attention": "attention",
    "attention": "sliding_attention",
}


def count_params(spec: ArchSpec) -> ParamCount:
    b = _ZERO_BREAKDOWN.copy()
    h, v = spec.hidden_size, spec.vocab_size
    e = spec.embedding_width or h
    b["embeddings"] = v * e + spec.learned_positions * h
    b["lm_head"] = 0 if spec.tied_embeddings else (spec.lm_head_vocab or v) * e
    if e != h:  # modeling_opt.py project_in / project_out (e -> h, h -> e, no bias)
        b["other"] += 2 * h * e
    if spec.lm_head_bias:  # its own parameter even when the weight is tied (phi, phimoe, ernie)
        b["lm_head"] += v
    norm = norm_params(spec, h)
    b["norms"] += norm * spec.outer_norms  # final norm (norm / norm_f / ln_f), bloom's embedding LN
    layer_norms = spec.norms_per_layer * norm + spec.layer_extra_norms
    per_expert = expert_params(spec) if spec.num_experts else 0
    # one computation per distinct (mixer, ffn) block, multiplied by how often it occurs; the
    # mixer and FFN figures are computed once per kind (sliding and full attention blocks have
    # the same weights); per_layer maps each layer to its block's total
    mixers: dict[str | None, tuple[str, int, int]] = {}
    # sliding and full blocks hold the same weights unless full layers have their own dims
    same_weights = _SAME_WEIGHTS if spec.global_head_dim is None else {}
    if spec.global_num_kv_heads is not None or spec.global_k_eq_v or spec.sliding_mla:
        same_weights = {}
    ple = spec.per_layer_input_size
    # PLE (modeling_gemma4.py Gemma4TextDecoderLayer): per_layer_input_gate (hidden -> PLE
    # width), per_layer_projection (back) and post_per_layer_input_norm in every layer
    ple_weights = 2 * h * ple
    # Gemma 3n's AltUp and LAuReL blocks in every layer: (params, norms, matmul weights)
    extra, extra_norms, extra_weights = gemma3n_layer_extras(spec)
    dense: tuple[int, int] | None = None
    moe: dict[str, int] | None = None
    sums: dict[LayerSpec, int] = {}
    routed: dict[LayerSpec, tuple[int, int]] = {}
    linear_weights = inactive = 0
    blocks = spec.block_counts
    for layer, count in blocks.items():
        mixer = layer.mixer
        figures = mixers.get(mixer)
        if figures is None:
            figures = mixers[mixer] = mixers.get(same_weights.get(mixer)) or mixer_params(
                spec, mixer
            )
        key, n, weights = figures
        if key == PARALLEL_HYBRID:  # attention and Mamba-2 side by side: each its component
            attention = attention_params(spec)[0]
            b["attention"] += attention * count
            b["ssm"] += (n - attention) * count
        else:
            b[key] += n * count
        block = n + layer_norms
        if ple:
            b["other"] += ple_weights * count
            b["norms"] += h * count
            block += ple_weights + h
            weights += ple_weights
        if extra_norms:
            b["other"] += extra * count
            b["norms"] += extra_norms * count
            block += extra + extra_norms
            weights += extra_weights
        r = a = 0
        ffn = layer.ffn
        if ffn == "mlp" or (ffn == "moe" and (spec.moe_beside_mlp or spec.shortcut_moe)):
            if dense is None:
                width = spec.intermediate_size
                mlp = mlp_params(spec, width, gated=spec.ffn_gated, bias=spec.mlp_bias)
                if spec.hidden_act == "xielu":
                    # activations.py XIELUActivation: learned alpha_p and alpha_n per MLP
                    mlp += 2
                dense = (
                    mlp + spec.mlp_extra,  # RWKV's channel-mix receptance and time-mix vectors
                    (3 if spec.ffn_gated else 2) * h * width + spec.mlp_extra_weights,
                )
            b["dense_mlp"] += dense[0] * count
            block += dense[0]
            weights += dense[1]
        if ffn == "moe":
            if moe is None:
                moe = moe_layer_params(spec)
            for k, m in moe.items():
                b[k] += m * count
                block += m
            r = moe["routed_experts"]
            a = min(spec.experts_per_token, spec.num_experts) * per_expert
            if spec.zero_experts and spec.num_experts:  # top-k of the routed share (zero rows in)
                a = r * min(spec.experts_per_token, spec.num_experts) // spec.num_experts
            weights += r + moe["shared_experts"]
            if spec.moe_beside_mlp:  # post_feedforward_layernorm_1/_2, pre_feedforward_layernorm_2
                b["norms"] += 3 * norm * count
                block += 3 * norm
            if spec.moe_output_norm:  # modeling_axk1.py AXK1MoE.post_mlp_layernorm
                b["norms"] += norm * count
                block += norm
        if spec.gated_norm_rank:  # modeling_axk2.py AXK2GatedRMSNorm's fc1 / fc2
            gated = 2 * h * spec.gated_norm_rank * (2 if ffn == "moe" else 1)
            b["other"] += gated * count
            block += gated
            weights += gated
        b["norms"] += layer_norms * count
        linear_weights += weights * count
        inactive += (r - a) * count
        sums[layer] = block
        routed[layer] = (r, a)
    layers = spec.layers
    if len(blocks) == 1:  # uniform stack: repeat the one block's figures
        (only,) = blocks
        per_layer = [sums[only]] * len(layers)
    else:
        per_layer = list(map(sums.__getitem__, layers))
    if spec.one_layer_extra and per_layer:
        index, component, extra_params = spec.one_layer_extra
        b[component] += extra_params
        per_layer = list(per_layer)  # the uniform stack's list repeats one figure
        per_layer[index] += extra_params
    if spec.kv_shared_layers:
        linear_weights += _kv_shared_layers(spec, b, per_layer)
    if spec.ffn_widths:
        linear_weights += _ffn_widths(spec, b, per_layer)
    if spec.shared_blocks:
        linear_weights += _shared_blocks(spec, b, per_layer)
    if spec.attention_experts:
        weights, skipped = _attention_experts(spec, b, per_layer)
        linear_weights += weights
        inactive += skipped
    if spec.heads_per_layer:
        linear_weights += _heads_per_layer(spec, b, per_layer)
    if spec.experts_per_token_per_layer:
        inactive += _top_k_per_layer(spec, per_expert)
    if spec.hyper_connections:
        linear_weights += _hyper_connections(spec, b, per_layer)
    if spec.layer_extras:
        linear_weights += _layer_extras(spec, b, per_layer)
    if spec.compressed_attention:
        linear_weights += _dsv4_compressors(spec, b, per_layer)
    if spec.index_shared_layers:
        # glm_moe_dsa "shared" layers (modeling_glm_moe_dsa.py GlmMoeDsaAttention): no indexer
        indexer, indexer_weights = indexer_params(spec)
        for i in spec.index_shared_layers:
            per_layer[i] -= indexer
        b["attention"] -= indexer * len(spec.index_shared_layers)
        linear_weights -= indexer_weights * len(spec.index_shared_layers)
    if spec.altup_num_inputs:
        # modeling_gemma3n.py Gemma3nTextModel: altup_projections and altup_unembed_projections,
        # altup_num_inputs - 1 hidden x hidden linears each
        altup = 2 * (spec.altup_num_inputs - 1) * h * h
        b["other"] += altup
        linear_weights += altup
    if ple:
        # modeling_gemma4.py Gemma4TextModel: embed_tokens_per_layer (one row of
        # num_layers x PLE width per token), per_layer_model_projection, per_layer_projection_norm
        width = spec.num_layers * ple
        b["embeddings"] += spec.per_layer_input_vocab * width
        b["other"] += h * width
        b["norms"] += ple
        linear_weights += h * width
    vision = vision_params(spec)
    b["vision"] = vision if spec.vision_built else 0
    if spec.audio is not None:
        b["audio"] = audio_params(spec)
    # ParamCount(**fields) without the generated __init__'s keyword handling (same object)
    count = object.__new__(ParamCount)
    count.__dict__ = {
        "breakdown": b,
        "per_layer": per_layer,
        "params_per_expert": per_expert,
        "linear_weight_params": linear_weights,
        "inactive_routed": inactive - spec.reused_inactive,
        "mtp_params": mtp_params(spec) if spec.mtp_layers else 0,
        "vision_not_built": 0 if spec.vision_built else vision,
        "layers": layers,
        "block_routed": routed,
    }
    return count


def _hyper_connections(spec: ArchSpec, b: dict[str, int], per_layer: list[int]) -> int:
    """``modeling_hy_v4.py``: HYV4HyperConnection around the attention and around the FFN of
    every layer (``fn``: 2 x hc_mult rows over the hc_mult concatenated streams, ``base``,
    ``scale`` of 2) and HYV4HyperHead before the final norm (hc_mult rows, base, one scale):
    fp32 parameters outside the linears (not in the matmul weights FP8/AWQ/GPTQ convert).
    Returns the matmul weights added (none here; Qwen4-Exp's are linears)."""
    hc, h = spec.hyper_connections, spec.hidden_size
    if spec.hyper_connection_rank:
        return _gated_residuals(spec, b, per_layer)
    # modeling_deepseek_v4.py DeepseekV4HyperConnection: pre, post and an hc x hc comb
    rows = 2 * hc + (hc * hc if spec.hyper_connection_comb else 0)
    per = 2 * (rows * hc * h + rows + (3 if spec.hyper_connection_comb else 2))
    for i in range(len(per_layer)):
        per_layer[i] += per
    b["other"] += per * len(per_layer) + hc * hc * h + hc + 1
    return 0


def _gated_residuals(spec: ArchSpec, b: dict[str, int], per_layer: list[int]) -> int:
    """``modeling_qwen4_exp.py`` Qwen4ExpTextGatedResidual around the mixer and around the MoE
    of every layer (``hc_norm`` over hc x hidden, ``input_mix_weight_down`` hc x hidden ->
    rank, ``input_mix_weight_up`` back, ``block_inject_weight`` hc x hidden -> hc, no biases)
    and the model's ``hyper_connection_mixer`` (the same without ``block_inject_weight``);
    returns their matmul weights."""
    streams = spec.hyper_connections * spec.hidden_size
    mix = 2 * streams * spec.hyper_connection_rank
    weights = 2 * (mix + streams * spec.hyper_connections)
    per = weights + 2 * streams
    for i in range(len(per_layer)):
        per_layer[i] += per
    n = len(per_layer)
    b["other"] += n * weights + mix
    b["norms"] += 2 * n * streams + streams
    return n * weights + mix


def _layer_extras(spec: ArchSpec, b: dict[str, int], per_layer: list[int]) -> int:
    """Parameters single layers hold beyond their block (``spec.layer_extras``: Qwen4-Exp's
    QSA indexers and PLE layers, as its family module counted them; index None: outside the
    layers); returns their matmul weights."""
    weights = 0
    for index, component, params, matmul in spec.layer_extras or ():
        b[component] += params
        if index is not None:
            per_layer[index] += params
        weights += matmul
    return weights


def _dsv4_compressors(spec: ArchSpec, b: dict[str, int], per_layer: list[int]) -> int:
    """Add each DeepSeek-V4 layer's compressor (by its type) to ``b`` and ``per_layer``;
    returns their matmul weights."""
    figures: dict[str, tuple[int, int]] = {}
    weights = 0
    for i, kind in enumerate(spec.compressed_attention or ()):
        if kind not in figures:
            figures[kind] = dsv4_compressor_params(spec, kind)
        params, w = figures[kind]
        b["attention"] += params
        per_layer[i] += params
        weights += w
    return weights


def gemma3n_layer_extras(spec: ArchSpec) -> tuple[int, int, int]:
    """(params, norm params, matmul weights) Gemma 3n adds to every layer
    (``modeling_gemma3n.py`` Gemma3nTextDecoderLayer), all zero for other families.

    Gemma3nTextAltUp: ``correct_output_scale`` (hidden), ``correction_coefs`` (n x n),
    ``prediction_coefs`` (n -> n^2), ``modality_router`` (hidden -> n), ``router_norm``;
    Gemma3nTextLaurelBlock: ``linear_left`` (hidden -> rank), ``linear_right`` (back),
    ``post_laurel_norm``. ``post_per_layer_input_norm`` is built even without PLE."""
    n = spec.altup_num_inputs
    if n is None:
        return 0, 0, 0
    h, rank = spec.hidden_size, spec.laurel_rank or 0
    weights = n * n + n * n * n + h * n + 2 * h * rank
    norms = 2 * h + (0 if spec.per_layer_input_size else h)
    return weights + h, norms, weights


def _ffn_widths(spec: ArchSpec, b: dict[str, int], per_layer: list[int]) -> int:
    """Gemma 3n's per-layer MLP widths (``intermediate_size`` as a list): the layers were
    counted at ``spec.intermediate_size``; add each layer's difference to ``b`` and
    ``per_layer`` and return the change in matmul weights."""
    base = spec.intermediate_size
    gated, bias, h = spec.ffn_gated, spec.mlp_bias, spec.hidden_size
    at_base = mlp_params(spec, base, gated=gated, bias=bias)
    delta_weights = 0
    for i, width in enumerate(spec.ffn_widths or ()):
        if width == base or spec.layers[i].ffn != "mlp":
            continue
        delta = mlp_params(spec, width, gated=gated, bias=bias) - at_base
        b["dense_mlp"] += delta
        per_layer[i] += delta
        delta_weights += (3 if gated else 2) * h * (width - base)
    return delta_weights


def _attention_experts(spec: ArchSpec, b: dict[str, int], per_layer: list[int]) -> tuple[int, int]:
    """JetMoE's attention layers, counted above as q/k/v/o attention of num_attention_heads
    (kv_heads x top_k) heads: make them ``modeling_jetmoe.py`` JetMoeAttention (``kv_proj``,
    hidden -> 2 x kv width; JetMoeMoA: E query experts hidden -> kv width and E output experts
    back, a router hidden -> E and an output bias) and add JetMoeMoE's output bias to each MoE
    layer; ``b`` and ``per_layer`` are updated. Returns (matmul weights added, routed
    attention-expert params a token skips)."""
    h, e = spec.hidden_size, spec.attention_experts
    width = spec.num_kv_heads * spec.head_dim
    counted, counted_weights = attention_params(spec)
    experts = e * 2 * h * width
    moa = 2 * h * width + experts
    delta = moa + h - counted  # + the MoA's output bias
    bias = h if spec.moe_output_bias else 0
    layers = weights = skipped = 0
    for i, layer in enumerate(spec.layers):
        if layer.mixer == "attention" or layer.mixer == "sliding_attention":
            per_layer[i] += delta + e * h
            layers += 1
        if layer.ffn == "moe":
            per_layer[i] += bias
            b["other"] += bias
    b["attention"] += layers * delta
    b["router"] += layers * e * h
    weights = layers * (moa - counted_weights)
    skipped = layers * (e - min(spec.experts_per_token, e)) * 2 * h * width
    return weights, skipped


def shared_block_figures(spec: ArchSpec) -> tuple[int, int, int, int]:
    """Zamba / Zamba2's shared transformer blocks: (blocks built, hybrid layers that run
    one, matmul weights of one block, params of one block less its norms and adapters).

    ``modeling_zamba.py`` ZambaAttentionDecoderLayer / ``modeling_zamba2.py``
    Zamba2AttentionDecoderLayer: q/k/v read ``attention_hidden_size`` = 2 x hidden (the hidden
    state beside the input embeddings), o_proj back to hidden, no biases; the MLP is
    gate/up/down (Zamba2: fused gate_up, biases with add_bias_linear). Every hybrid layer builds
    a block; transformers ties each to the first of its cycle (``num_mem_blocks`` distinct
    blocks) only when tie_word_embeddings is true (``get_expanded_tied_weights_keys`` skips
    every tie otherwise), so an untied model holds one block per hybrid layer."""
    h, nh = spec.hidden_size, spec.num_attention_heads
    kv, hd = spec.num_kv_heads, spec.head_dim
    width = spec.intermediate_size
    uses = sum(n for layer, n in spec.block_counts.items() if layer.mixer in SHARED_HYBRIDS)
    attention = 2 * h * nh * hd + 2 * (2 * h * kv * hd) + nh * hd * h
    weights = attention + 3 * h * width
    params = attention + mlp_params(spec, width, gated=True, bias=spec.mlp_bias)
    blocks = min(spec.shared_blocks, uses) if spec.tied_embeddings else uses
    return blocks, uses, weights, params


def _shared_blocks(spec: ArchSpec, b: dict[str, int], per_layer: list[int]) -> int:
    """Add Zamba's shared transformer blocks and each hybrid layer's own ``linear`` (hidden x
    hidden) to ``b`` and ``per_layer``; return the matmul weights added. A block's params are
    put on the first layer that runs it.

    Zamba2's LoRA adapters (``Zamba2MLP`` gate_up_proj_adapter_list, ``Zamba2Attention``
    linear_{q,k,v}_adapter_list): a block built for hybrid layer ``j`` holds one for every
    hybrid layer ``i`` with ``i % num_mem_blocks == j % num_mem_blocks``; tied, one set per
    hybrid layer remains."""
    h, rank = spec.hidden_size, spec.shared_block_adapter_rank
    blocks, uses, weights, params = shared_block_figures(spec)
    norms = 2 * h + h  # input_layernorm (2 x hidden), pre_ff_layernorm
    mlp = mlp_params(spec, spec.intermediate_size, gated=True, bias=spec.mlp_bias)
    b["attention"] += blocks * (params - mlp)
    b["dense_mlp"] += blocks * mlp
    b["norms"] += blocks * norms
    mlp_adapter = rank * (h + 2 * spec.intermediate_size)
    attention_adapter = 3 * 2 * (2 * h * rank) if spec.shared_attention_adapter else 0
    cycle = max(spec.shared_blocks, 1)
    seen = adapters = 0
    for i, layer in enumerate(spec.layers):
        if layer.mixer in SHARED_HYBRIDS:
            own = 1 if spec.tied_embeddings or not rank else len(range(seen % cycle, uses, cycle))
            per_layer[i] += h * h + own * (mlp_adapter + attention_adapter)
            per_layer[i] += params + norms if seen < blocks else 0
            adapters += own
            seen += 1
    b["other"] += seen * h * h
    b["dense_mlp"] += adapters * mlp_adapter
    b["attention"] += adapters * attention_adapter
    return blocks * weights + seen * h * h + adapters * (mlp_adapter + attention_adapter)


def _top_k_per_layer(spec: ArchSpec, per_expert: int) -> int:
    """The routed-expert params a token also skips in the MoE layers whose own top-k is below
    ``spec.experts_per_token`` (the largest; ``modeling_hunyuan_v1_moe.py`` HunYuanMoEV1Gate:
    ``top_k = config.moe_topk[layer_idx]`` when moe_topk is a list): the layers were counted
    at the largest."""
    e = spec.num_experts
    top = min(spec.experts_per_token, e)
    return per_expert * sum(
        top - min(k, e)
        for k, layer in zip(spec.experts_per_token_per_layer or (), spec.layers, strict=False)
        if layer.ffn == "moe"
    )


def _heads_per_layer(spec: ArchSpec, b: dict[str, int], per_layer: list[int]) -> int:
    """Laguna's per-layer query heads (``modeling_laguna.py`` LagunaAttention(num_heads)): the
    layers were counted at ``spec.num_attention_heads``; each head more or less changes q_proj
    and o_proj (head_dim x hidden each, q's bias with attention_bias) and the output gate
    (hidden per head, or hidden x head_dim when not per head). Updates ``b`` and
    ``per_layer``; returns the change in matmul weights."""
    h, hd = spec.hidden_size, spec.head_dim
    gate = h if spec.attention_gate == "per_head" else (h * hd if spec.attention_gate else 0)
    weights = 2 * h * hd + gate
    params = weights + (hd if spec.qkv_bias else 0)
    delta_weights = 0
    for i, heads in enumerate(spec.heads_per_layer or ()):
        extra = heads - spec.num_attention_heads
        if not extra or i >= len(per_layer):
            continue
        b["attention"] += extra * params
        per_layer[i] += extra * params
        delta_weights += extra * weights
    return delta_weights


def _kv_shared_layers(spec: ArchSpec, b: dict[str, int], per_layer: list[int]) -> int:
    """Gemma 4's last ``kv_shared_layers`` layers, counted above as ordinary ones: take out
    their k/v projections and k norm, widen their MLP by ``kv_shared_mlp_factor``
    (use_double_wide_mlp); ``b`` and ``per_layer`` are updated, the change in matmul weights
    is returned."""
    layers = spec.layers
    start = max(len(layers) - spec.kv_shared_layers, 0)
    width = spec.intermediate_size
    extra_mlp = extra_weights = 0
    if spec.kv_shared_mlp_factor > 1:
        gated, bias = spec.ffn_gated, spec.mlp_bias
        wide = width * spec.kv_shared_mlp_factor
        extra_mlp = mlp_params(spec, wide, gated=gated, bias=bias) - mlp_params(
            spec, width, gated=gated, bias=bias
        )
        extra_weights = (3 if gated else 2) * spec.hidden_size * (wide - width)
    saved: dict[str | None, tuple[int, int]] = {}
    delta_weights = 0
    for i in range(start, len(layers)):
        layer = layers[i]
        mixer = layer.mixer
        if mixer not in saved:
            full, full_weights = attention_params(spec, mixer)
            shared, shared_weights = attention_params(spec, mixer, kv_shared=True)
            saved[mixer] = (full - shared, full_weights - shared_weights)
        params, weights = saved[mixer]
        b["attention"] -= params
        delta_weights -= weights
        if layer.ffn == "mlp" or spec.moe_beside_mlp:
            b["dense_mlp"] += extra_mlp
            delta_weights += extra_weights
            per_layer[i] += extra_mlp
        per_layer[i] -= params
    return delta_weights


def mtp_params(spec: ArchSpec) -> int:
    """MTP modules as DeepSeek-V3 saves them (``model.layers.{num_layers + i}``): enorm, hnorm,
    eh_proj (2*hidden -> hidden), one decoder block, shared_head norm, plus its own copies of
    embed_tokens and shared_head.head (vocab x hidden each). Not built by transformers."""
    if not spec.mtp_layers:
        return 0
    h, v = spec.hidden_size, spec.vocab_size
    block = 0
    for t in spec.mtp_block_types:
        if t in ("mla", "attention", "full_attention"):
            block += mixer_params(spec, "mla" if spec.kv_lora_rank else "attention")[1]
        elif t == "moe":
            block += sum(moe_layer_params(spec).values())
        elif t == "mlp":
            block += mlp_params(
                spec, spec.intermediate_size, gated=spec.ffn_gated, bias=spec.mlp_bias
            )
    block += 2 * h  # the block's two norms
    per = 2 * h + 2 * h * h + block + h + 2 * v * h
    return spec.mtp_layers * per


def params_report(spec: ArchSpec, count: ParamCount, *, total: int | None = None) -> dict[str, Any]:
    """``total``: ``count.total`` when the caller already summed it."""
    if total is None:
        total = count.total
    active = total - count.inactive_routed
    h = spec.hidden_size
    input_embedding = spec.vocab_size * (spec.embedding_width or h) + spec.learned_positions * h
    excluding = active - (
        input_embedding if not spec.tied_embeddings else spec.learned_positions * spec.hidden_size
    )
    if spec.per_layer_input_size:  # Gemma 4's PLE table is a lookup too (one row a token)
        excluding -= spec.per_layer_input_vocab * spec.num_layers * spec.per_layer_input_size
    if spec.lookup_params:  # Qwen4-Exp's n-gram tables: a few rows a token
        excluding -= spec.lookup_params
    return {
        "total": total,
        "active": active,
        "active_excluding_input_embedding": excluding,
        "breakdown": dict(count.breakdown),
        "per_layer": count.per_layer,
        "params_per_expert": count.params_per_expert,
        "mtp": {
            "layers": spec.mtp_layers,
            "params": count.mtp_params,
            "included_in_total": False,
            "total_with_mtp": total + count.mtp_params,
        },
        # the llama4 / qwen3_5 wrappers' vision tower + projector: in the checkpoint and in
        # AutoModelForImageTextToText, not in what AutoModelForCausalLM builds (the total)
        "vision_not_built": {
            "params": count.vision_not_built,
            "included_in_total": False,
            "total_with_vision": total + count.vision_not_built,
        },
        "conventions": {
            "total": "every parameter transformers builds for this config "
            "(AutoModelForCausalLM, sum of numel, tied lm_head counted once, buffers "
            "excluded; MTP modules and a vision tower that it does not build are reported "
            "under mtp and vision_not_built, not in total)",
            "active": "parameters one token touches in a decoder forward pass: total minus "
            "the routed experts it skips, per MoE layer (num_experts - experts_per_token) × "
            "params_per_expert; embeddings, lm_head and any vision tower included",
            "active_excluding_input_embedding": "active minus the input embedding lookup "
            "table (kept when it is tied to the lm_head, which is a real matmul) and any "
            "per-layer embedding table (Gemma 4's PLE, Qwen4-Exp's n-gram tables), of which "
            "a token reads a few rows",
        },
    }
