"""Compute: FLOPs per token and a batch-1 decode roofline per GPU.

FLOPs per generated token (forward only), after Kaplan et al. 2020 §2.1 and the nanoGPT
``transformer_sizing.ipynb`` accounting:
- ``2 x`` every active matmul weight (decoder linears of the active experts, shared experts,
  routers, lm_head; not the input embedding lookup, norms or biases);
- plus the attention scores and weighted sum against ``L`` cached tokens: per softmax layer
  ``2 x 2 x heads x head_dim x L_eff`` (MLA: ``2 x heads x (qk_head_dim + v_head_dim) x L_eff``),
  ``L_eff = min(L, sliding_window)`` on sliding layers;
- linear attention / SSM layers add their state update, ``~ 2 x 2 x state elements``; a short
  convolution (LFM2) its depthwise conv over the cached inputs, ``2 x hidden x conv_L_cache``;
  an RG-LRU block (RecurrentGemma) its gates (not linears), conv and state update; an RWKV-4
  time-mix its WKV recurrence, ``12 x attention_hidden_size``.

Roofline: decode at a small batch is memory-bound, each step reads the weights it uses once and
every sequence's KV cache and recurrent state, so ``tokens/s <= batch x bandwidth / (weight bytes
+ the batch's KV and state bytes)`` (``decode_tokens_per_s``; the report's table is batch 1).
The weights a step reads (``decode_weight_params``) are the active parameters less the input
embedding table, of which each token reads one row; the lm_head is read whole (a tied table
once, as lm_head); a vision tower runs at prefill only. They are counted at their stored density
component by component (``quantization.stored_bytes`` with the active counts: the active decoder
linears and routed experts packed with their scales, the rest at 16 bits), not at the
checkpoint's average bytes per parameter: gpt-oss-120b's MXFP4 routed experts are 98% of its
parameters but 70% of those a token reads, the rest bf16 (the average put its bound 1.5x high).
"""

from __future__ import annotations

from typing import Any

from axes.backbone.gpus import GPU_BANDWIDTHS, GPU_KEYS
from axes.backbone.layers import PARALLEL_HYBRID, SHARED_HYBRIDS, SHORT_CONV
from axes.backbone.memory import kv_bytes_at
from axes.backbone.params import ParamCount, routed_expert_bias_params, shared_block_figures
from axes.backbone.quant_targets import Placed, active_placement
from axes.backbone.quantization import stored_bytes
from axes.backbone.spec import ArchSpec


def active_matmul_params(spec: ArchSpec, count: ParamCount) -> int:
    h = spec.hidden_size
    e = spec.embedding_width or h
    # opt project_in / _out; apertus1p5_text's pruned head (lm_head_vocab rows)
    lm_head = (spec.lm_head_vocab or spec.vocab_size) * e + (2 * h * e if e != h else 0)
    router = count.breakdown["router"]
    if spec.moe_beside_mlp:  # Gemma 4's router scale and per_expert_scale: no matmul
        router -= spec.ffn_counts.get("moe", 0) * (spec.hidden_size + spec.num_experts)
    shared_extra = count.breakdown["other"] if spec.moe_latent_size else 0
    if spec.shared_blocks:  # Zamba: a shared block's weights run in every layer that uses it
        blocks, uses, weights, _ = shared_block_figures(spec)
        shared_extra += (uses - blocks) * weights
    return (
        count.linear_weight_params
        - count.inactive_routed
        + lm_head
        + router
        + shared_extra
        + spec.reused_weights  # HRM-Text: its stacks' layers run several times a token
    )


def attention_flops_per_token(spec: ArchSpec, context_len: int) -> int:
    # per distinct mixer x its layer count (the same sum as layer by layer)
    flops = 0
    for mixer, n in spec.mixer_counts.items():
        if mixer in ("attention", "sliding_attention"):
            window = spec.sliding_window if mixer == "sliding_attention" else None
            l_eff = min(context_len, window) if window else context_len
            if spec.sliding_mla and mixer == "sliding_attention":  # dots3_note: sliding MLA
                heads, _, _, nope, rope, v = spec.sliding_mla
                flops += n * (2 * heads * (nope + rope + v) * l_eff)
                continue
            head_dim = spec.attention_dims(mixer)[1]  # Gemma 4: full layers' own width
            if spec.v_head_dim is not None:  # mimo_v2_flash: V heads v_head_dim wide
                flops += n * (2 * spec.num_attention_heads * (head_dim + spec.v_head_dim) * l_eff)
            else:
                flops += n * (4 * spec.num_attention_heads * head_dim * l_eff)
        elif mixer == "mla":
            qk = (spec.qk_nope_head_dim or 0) + (spec.qk_rope_head_dim or 0)
            # DeepSeek Sparse Attention: each query attends to index_topk tokens, chosen by an
            # indexer that scores every token (index_n_heads x index_head_dim per token)
            topk = spec.index_topk
            l_eff = min(context_len, topk) if topk else context_len
            flops += n * (2 * spec.num_attention_heads * (qk + (spec.v_head_dim or 0)) * l_eff)
            if spec.index_n_heads:
                indexed = n - len(spec.index_shared_layers or ())  # glm_moe_dsa "shared" layers
                flops += indexed * (
                    2 * spec.index_n_heads * (spec.index_head_dim or 0) * context_len
                )
        elif mixer in ("mamba", "mamba2"):
            heads_x_dim = spec.ssm_intermediate_size or 0
            flops += n * (4 * heads_x_dim * (spec.ssm_state_size or 0))
        elif mixer == PARALLEL_HYBRID:  # Falcon-H1: attention and Mamba-2 on the same input
            heads_x_dim = spec.ssm_intermediate_size or 0
            flops += n * (
                4 * spec.num_attention_heads * spec.head_dim * context_len
                + 4 * heads_x_dim * (spec.ssm_state_size or 0)
            )
        elif mixer == SHORT_CONV:
            flops += n * (2 * spec.hidden_size * (spec.ssm_conv_kernel or 0))
        elif mixer == "linear_attention":
            if spec.linear_attention_kind in ("gated_deltanet", "kda", "mlstm"):
                flops += n * (
                    4
                    * (spec.linear_num_value_heads or 0)
                    * (spec.linear_key_head_dim or 0)
                    * (spec.linear_value_head_dim or 0)
                )
            elif spec.linear_attention_kind == "rwkv":
                # modeling_rwkv.py rwkv_linear_attention_cpu: per channel, the output's and the
                # new state's numerator (2 multiply-adds each) and denominator (1 each), the
                # exponentials not counted
                flops += n * (12 * (spec.ssm_intermediate_size or 0))
            elif spec.linear_attention_kind == "rg_lru":
                # the two block-diagonal gates (heads x block^2 each), the depthwise conv and
                # the state update of lru_width units
                heads, block = spec.linear_num_value_heads or 0, spec.linear_value_head_dim or 0
                lru = heads * block
                flops += n * (
                    4 * heads * block * block + 2 * lru * (spec.linear_conv_kernel or 0) + 4 * lru
                )
            else:
                flops += n * (4 * spec.num_attention_heads * spec.head_dim * spec.head_dim)
        elif mixer in SHARED_HYBRIDS:  # Zamba: the shared block's attention, then Mamba
            flops += n * (
                4 * spec.num_attention_heads * spec.head_dim * context_len
                + 4 * (spec.ssm_intermediate_size or 0) * (spec.ssm_state_size or 0)
            )
    if spec.cross_attention_layers:
        # Mllama's cross-attention layers attend to the image's tokens, not the context (their
        # count depends on the images a prompt holds: not counted)
        cross = len(spec.cross_attention_layers)
        flops -= cross * 4 * spec.num_attention_heads * spec.head_dim * context_len
    if spec.compressed_attention is not None:
        flops += _compressed_attention_flops(spec, context_len)
    if spec.sparse_layers:
        flops += _sparse_attention_flops(spec, context_len)
    return flops


def _sparse_attention_flops(spec: ArchSpec, context_len: int) -> int:
    """The change block-sparse attention makes to the full-attention figure above, over its
    sparse_layers: scores and sum over the (at most sparse_attended) tokens picked instead of
    every token, plus the indexer's scores of one key per index_stride tokens (index heads x
    index_head_dim)."""
    attended = min(context_len, spec.sparse_attended)
    scored = context_len // max(spec.index_stride, 1)
    return spec.sparse_layers * (
        4 * spec.num_attention_heads * spec.head_dim * (attended - context_len)
        + 2 * (spec.index_n_heads or 0) * (spec.index_head_dim or 0) * scored
    )


def _compressed_attention_flops(spec: ArchSpec, context_len: int) -> int:
    """DeepSeek-V4 beyond the sliding window: an HCA layer attends to its context_len / rate
    compressed entries, a CSA layer to the index_topk its indexer picks among them, the
    indexer scoring every entry (index heads x index_head_dim)."""
    rates = spec.compress_rates or {}
    nh, hd = spec.num_attention_heads, spec.head_dim
    flops = 0
    for kind in spec.compressed_attention or ():
        rate = rates.get(kind, 0)
        if kind == "sliding_attention" or not rate:
            continue
        entries = context_len // rate
        if kind == "compressed_sparse_attention":
            attended = min(entries, spec.index_topk) if spec.index_topk else entries
            flops += 2 * (spec.index_n_heads or 0) * (spec.index_head_dim or 0) * entries
        else:
            attended = entries
        flops += 4 * nh * hd * attended
    return flops


def decode_weight_params(
    spec: ArchSpec, count: ParamCount, *, active_excluding_input_embedding: int
) -> int:
    """Parameters one decode step reads: every active parameter but the input embedding table
    (``active_excluding_input_embedding`` keeps a tied table, read whole as the lm_head), plus
    the row of it (and of a learned position table) the token looks up; no vision tower or audio
    encoder."""
    h = spec.hidden_size
    e = spec.embedding_width or h
    rows = (0 if spec.tied_embeddings else e) + (h if spec.learned_positions else 0)
    rows += spec.num_layers * spec.per_layer_input_size  # a Gemma 4 PLE row
    rows += spec.lookup_row_params  # Qwen4-Exp: one row of each n-gram head
    towers = count.breakdown["vision"] + count.breakdown["audio"]
    return active_excluding_input_embedding - towers + rows


def decode_weight_bytes(
    spec: ArchSpec, count: ParamCount, *, weight_params: int, placed: Placed | None = None
) -> tuple[int, str]:
    """Bytes of the ``weight_params`` one decode step reads, at their stored density, and the
    basis: the active decoder linears (linear weights less the routed experts a token skips)
    and active routed experts in the checkpoint's packed format, the rest at 16 bits.
    ``placed``: compressed-tensors' schemes on their linears (``quant_targets``)."""
    inactive = count.inactive_routed
    active_experts = count.breakdown["routed_experts"] - inactive
    if spec.expert_bias and count.breakdown["routed_experts"]:  # gpt_oss: biases at 16 bits
        active_experts -= (
            routed_expert_bias_params(spec, count)
            * active_experts
            // (count.breakdown["routed_experts"])
        )
    return stored_bytes(
        total_params=weight_params,
        quantizable_params=count.linear_weight_params - inactive,
        expert_params=active_experts,
        dtype=spec.stored_dtype,
        quantization=spec.quantization,
        placed=placed and active_placement(placed, inactive, count.breakdown["routed_experts"]),
    )


def decode_tokens_per_s(
    bandwidth_bytes_per_s: float, *, weight_bytes: float, cache_bytes: float, batch: int = 1
) -> float:
    """The memory-bound decode rate: a step reads ``weight_bytes`` once and ``cache_bytes`` (the
    whole batch's KV cache and recurrent state) and yields one token per sequence. The engine's
    roofline (batch 1, weights as stored) and the profiler's (the run's batch and dtype) both."""
    return batch * bandwidth_bytes_per_s / (weight_bytes + cache_bytes)


def compute_report(
    spec: ArchSpec,
    count: ParamCount,
    *,
    active_excluding_input_embedding: int,
    context_len: int,
    kv_dtype: str,
    kv_dtype_bytes: int,
    kv_bytes: int | None = None,
    state_bytes: int = 0,
    placed: Placed | None = None,
) -> dict[str, Any]:
    """``kv_bytes``: ``kv_bytes_at(spec, context_len, kv_dtype_bytes)`` if already known;
    ``state_bytes``: the recurrent state of one sequence."""
    matmul = active_matmul_params(spec, count)
    attn = attention_flops_per_token(spec, context_len)
    kv = kv_bytes_at(spec, context_len, kv_dtype_bytes) if kv_bytes is None else kv_bytes
    weight_params = decode_weight_params(
        spec, count, active_excluding_input_embedding=active_excluding_input_embedding
    )
    weight_bytes, weight_basis = decode_weight_bytes(
        spec, count, weight_params=weight_params, placed=placed
    )
    topk = spec.index_topk
    if topk and context_len > topk and spec.compressed_attention is None:
        # DeepSeek Sparse Attention: a step reads every indexer key but the latents of only
        # index_topk tokens
        latent = (spec.kv_lora_rank or 0) + (spec.qk_rope_head_dim or 0)
        mla = spec.mixer_counts.get("mla", 0)
        indexed = mla - len(spec.index_shared_layers or ())  # glm_moe_dsa "shared" layers
        kv = kv_dtype_bytes * (
            mla * latent * topk + indexed * (spec.index_head_dim or 0) * context_len
        )
        if spec.sliding_mla:  # dots3_note: the sliding MLA layers read their window's latents
            window = min(context_len, spec.sliding_window or context_len)
            kv += kv_dtype_bytes * (
                spec.mixer_counts.get("sliding_attention", 0)
                * (spec.sliding_mla[2] + spec.sliding_mla[4])
                * window
            )
    elif spec.sparse_layers and context_len > spec.sparse_attended:
        # block-sparse attention (Qwen4-Exp, MiniMax-M3): a step reads every indexer key, but
        # the K/V of the picked tokens only
        kv -= (
            kv_dtype_bytes
            * spec.sparse_layers
            * 2
            * spec.num_kv_heads
            * spec.head_dim
            * (context_len - spec.sparse_attended)
        )
    cache = kv + state_bytes
    bytes_per_token = weight_bytes + cache
    at = f"{context_len:,}"  # formatted once for both bases
    if bytes_per_token:
        # tokens/s is linear in bandwidth: the rate at 100 B/s, x each GPU's bandwidth, rounded
        # to an integer, / 100 gives two decimals (round(x, 2) goes through a decimal string:
        # 7x slower per GPU)
        per_100 = decode_tokens_per_s(100, weight_bytes=weight_bytes, cache_bytes=cache)
        roofline = dict(
            zip(GPU_KEYS, [round(bw * per_100) / 100 for bw in GPU_BANDWIDTHS], strict=True)
        )
    else:
        roofline = dict.fromkeys(GPU_KEYS)
    return {
        "flops_per_token": 2 * matmul + attn,
        "flops_detail": {
            "active_matmul_params": matmul,
            "matmul_flops": 2 * matmul,
            "attention_flops": attn,
            "context": context_len,
        },
        "flops_basis": f"forward pass per token at position {at}: 2 × the active "
        "matmul weights (decoder linears of the active experts, shared experts, routers, "
        "lm_head; not the input-embedding lookup, norms or biases) + attention scores and "
        "weighted sum against the cached tokens (sliding layers up to their window) + the "
        "recurrent state update of SSM / linear-attention layers",
        "decode_bytes_per_token": bytes_per_token,
        "decode_bytes_detail": {
            "weight_params": weight_params,
            "weights": weight_bytes,
            "kv": kv,
            "state": state_bytes,
        },
        "roofline": roofline,
        "roofline_basis": f"batch 1 at context {at}, KV cache in {kv_dtype}: HBM bandwidth / "
        f"the bytes one decode step reads (decode_bytes_detail) = the weights as stored "
        f"({weight_basis}) + the KV cache at that context + the recurrent state. The weights "
        "are every active parameter but the input-embedding table, of which a token reads one "
        "row; the lm_head is read whole (a tied table once, as lm_head); a vision tower is not "
        "read. An upper bound in tokens/s",
    }
