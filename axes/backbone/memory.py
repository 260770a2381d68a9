"""Memory: weights in each format, KV cache per token and at a context, recurrent state.

KV cache (bf16 = 2 bytes per element unless ``kv_dtype`` says otherwise):
- softmax attention layer: K and V, ``2 * num_kv_heads * head_dim`` elements per token
  (Llama-3-8B: 32 layers x 2 x 8 x 128 x 2 B = 131,072 B/token); a Falcon-H1 layer
  (attention+mamba2) holds them beside its Mamba-2 state;
- MLA layer: the compressed latent plus the shared RoPE key, ``kv_lora_rank +
  qk_rope_head_dim`` elements per token, as DeepSeek's inference code caches it
  (DeepSeek-V3: 61 x (512 + 64) x 2 B = 70,272 B/token; transformers itself caches the
  decompressed K/V, which is larger); DeepSeek-V3.2's sparse attention adds its indexer's key,
  ``index_head_dim`` elements per token and layer;
- sliding-window layers hold at most ``sliding_window`` tokens; ``kv_bytes_per_token`` is the
  uncapped figure (every attention layer at full length), ``kv_bytes`` applies the cap;
- Gemma 4: full layers cache ``global_num_kv_heads x global_head_dim`` per K and V, and the last
  ``num_kv_shared_layers`` layers none (they read an earlier layer's; transformers gives them
  a placeholder cache layer).
Recurrent state per sequence (constant in context length):
- Mamba-1 (``modeling_mamba.py`` MambaCache): conv ``intermediate x conv_kernel`` + ssm
  ``intermediate x state``; Mamba-2 / Nemotron-H: conv ``conv_dim x conv_kernel`` + ssm
  ``heads x head_dim x state``; Gated DeltaNet: conv ``(2*key_dim + value_dim) x kernel`` +
  recurrent ``v_heads x key_head_dim x value_head_dim`` (Kimi Delta Attention the same, its
  conv over q, k and v); xLSTM's mLSTM: C ``heads x qk_head_dim x v_head_dim``, n ``heads x
  qk_head_dim`` and m ``heads``, no conv; Lightning Attention (MiniMax): one
  ``heads x head_dim x head_dim`` state (K^T V), no conv; LFM2's short convolution: conv
  ``hidden x conv_L_cache`` (the Lfm2 cache's conv state), no recurrent state; Griffin's
  RG-LRU (RecurrentGemma): ``lru_width`` (fp32) and its conv's last ``conv1d_width - 1``
  inputs, ``lru_width x (conv1d_width - 1)``; RWKV-4 (``modeling_rwkv.py`` RwkvModel's five
  state tensors): per layer the last token's input to the time-mix and to the channel-mix
  (``hidden`` each, the model's dtype: counted as conv state) and the WKV numerator,
  denominator and running maximum (``hidden`` each, fp32); Zamba's hybrid layers hold their
  Mamba state and the shared block's K/V (one cache entry per hybrid layer); Qwen4-Exp's PLE
  layers a conv state of ``hc_count x hidden x (ple_conv_kernel_size - 1) x ngram_size``, and its
  attention layers their QSA indexer's key (``indexer_head_dim`` a token) beside K and V.
  Conv states in the KV dtype, SSM /
  recurrent states in fp32 (transformers keeps ``mamba_ssm_cache_dtype`` float32 by default
  for Nemotron-H and runs the DeltaNet recurrence in fp32).
"""

from __future__ import annotations

from typing import Any

from axes.backbone.gpus import GPU_KEYS, GPU_MEMORY_BYTES, GPU_TABLE
from axes.backbone.layers import (
    PARALLEL_HYBRID,
    SHARED_HYBRIDS,
    SHARED_MAMBA,
    SHARED_MAMBA2,
    SHORT_CONV,
)
from axes.backbone.quantization import WEIGHTS_BASIS, weights_basis_fields
from axes.backbone.spec import ArchSpec

KV_DTYPE_BYTES: dict[str, int] = {"bf16": 2, "fp16": 2, "fp8": 1, "fp32": 4}


def kv_dtype_bytes(kv_dtype: str) -> int:
    if type(kv_dtype) is str:  # the exact spelling first: no .lower() on the common path
        found = KV_DTYPE_BYTES.get(kv_dtype)
        if found is not None:
            return found
    try:
        return KV_DTYPE_BYTES[kv_dtype.lower()]
    except KeyError as exc:
        raise ValueError(
            f"unknown KV-cache dtype {kv_dtype!r}; choose one of {', '.join(KV_DTYPE_BYTES)}"
        ) from exc


def kv_elements_per_token(spec: ArchSpec, mixer: str | None) -> int:
    if mixer in ("attention", "sliding_attention", PARALLEL_HYBRID, *SHARED_HYBRIDS):
        if spec.sliding_mla and mixer == "sliding_attention":  # dots3_note: the MLA latent
            return spec.sliding_mla[2] + spec.sliding_mla[4]
        kv, head_dim = spec.attention_dims(mixer)
        if spec.v_head_dim is not None:  # mimo_v2_flash: V heads v_head_dim wide
            return kv * (head_dim + spec.v_head_dim)
        return 2 * kv * head_dim
    if mixer == "mla":  # + the DSA indexer's key (deepseek_v32)
        return (spec.kv_lora_rank or 0) + (spec.qk_rope_head_dim or 0) + (spec.index_head_dim or 0)
    return 0


def compressed_kv_elements(spec: ArchSpec) -> tuple[int | float, int]:
    """DeepSeek-V4 (``modeling_deepseek_v4.py`` DeepseekV4HCACache / DeepseekV4CSACache):
    (elements per token that keep growing: each compressed layer's head_dim entry per
    compress rate tokens, CSA layers also an index_head_dim indexer key per rate tokens;
    elements per token of the sliding window every layer keeps: head_dim, K and V being one
    tensor). Amortized per token: a float where a rate does not divide the width."""
    hd, idx = spec.head_dim, spec.index_head_dim or 0
    rates = spec.compress_rates or {}
    grows: int | float = 0
    for kind in spec.compressed_attention or ():
        rate = rates.get(kind, 0)
        if kind == "sliding_attention" or not rate:
            continue
        width = hd + idx if kind == "compressed_sparse_attention" else hd
        grows += width // rate if width % rate == 0 else width / rate
    return grows, hd * len(spec.compressed_attention or ())


def kv_split_per_token(spec: ArchSpec, dtype_bytes: int) -> tuple[int, int]:
    """(bytes per token of full-length layers, bytes per token of sliding layers)."""
    if spec.compressed_attention is not None:
        grows, window = compressed_kv_elements(spec)
        return grows * dtype_bytes, window * dtype_bytes
    full = sliding = 0
    for mixer, count in spec.kv_mixer_counts.items():
        n = kv_elements_per_token(spec, mixer) * dtype_bytes * count
        if mixer == "sliding_attention" and spec.sliding_window:
            sliding += n
        else:
            full += n
    if spec.index_shared_layers:  # glm_moe_dsa: no indexer key in a "shared" layer
        full -= (spec.index_head_dim or 0) * dtype_bytes * len(spec.index_shared_layers)
    if spec.sparse_layers:  # block-sparse attention's indexer key (Qwen4-Exp, MiniMax-M3)
        full += (spec.index_head_dim or 0) * dtype_bytes * spec.sparse_layers
    return full, sliding


def kv_bytes_at(spec: ArchSpec, context_len: int, dtype_bytes: int) -> int:
    """KV bytes of one sequence at ``context_len`` tokens, sliding layers capped."""
    full, sliding = kv_split_per_token(spec, dtype_bytes)
    window = spec.sliding_window or context_len
    return full * context_len + sliding * min(context_len, window)


def state_bytes_per_sequence(spec: ArchSpec, conv_bytes: int = 2) -> dict[str, int]:
    conv = ssm = 0
    # per distinct mixer x its layer count (the same sum as layer by layer)
    for mixer, n in spec.mixer_counts.items():
        if mixer == "mamba" or mixer == SHARED_MAMBA:
            i = spec.ssm_intermediate_size or 0
            conv += n * (i * (spec.ssm_conv_kernel or 0) * conv_bytes)
            ssm += n * (i * (spec.ssm_state_size or 0) * 4)
        elif mixer == "mamba2" or mixer == PARALLEL_HYBRID or mixer == SHARED_MAMBA2:
            i = spec.ssm_intermediate_size or 0
            conv_dim = i + 2 * (spec.ssm_n_groups or 0) * (spec.ssm_state_size or 0)
            conv += n * (conv_dim * (spec.ssm_conv_kernel or 0) * conv_bytes)
            ssm += n * (
                (spec.ssm_num_heads or 0)
                * (spec.ssm_head_dim or 0)
                * (spec.ssm_state_size or 0)
                * 4
            )
        elif mixer == SHORT_CONV:
            conv += n * (spec.hidden_size * (spec.ssm_conv_kernel or 0) * conv_bytes)
        elif mixer == "linear_attention" and spec.linear_attention_kind == "lightning":
            ssm += n * (spec.num_attention_heads * spec.head_dim * spec.head_dim * 4)
        elif mixer == "linear_attention" and spec.linear_attention_kind == "rg_lru":
            lru = (spec.linear_num_value_heads or 0) * (spec.linear_value_head_dim or 0)
            conv += n * (lru * max((spec.linear_conv_kernel or 0) - 1, 0) * conv_bytes)
            ssm += n * (lru * 4)
        elif mixer == "linear_attention" and spec.linear_attention_kind == "rwkv":
            # modeling_rwkv.py RwkvModel: five (batch, hidden, layers) tensors, the two
            # token-shift inputs in the model's dtype, the WKV num / den / max in float32
            conv += n * (2 * spec.hidden_size * conv_bytes)
            ssm += n * (3 * spec.hidden_size * 4)
        elif mixer == "linear_attention" and spec.linear_attention_kind == "mlstm":
            heads, qk = spec.linear_num_value_heads or 0, spec.linear_key_head_dim or 0
            ssm += n * (heads * (qk * (spec.linear_value_head_dim or 0) + qk + 1) * 4)
        elif mixer == "linear_attention" and spec.linear_attention_kind in (
            "gated_deltanet",
            "kda",
        ):
            kd = (spec.linear_num_key_heads or 0) * (spec.linear_key_head_dim or 0)
            vd = (spec.linear_num_value_heads or 0) * (spec.linear_value_head_dim or 0)
            conv += n * ((2 * kd + vd) * (spec.linear_conv_kernel or 0) * conv_bytes)
            ssm += n * (
                (spec.linear_num_value_heads or 0)
                * (spec.linear_key_head_dim or 0)
                * (spec.linear_value_head_dim or 0)
                * 4
            )
    if spec.extra_conv_state:  # Qwen4-Exp's PLE convolutions
        conv += spec.extra_conv_state * conv_bytes
    if spec.fp32_conv_state:  # Inkling's short convolutions: fp32 whatever the KV dtype
        conv += spec.fp32_conv_state * 4
    return {"conv_bytes": conv, "ssm_bytes": ssm, "total": conv + ssm}


def max_context_tokens(
    spec: ArchSpec,
    *,
    memory_bytes: int,
    weights_bytes: int,
    batch: int,
    dtype_bytes: int,
    state_bytes: int,
    kv_split: tuple[int, int] | None = None,
) -> int | None:
    """Largest context whose KV (plus weights and recurrent state) fits ``memory_bytes``.

    None when no KV cache grows with context (pure SSM): memory does not bound context.
    0 when the weights alone do not fit. ``kv_split``: ``kv_split_per_token(spec,
    dtype_bytes)`` when the caller already has it (one GPU table calls this per GPU).
    """
    free = memory_bytes - weights_bytes - state_bytes * batch
    if free <= 0:
        return 0
    full, sliding = kv_split or kv_split_per_token(spec, dtype_bytes)
    full, sliding = full * batch, sliding * batch
    if full == 0 and sliding == 0:
        return None
    window = spec.sliding_window or 0
    if sliding and window:
        below = (full + sliding) * window  # up to the window every layer grows
        if free < below:
            return int(free // (full + sliding))
        if full == 0:
            return None  # only sliding layers: KV stops growing at the window
        return int(window + (free - below) // full)
    return int(free // (full + sliding))


def _max_context_table(
    split: tuple[int, int], window: int, fixed_bytes: int, batch: int
) -> dict[str, int | None]:
    """``max_context_tokens`` for every GPU in one loop (same formula, shared terms hoisted)."""
    full, sliding = split[0] * batch, split[1] * batch
    grows = full + sliding
    if grows and not (sliding and window) and type(fixed_bytes) is int and type(grows) is int:
        # the common case (no sliding cap, integer bytes): one floor division per GPU
        return dict(
            zip(
                GPU_KEYS,
                [(m - fixed_bytes) // grows if m > fixed_bytes else 0 for m in GPU_MEMORY_BYTES],
                strict=True,
            )
        )
    below = grows * window if sliding and window else 0
    out: dict[str, int | None] = {}
    for key, memory_bytes, _ in GPU_TABLE:
        free = memory_bytes - fixed_bytes
        if free <= 0:
            out[key] = 0
        elif grows == 0:
            out[key] = None
        elif sliding and window:
            if free < below:
                out[key] = int(free // grows)
            elif full == 0:
                out[key] = None
            else:
                out[key] = int(window + (free - below) // full)
        else:
            out[key] = int(free // grows)
    return out


def _kv_elements_and_state(spec: ArchSpec, conv_bytes: int) -> tuple[int, int, dict[str, int]]:
    """(KV elements per token of full-length layers, of sliding layers, recurrent state) in
    one pass over the mixers: ``kv_split_per_token`` is these element counts x dtype bytes
    (integer sums, so the same figures), the state is ``state_bytes_per_sequence``."""
    if spec.compressed_attention is not None:  # DeepSeek-V4: no recurrent state
        grows, window = compressed_kv_elements(spec)
        return grows, window, {"conv_bytes": 0, "ssm_bytes": 0, "total": 0}
    if spec.v_head_dim is not None and not spec.kv_lora_rank:
        # mimo_v2_flash (V heads v_head_dim wide, softmax attention only): per mixer
        full, sliding = kv_split_per_token(spec, 1)
        return full, sliding, {"conv_bytes": 0, "ssm_bytes": 0, "total": 0}
    full = sliding = 0
    recurrent = False
    capped = spec.sliding_window
    for mixer, count in spec.kv_mixer_counts.items():
        if mixer == "attention":
            kv, head_dim = spec.attention_dims(mixer)
            full += 2 * kv * head_dim * count
        elif mixer == "sliding_attention":
            per = kv_elements_per_token(spec, mixer) if spec.sliding_mla else None
            if per is None:
                per = 2 * spec.num_kv_heads * spec.head_dim
            if capped:
                sliding += per * count
            else:
                full += per * count
        elif mixer == "mla":
            full += kv_elements_per_token(spec, "mla") * count
        else:
            if mixer == PARALLEL_HYBRID or mixer in SHARED_HYBRIDS:
                # Falcon-H1: K/V beside the Mamba-2 state; Zamba: the shared block's K/V,
                # cached per hybrid layer
                full += 2 * spec.num_kv_heads * spec.head_dim * count
            recurrent = True
    if spec.index_shared_layers:  # glm_moe_dsa: no indexer key in a "shared" layer
        full -= (spec.index_head_dim or 0) * len(spec.index_shared_layers)
    if spec.sparse_layers:  # block-sparse attention's indexer key (Qwen4-Exp, MiniMax-M3)
        full += (spec.index_head_dim or 0) * spec.sparse_layers
    if recurrent or spec.fp32_conv_state:
        return full, sliding, state_bytes_per_sequence(spec, conv_bytes=conv_bytes)
    return full, sliding, {"conv_bytes": 0, "ssm_bytes": 0, "total": 0}


def memory_report(
    spec: ArchSpec,
    *,
    total_params: int,
    stored_bytes: int,
    stored_basis: str,
    stored_basis_fields: dict[str, Any] | None = None,
    fp8_bytes: int,
    int4_bytes: int,
    context_len: int,
    batch: int,
    kv_dtype: str,
) -> dict[str, Any]:
    dtype_bytes = kv_dtype_bytes(kv_dtype)
    full_elements, sliding_elements, state = _kv_elements_and_state(spec, dtype_bytes)
    split = (full_elements * dtype_bytes, sliding_elements * dtype_bytes)
    sliding_window = spec.sliding_window
    if sliding_window and sliding_window < context_len:  # kv_bytes_at: sliding layers capped
        kv = (split[0] * context_len + split[1] * sliding_window) * batch
    else:
        kv = (split[0] + split[1]) * context_len * batch
    state_total = state["total"]
    if state_total:
        # the conv state's dtype: the KV cache's, except Inkling's short convolutions (fp32)
        fp32_conv = spec.fp32_conv_state * 4
        state["conv_dtype"] = conv_dtype = (
            kv_dtype
            if not fp32_conv
            else "fp32"
            if state["conv_bytes"] == fp32_conv
            else f"{kv_dtype}, short convolutions fp32"
        )
        parts = ["per sequence, constant in context"]
        if state["ssm_bytes"]:
            parts.append(
                "SSM / recurrent state in fp32 (transformers' default mamba_ssm_cache_dtype)"
            )
        if state["conv_bytes"]:
            parts.append(
                f"conv state in {conv_dtype}"
                + (" (the KV-cache dtype)" if conv_dtype == kv_dtype else "")
            )
        state_basis = ": ".join(parts[:2]) + "".join(", " + p for p in parts[2:])
    else:
        state_basis = "no recurrent layers: no state per sequence"
    max_ctx = _max_context_table(
        split, sliding_window or 0, stored_bytes + state_total * batch, batch
    )
    return {
        "weights_bytes": {
            "bf16": total_params * 2,
            "fp8": fp8_bytes,
            "int4": int4_bytes,
            "stored": stored_bytes,
            "stored_basis": stored_basis,
        },
        "weights_basis": {**WEIGHTS_BASIS, "stored": stored_basis},
        # the same bases as fields, for a reader that words them in its language (axes.cli)
        "weights_basis_fields": {**weights_basis_fields(), "stored": stored_basis_fields},
        "kv_bytes_per_token": (full_elements + sliding_elements) * 2,
        # the sliding-window layers' share of it, the part that stops growing at the window
        # (layers differ in width in Gemma 4: a share by layer count would be wrong)
        "kv_bytes_per_token_sliding": sliding_elements * 2,
        "kv_bytes_per_token_basis": "bf16, every attention layer at full length (sliding "
        "windows not capped); MLA layers cache the latent (kv_lora_rank + qk_rope_head_dim)",
        "kv_bytes": {
            "context": context_len,
            "batch": batch,
            "kv_dtype": kv_dtype,
            "bytes": kv,
            "sliding_window": sliding_window,
            "sliding_windows_capped": bool(sliding_elements),
        },
        "state_bytes_per_sequence": state_total,
        "state_bytes_detail": state,
        "state_bytes_basis": state_basis,
        "max_context_by_gpu": max_ctx,
        "max_context_basis": f"one GPU, weights as stored, batch {batch}, KV in {kv_dtype}, "
        "recurrent state included (SSM state fp32, conv state in the KV dtype); no activation "
        "or framework overhead",
    }
