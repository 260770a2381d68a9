"""Notes and refusals written in English by framework-free code (the engine, the ingestion,
the worker), shown in the page's language.

The engine, ``axes.analysis`` and ``profiler.core`` import no Django and write their notes as
English sentences with figures in them ("context 131,072 is past the model's 8,192
positions ..."); the CLI prints them as they are. Each template below repeats one of those
sentences with ``%(name)s`` where the code puts a value. A stored note that matches a template
is shown translated, its values carried over (a placeholder named ``n_...`` holds an integer,
shown in the page's number format); a note that matches none is shown as written.
``tests/test_notes_l10n.py`` produces the notes from real code paths and checks that each one
is matched, so a reworded note cannot fall back to English unnoticed.

The module imports no Django when it loads: ``manage.py analyze PATH`` translates the same
notes before Django is imported (``axes.l10n.Words.note``, reading the compiled catalogs).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from axes.l10n import note_pattern


def gettext_noop(message: str) -> str:
    """Marks a msgid for makemessages (as Django's does), without importing Django."""
    return message


NOTE_TEMPLATES: tuple[str, ...] = (
    # axes.backbone (report.py, spec.py, families/*)
    gettext_noop(
        "context %(n_context)s is past the model's %(n_native)s positions "
        "(max_position_embeddings): the KV and FLOPs figures at it are arithmetic only"
    ),
    gettext_noop(
        "KV for MLA counts the cached latent (kv_lora_rank + qk_rope_head_dim); "
        "transformers' own cache stores decompressed K/V and is larger"
    ),
    gettext_noop(
        "the recurrent state of the %(n_layers)s linear-attention layers is not counted in "
        "state_bytes_per_sequence: its layout is known only for Gated DeltaNet and Lightning "
        "Attention"
    ),
    gettext_noop(
        "DeepSeek Sparse Attention: each query attends to the %(n_topk)s tokens its indexer "
        "picks; the KV cache holds the indexer's key too (%(n_dim)s per token and layer), and a "
        "decode step reads every indexer key but only those tokens' latents"
    ),
    gettext_noop(
        "DeepSeek Sparse Attention in the %(n_layers)s indexed layers: each of their queries "
        "attends to the %(n_topk)s tokens its indexer picks, and the KV cache holds the "
        "indexer's key too (%(n_dim)s per token and indexed layer); the %(n_sliding)s sliding "
        "MLA layers have no indexer and attend to their window; a decode step reads every "
        "indexer key but only the picked tokens' latents"
    ),
    gettext_noop(
        "the vision tower and projector (~%(n_params)s params) ship in the checkpoint, but "
        "AutoModelForCausalLM builds the text model only, which the total counts; the "
        "image-text model (AutoModelForImageTextToText) has %(n_total)s"
    ),
    gettext_noop(
        "the VQ-VAE image tokenizer (vq_config) is not counted: AutoModelForCausalLM builds "
        "the text model only"
    ),
    gettext_noop(
        "the CCA attention's conv state and delayed value (per layer, constant in context) "
        "are not counted in the state per sequence"
    ),
    gettext_noop(
        "%(n_modules)s MTP module(s) ship in the checkpoint (~%(n_params)s params) but "
        "transformers does not build them"
    ),
    gettext_noop("%(path)s is the string %(value)s; read as the integer %(n_value)s"),
    gettext_noop(
        "moe_layer_freq = %(n_freq)s: transformers ignores it and builds MoE in every layer "
        "from %(n_first)s on; counted as transformers builds it"
    ),
    # %(path)s: num_key_value_heads, or text_config.num_key_value_heads under a wrapper
    gettext_noop(
        "%(path)s = %(n_kv)s does not divide num_attention_heads (%(n_heads)s), but MLA "
        "builds no weights from it: its keys and values come from the kv_lora_rank latent, one "
        "per query head; counted as transformers builds it"
    ),
    gettext_noop(
        "%(path)s = %(n_kv)s with num_attention_heads = %(n_heads)s: MLA builds no weights "
        "from it (its keys and values come from the kv_lora_rank latent, one per query head), "
        "so the model is counted as transformers builds it; but transformers' attention "
        "repeats the keys num_attention_heads // num_key_value_heads = %(n_groups)s times, so "
        "this config does not run there"
    ),
    gettext_noop(
        "%(path)s = %(n_kv)s with num_attention_heads = %(n_heads)s: MLA builds no weights "
        "from it (its keys and values come from the kv_lora_rank latent, one per query head), "
        "so the model is counted as transformers builds it; but transformers' attention "
        "repeats the keys num_attention_heads // num_key_value_heads = %(n_groups)s times, so "
        "this config does not run there with eager attention"
    ),
    gettext_noop(
        "%(path)s is null: counted with as many K/V heads as query heads (%(n_heads)s), as "
        "LlamaConfig and Qwen2Config read it; many config classes refuse a null there or build "
        "no model from it"
    ),
    # families/xlstm.py
    gettext_noop(
        "%(path)s is set, but modeling_xlstm.py does not read it: the feed-forward width is "
        "ffn_proj_factor × hidden_size, rounded up to ffn_round_up_to_multiple_of"
    ),
    # families/llama.py (helium)
    gettext_noop(
        "num_attention_heads × head_dim (%(n_width)s) is not hidden_size (%(n_hidden)s): "
        "modeling_helium.py builds o_proj from hidden_size, so the count follows it, but "
        "transformers cannot run a forward pass of this config"
    ),
    gettext_noop(
        "num_hidden_layers = %(n_layers)s but the block pattern has %(n_blocks)s blocks; "
        "transformers uses the pattern"
    ),
    gettext_noop(
        "model_type %(model_type)s is not one of the families the engine mirrors exactly; "
        "counted as a Llama-style decoder (q/k/v/o, SwiGLU, RMSNorm), so every figure is an "
        "estimate"
    ),
    gettext_noop(
        "model_type %(model_type)s is not one of the families the engine mirrors exactly; "
        "counted as a Llama-style decoder (q/k/v/o, RMSNorm) with a plain up/down MLP, as "
        "hidden_act %(act)s suggests, so every figure is an estimate"
    ),
    gettext_noop(
        "linear-attention layers are counted like softmax attention (q/k/v/o); their extra "
        "gates and norms are not modelled"
    ),
    gettext_noop("no intermediate_size: assumed 4 × hidden_size"),
    gettext_noop("layer_types does not describe every layer; ignored"),
    gettext_noop("mlp_layer_types does not say dense or sparse for every layer; ignored"),
    gettext_noop("indexer_types does not say full or shared for every layer; ignored"),
    # families/dots3_note.py
    gettext_noop(
        "%(path)s gives layers settings the engine does not mirror (only the same MLA sizes "
        "on every layer of a kind, and the global attention_bias and indexer sizes); "
        "counted with each kind's first layer's"
    ),
    gettext_noop(
        "%(n_layers)s full_attention layers build no DSA indexer and cache no indexer key; "
        "their attention FLOPs are counted as the indexed layers' (top-k tokens)"
    ),
    gettext_noop(
        "the checkpoint's MTP modules (mtp.*) are dropped by transformers on load: not counted"
    ),
    gettext_noop(
        "the vision and audio encoders are not counted: AutoModelForCausalLM builds the text "
        "model only"
    ),
    gettext_noop(
        "DeepSeek-V4 attention: every layer caches the last %(n_window)s tokens' shared K=V "
        "(%(n_width)s per token); %(n_csa)s CSA layers add one entry per %(n_csa_rate)s tokens "
        "and an indexer key, %(n_hca)s HCA layers one entry per %(n_hca_rate)s tokens"
    ),
    gettext_noop(
        "sliding-window layers have twice num_key_value_heads (%(n_sliding)s K/V heads) and "
        "attention sinks; full-attention layers have %(n_full)s K/V heads"
    ),
    gettext_noop(
        "each of the %(n_layers)s decoder layers holds two MLA + MLP sublayers and one MoE "
        "beside the first sublayer's MLP; the layer pattern lists the %(n_blocks)s sublayers"
    ),
    gettext_noop(
        "%(n_shared)s of the %(n_layers)s layers reuse the previous indexer's top-k "
        "(indexer_types shared): they build no indexer and cache no indexer key"
    ),
    gettext_noop(
        "no num_key_value_heads: transformers' nemotron cannot build this config; it is "
        "read as multi-head attention (one K/V head per query head)"
    ),
    gettext_noop(
        "no indexer_n_heads / indexer_head_dim / indexer_budget / indexer_compress_ratio: "
        "transformers cannot build Qwen4-Exp's attention layers without its QSA indexer; "
        "counted without one"
    ),
    gettext_noop(
        "QSA: each query of the %(n_layers)s attention layers attends to at most %(n_budget)s "
        "tokens in the %(n_block)s-token blocks its indexer picks, plus the last incomplete "
        "block; the KV cache holds the indexer's key too (%(n_dim)s per token and layer), and a "
        "decode step reads every indexer key but only those tokens' K/V"
    ),
    gettext_noop(
        "ple_embed_dim (%(n_dim)s) must be a positive multiple of (ngram_size - 1) × "
        "heads_per_ngram (%(n_heads)s), as transformers requires for PLE layers"
    ),
    gettext_noop(
        "%(n_layers)s PLE layers of %(n_heads)s n-gram heads each are past any real model "
        "(at most %(n_max)s heads); check ple_layer_ids and heads_per_ngram"
    ),
    gettext_noop("ple_layer_ids must list layer numbers"),
    gettext_noop(
        "ple_layer_ids names layer %(n_layer)s, which is no linear_attention layer of the "
        "%(n_layers)s (ids are one-indexed); transformers builds PLE on those only"
    ),
    gettext_noop(
        "every layer of this assistant reads the K/V its target model cached: it holds no "
        "KV cache of its own"
    ),
    gettext_noop("mlp_layer_types does not describe every layer; ignored"),
    gettext_noop(
        "block-sparse attention: each query of the %(n_layers)s minimax_m3_sparse layers "
        "attends to at most %(n_blocks)s blocks of %(n_size)s tokens its indexer picks; the KV "
        "cache holds the indexer's key too (%(n_dim)s per token and layer), and a decode step "
        "reads every indexer key but only those blocks' K/V"
    ),
    gettext_noop(
        "HRM-Text's two stacks of %(n_layers)s layers run %(n_runs)s times per token in all "
        "(H_cycles %(n_high)s × (L_cycles %(n_low)s + 1)): the layer pattern lists the "
        "%(n_total)s layer runs, each with its own KV cache and FLOPs; the parameters are "
        "counted once"
    ),
    gettext_noop(
        "num_layers_per_stack × H_cycles × (L_cycles + 1) is %(n_runs)s layer runs, over the "
        "%(n_max)s layers any real model has; fix the values in config.json."
    ),
    gettext_noop("attn_type_list does not give 0 or 1 for every layer; ignored"),
    # Inkling, Inkling-2 (Loop), Dory (axes/backbone/families/inkling.py, dory.py)
    gettext_noop("layer_types must give hybrid or hybrid_sliding for every layer"),
    gettext_noop("local_layer_ids must list layer indices"),
    gettext_noop("mlp_layer_types must give dense or sparse for every layer"),
    gettext_noop(
        "swa_num_attention_heads (%(n_heads)s) is not a multiple of swa_num_key_value_heads "
        "(%(n_kv)s)"
    ),
    gettext_noop(
        "loop_layer_index_start, loop_layer_index_end and loop_num_passes must name looped "
        "layers after the first among the %(n_layers)s layers, run at least once"
    ),
    gettext_noop(
        "loop_layer_index_start and loop_layer_index_end must be multiples of "
        "n_layers_per_attn_res_block"
    ),
    gettext_noop(
        "the looped layers make %(n_runs)s layer runs, over the %(n_max)s layers any real "
        "model has; fix the values in config.json."
    ),
    gettext_noop(
        "sliding-window layers have %(n_heads)s query heads, full layers %(n_full)s: the "
        "parameters follow each layer; the attention FLOPs use the full layers' count "
        "throughout"
    ),
    gettext_noop(
        "Inkling-2 Loop runs layers %(n_first)s-%(n_last)s %(n_passes)s times per token: "
        "the layer pattern lists the %(n_runs)s layer runs, each with its own KV cache, "
        "conv states and FLOPs; the parameters are counted once"
    ),
    gettext_noop(
        "n_input_layers + n_recurrent_layers + n_output_layers must equal num_hidden_layers"
    ),
    gettext_noop("n_recurrent_loops must be at least 1, not %(value)s"),
    gettext_noop("recurrent_kv_cache_mode must be per_loop or last_loop, not %(value)s"),
    gettext_noop("layer_types must give full_attention or sliding_attention for every layer"),
    gettext_noop(
        "n_recurrent_layers × n_recurrent_loops makes %(n_runs)s layer runs, over the "
        "%(n_max)s layers any real model has; fix the values in config.json."
    ),
    gettext_noop(
        "Dory runs its %(n_layers)s recurrent layers %(n_loops)s times per token: the layer "
        "pattern lists the %(n_runs)s layer runs, each with its FLOPs; the recurrent layers "
        "keep one KV cache each (recurrent_kv_cache_mode last_loop), written by the last "
        "loop and read by the earlier ones; the parameters are counted once"
    ),
    gettext_noop(
        "Dory runs its %(n_layers)s recurrent layers %(n_loops)s times per token: the layer "
        "pattern lists the %(n_runs)s layer runs, each with its own KV cache and FLOPs; the "
        "parameters are counted once"
    ),
    gettext_noop(
        "shared_intermediate_size is %(n_size)s: MiniMax-M1's remote code adds a shared expert "
        "that transformers' minimax does not build; the count leaves it out and is an estimate"
    ),
    gettext_noop("layer_types has an unknown entry, %(value)s (layer %(n_layer)s); ignored"),
    # families/_common.py per_layer_kinds: an entry that is no string (a list, an object)
    gettext_noop("%(path)s has an unknown entry, %(value)s (layer %(n_layer)s); ignored"),
    gettext_noop("layer_types is not read by modeling_%(module)s.py; ignored"),
    gettext_noop(
        "%(path)s = %(value)s is not read by modeling_%(module)s.py; counted as transformers "
        "builds the model"
    ),
    gettext_noop(
        "%(n_layers)s layers are marked sliding_attention, but use_sliding_window is false: "
        "transformers gives them no window, so they are counted as full attention"
    ),
    gettext_noop(
        "%(n_layers)s layers are marked sliding_attention, but there is no sliding_window: "
        "they are counted as full attention"
    ),
    gettext_noop(
        "no %(key)s in config.json: transformers' %(model_type)s default, %(n_value)s, is used"
    ),
    gettext_noop(
        "layer_types does not end with full_attention: transformers forces the last layer to "
        "full attention, and so does the engine"
    ),
    gettext_noop(
        "use_bidirectional_attention is 'all': the sliding layers' window is %(n_window)s "
        "tokens (sliding_window // 2 + 1), as transformers sets it"
    ),
    gettext_noop(
        "the towers of %(configs)s are not counted: the engine mirrors Gemma 4's text model "
        "only, so the totals are low"
    ),
    gettext_noop(
        "config.json has no text_config: for model_type %(model_type)s transformers builds the "
        "config class's default text model, not one from the top-level keys; counted from "
        "those keys as a Llama-style decoder, so every figure is an estimate"
    ),
    gettext_noop(
        "no tie_word_embeddings at the top of config.json: the lm_head is counted apart from "
        "the embedding, as Mistral 3 checkpoints store it and transformers loads them (a model "
        "built from this config alone would tie the two)"
    ),
    gettext_noop(
        "%(path)s gives layers settings the engine does not mirror (only the same head_dim and "
        "num_key_value_heads on every full-attention layer); counted with the first full "
        "layer's"
    ),
    gettext_noop(
        "%(path)s lists a width per layer; counted at their mean, %(n_width)s, in every layer"
    ),
    gettext_noop(
        "Gemma 3n's vision and audio towers and their embedders are not counted: the engine "
        "mirrors its text model only, so the totals are low"
    ),
    # axes.analysis, axes.jsonfile
    # axes.textfile (a card or config read from the Hub, an upload, a folder)
    gettext_noop(
        "%(name)s is not all %(encoding)s text: byte %(byte)s at position %(n_pos)s and any "
        "other unreadable bytes are shown as �; save the file as UTF-8 to read them"
    ),
    gettext_noop(
        "weights format from hf_quant_config.json (NVIDIA ModelOpt): %(algo)s; the checkpoint "
        "is calibrated for a %(kv)s KV cache (kv_cache_quant_algo)"
    ),
    gettext_noop("weights format from hf_quant_config.json (NVIDIA ModelOpt): %(algo)s"),
    gettext_noop(
        "%(name)s holds %(found)s (not JSON numbers; Python's json writes them): read as null "
        "(1 value)."
    ),
    gettext_noop(
        "%(name)s holds %(found)s (not JSON numbers; Python's json writes them): read as null "
        "(%(n_count)s values)."
    ),
    # catalog ingestion (artifact_text.py, cards.py, services.py)
    gettext_noop("%(name)s is %(n_total)s bytes, over the %(n_limit)s-byte limit: not read."),
    gettext_noop("%(name)s is %(n_total)s bytes; only the first %(n_limit)s bytes are kept."),
    gettext_noop("%(name)s holds a JSON %(kind)s, not an object."),
    gettext_noop("%(name)s holds a NUL character (\\u0000), which no model file has."),
    gettext_noop("The card metadata is over %(n_limit)s characters: not read."),
    gettext_noop("The card metadata is not valid YAML at line %(n_line)s: it is ignored."),
    gettext_noop("The card metadata is not valid YAML: it is ignored."),
    gettext_noop("The card metadata is not a YAML mapping: it is ignored."),
    gettext_noop("The analysis failed (%(error)s); the artifacts are stored."),
    gettext_noop("The repo has no config.json: the backbone cannot be read from it."),
    gettext_noop("Base model %(base)s was not ingested (%(error)s); see the logs."),
    gettext_noop("Base model %(base)s was not ingested: %(error)s"),
    gettext_noop("%(n_shards)s safetensors shards: only the first %(n_read)s headers were read."),
    gettext_noop("Safetensors header of %(name)s refused: %(error)s"),
    # profiler.core (measure.py, estimate.py): what the worker says about a run
    gettext_noop("random weights: generated tokens are meaningless; timing and memory are real."),
    gettext_noop(
        "MoE routing of random weights differs from the trained router: expert load is not "
        "the real one, so decode tokens/s may differ from the real checkpoint."
    ),
    gettext_noop("config.json has auto_map: ignored; the native transformers class is used."),
    gettext_noop("the model has too few layers to slice; measured in full instead."),
    gettext_noop(
        "quantization_config dropped: synthetic weights are plain %(dtype)s, so memory and "
        "speed are those of an unquantised model of the same shapes."
    ),
    gettext_noop(
        "extrapolated: built %(n_first)s and %(n_second)s of %(n_layers)s layers and "
        "extrapolated linearly per layer (parameters, memory, prefill ms, decode ms per token)."
    ),
    gettext_noop(
        "timing noise: the %(n_second)s-layer build's prefill was not slower than the "
        "%(n_first)s-layer build's, so no time per layer could be fitted: prefill ms is the "
        "%(n_first)s-layer build's, well below the whole model's. Measure again on an idle "
        "machine."
    ),
    gettext_noop(
        "timing noise: the %(n_second)s-layer build's decode was not slower than the "
        "%(n_first)s-layer build's, so no time per layer could be fitted: decode tokens/s is "
        "the %(n_first)s-layer build's, well above the whole model's. Measure again on an idle "
        "machine."
    ),
    gettext_noop("no roofline: %(reason)s."),
    gettext_noop("no static KV cache for this architecture (%(reason)s): dynamic cache used."),
    gettext_noop("not compiled: a compiled decode step needs the static KV cache."),
    gettext_noop(
        "%(dtype)s on this CPU (%(capability)s) has no native 16-bit arithmetic: each matmul "
        "is converted through float32, so a float32 run is usually faster here."
    ),
    gettext_noop("no analytic estimate: analyze_config failed (%(error)s)."),
    gettext_noop("no analytic estimate: axes.backbone is not importable (%(error)s)."),
    gettext_noop("no analytic estimate: axes.backbone has no analyze_config."),
    # the engine's refusals (axes.backbone ConfigError), shown where an upload is refused and
    # on the page of a stored model whose config the engine cannot read
    gettext_noop(
        "config.json has %(key)s: null (NaN and Infinity are read as null); the engine needs a "
        "number there to count parameters. Fix the value and retry."
    ),
    gettext_noop(
        "config.json has no %(keys)s; the engine needs it to count parameters. Add the key or "
        "analyze the model's original config.json."
    ),
    gettext_noop(
        "config.json must hold a JSON object, not %(kind)s. Check that you passed the model's "
        "config.json."
    ),
    gettext_noop("%(path)s must be a number, not %(value)s"),
    gettext_noop("%(path)s must be true or false, not %(value)s"),
    gettext_noop("%(path)s must be a list, not %(kind)s"),
    # families/_common.py layer_indices, hunyuan_v1_moe.py: a list entry that is no number
    gettext_noop(
        "%(path)s[%(n_index)s] is %(value)s, not a layer index: %(path)s lists layers by "
        "number (0 is the first). Fix it in config.json."
    ),
    gettext_noop(
        "%(path)s[%(n_index)s] is %(value)s, not a number of experts: %(path)s gives one per "
        "layer. Fix it in config.json."
    ),
    gettext_noop("%(path)s must be a JSON object, not %(kind)s"),
    gettext_noop("%(path)s must be an integer, not a boolean (%(value)s)"),
    gettext_noop(
        "%(path)s must be an integer, not %(value)s. Fix the value in config.json and retry."
    ),
    gettext_noop("%(path)s must not be negative, not %(value)s"),
    gettext_noop(
        "config.json describes %(n_total)s parameters, past any real model (at most "
        "%(n_max)s); check its sizes"
    ),
    gettext_noop(
        "config.json's sizes give impossible counts (total %(total)s, active %(active)s); "
        "check its sizes"
    ),
    gettext_noop("%(path)s must be positive, not %(value)s"),
    gettext_noop(
        "%(path)s = %(n_value)s is past any real model (at most %(n_limit)s); fix the value in "
        "config.json"
    ),
    gettext_noop("attention head counts must not be negative"),
    gettext_noop(
        "%(path)s must be a whole number of bits from 1 to 16, not %(value)s; fix the value in "
        "config.json"
    ),
    gettext_noop(
        "%(path)s must be a positive number of weights (or -1: one group per output channel), "
        "not %(value)s; fix the value in config.json"
    ),
    gettext_noop(
        "%(path)s must be two positive sizes, such as [128, 128], not %(value)s; fix the value "
        "in config.json"
    ),
    # compressed-tensors' targets and ignore (axes.backbone.quantization._patterns)
    gettext_noop(
        "%(path)s must be a list of module names, class names or re: patterns, not %(value)s; "
        "fix the value in config.json"
    ),
    # axes.backbone.report: config_groups placed on the linears (axes.backbone.quant_targets)
    gettext_noop(
        "compressed-tensors config_groups not placed on this model's linears (%(why)s): the "
        "stored weights are sized by the first scheme over every decoder linear"
    ),
    gettext_noop(
        "compressed-tensors config_groups placed on this model's linears but its routed "
        "experts (%(why)s): the experts are sized by the first scheme"
    ),
    gettext_noop(
        "the vision tower's linears are counted at 16 bits, though a config_groups target "
        "matches them"
    ),
    # axes.backbone.report: a safetensors header's dtype safetensors does not define
    gettext_noop(
        "unknown safetensors dtype %(dtype)s (%(n_tensors)s tensors, the first %(name)s): "
        "safetensors defines no such dtype, so its bytes per element and any packing are "
        "unknown; each of its %(n_elements)s elements is counted as one number"
    ),
    # compressed-tensors' and ModelOpt's group sizes (no -1 there)
    gettext_noop(
        "%(path)s must be a positive number of weights, not %(value)s; fix the value in config.json"
    ),
    gettext_noop("%(path)s must be positive for a model with attention layers, not %(value)s"),
    gettext_noop(
        "the layer pattern has %(n_entries)s entries but the config says %(n_layers)s layers; "
        "fix layer_types / the hybrid pattern in config.json"
    ),
    gettext_noop(
        "%(path)s is %(n_layers)s, over the %(n_max)s layers any real model has; fix the "
        "value in config.json."
    ),
    # families/gpt_neo.py: attention_types as GPTNeoConfig expands and checks it
    gettext_noop(
        "attention_types must be a list of [layer kinds, repeats] pairs, such as "
        '[[["global", "local"], 12]]; fix it in config.json'
    ),
    gettext_noop(
        "attention_types names the layer kind %(kind)s; transformers builds only global and "
        "local layers. Fix attention_types in config.json."
    ),
    gettext_noop(
        "attention_types gives %(n_layers)s layers but num_layers is %(n_num)s (transformers "
        "refuses such a config); fix attention_types or num_layers in config.json"
    ),
    # %(path)s: num_key_value_heads, or text_config.num_key_value_heads under a wrapper
    gettext_noop("num_attention_heads (%(n_heads)s) is not a multiple of %(path)s (%(n_kv)s)"),
    gettext_noop(
        "num_attention_heads (%(n_heads)s) is not a multiple of %(path)s (%(n_kv)s): "
        "config.json has no %(path)s, and %(n_kv)s is its config class's default. "
        "Add the key to config.json."
    ),
    gettext_noop(
        "hybrid_override_pattern has unknown block letters %(letters)s; expected M, *, -, E"
    ),
    gettext_noop("unknown Nemotron-H block type %(kind)s"),
    gettext_noop("unknown Granite 4 layer type %(kind)s; expected mamba or attention"),
    gettext_noop("moe_topk differs between layers (%(values)s); active parameters use the largest"),
    gettext_noop(
        "moe_topk differs between layers (%(values)s): experts_per_token shows the largest; "
        "active parameters count each layer's own"
    ),
    gettext_noop(
        "a nemotron_h config needs hybrid_override_pattern or layers_block_type to say which "
        "block is Mamba, attention, MLP or MoE"
    ),
    gettext_noop(
        "layer_types names a layer that is neither sliding_attention nor full_attention, the "
        "two %(model)s has. Fix layer_types in config.json."
    ),
    gettext_noop(
        "sliding_window is null, but %(model)s's sliding layers need a window (transformers "
        "refuses a null one). Set sliding_window in config.json."
    ),
    gettext_noop(
        "%(path)s must map layer indices to objects of settings, as transformers writes it; "
        "fix it in config.json."
    ),
    gettext_noop(
        "%(path)s is %(n_value)s, more than the model's %(n_layers)s layers; fix it in config.json."
    ),
    gettext_noop(
        "%(path)s is %(n_value)s: a layer type of the last %(n_shared)s layers then has no "
        "earlier layer to take its K/V from (transformers refuses this config); fix "
        "num_kv_shared_layers or layer_types."
    ),
    gettext_noop(
        "%(path)s must be an integer or a list of integers, one per layer; fix it in config.json."
    ),
    gettext_noop(
        "%(path)s has %(n_count)s entries for %(n_layers)s layers; transformers needs one per "
        "layer. Fix it in config.json."
    ),
    gettext_noop(
        "%(path)s (%(n_lru)s) is not a multiple of num_attention_heads (%(n_heads)s): the RG-LRU "
        "splits it into one block per head, and transformers cannot run such a model. Fix it in "
        "config.json."
    ),
    gettext_noop(
        "%(path)s (%(n_count)s entries, repeated at most %(n_times)s times as transformers does) "
        "does not cover the model's %(n_layers)s layers; fix it in config.json."
    ),
    gettext_noop(
        "tie_word_embeddings is false: transformers then ties none of the %(n_layers)s hybrid "
        "layers' shared transformer blocks, so each holds its own copy (counted so)"
    ),
    gettext_noop(
        "tie_word_embeddings is true, but modeling_%(module)s.py ties no weights: the lm_head is "
        "counted apart from the input embedding"
    ),
    # axes.backbone.families.gemma
    gettext_noop(
        "config.json has no vision_config: transformers builds Gemma 3's default vision "
        "tower (a SigLIP of 12 layers, hidden size 768), counted as such"
    ),
    # axes.backbone.families.got_ocr2
    gettext_noop(
        "config.json has no text_config: transformers builds GOT-OCR 2's default text "
        "model (a Qwen2 of 24 layers, hidden size 1,024), counted as such"
    ),
    # axes.backbone.families.mllama / moshi
    gettext_noop(
        "config.json has no text_config: transformers builds MllamaTextConfig's default text "
        "model, whatever the top-level keys say; counted so"
    ),
    gettext_noop(
        "the %(n_layers)s cross-attention layers attend to the image, not to the text: their K/V "
        "are cached once per image (%(n_tokens)s image tokens, %(n_bytes)s bytes in bf16) and are "
        "not in the KV cache per token, nor their attention over them in the FLOPs; a prompt without "
        "an image skips these layers"
    ),
    gettext_noop(
        "the depth decoder and the Mimi audio encoder of MoshiForConditionalGeneration are not "
        "built by AutoModelForCausalLM: only the text decoder is counted"
    ),
    gettext_noop("%(path)s must be even (fc1 holds the gate and the up half), not %(n_value)s"),
    gettext_noop(
        "the recurrent state per sequence is what modeling_rwkv.py keeps: five hidden-size "
        "vectors per layer, the time-mix's and the channel-mix's last input (the model's dtype, "
        "counted as conv state) and the WKV numerator, denominator and running maximum (float32)"
    ),
    gettext_noop(
        "add_cross_attention is true: each layer's cross-attention (encoder_attn and its norm) "
        "is counted in the parameters; its K/V over the encoder's tokens is not in the KV "
        "figures"
    ),
    gettext_noop(
        "model_type 'blt' (Byte Latent Transformer) is four transformers in one model: an "
        "entropy patcher, a local encoder and a local decoder that run on every byte, and a "
        "global transformer that runs once per patch, joined by cross-attention "
        "(patcher_config, encoder_config, global_config, decoder_config). The engine "
        "describes one decoder stack and cannot count this model."
    ),
    gettext_noop(
        "model_type %(model_type)s is an XLM model (emb_dim, n_layers, n_heads): a "
        "transformer trained as a masked language model, with language embeddings and an "
        "optional adaptive-softmax head (modeling_xlm.py), which the engine does not count. "
        "Analyze a decoder-only model instead."
    ),
    gettext_noop(
        "config.json describes an encoder-decoder model or its decoder (%(keys)s), not one "
        "decoder-only stack with num_hidden_layers; the engine counts decoder-only models and "
        "cannot count this one."
    ),
    gettext_noop(
        "%(path)s (%(n_hidden)s) is not a multiple of %(heads)s (%(n_heads)s): transformers "
        "refuses such a model. Fix it in config.json."
    ),
    # a JSON file that does not parse (catalog.artifact_text, axes.analysis)
    gettext_noop("%(name)s is not valid JSON: %(detail)s at line %(n_line)s, column %(n_col)s."),
    gettext_noop("%(name)s is not valid JSON: %(detail)s at line %(n_line)s, column %(n_col)s"),
    # catalog.services._shard_names: an index whose shards cannot be read
    gettext_noop("model.safetensors.index.json has no weight_map object: its shards are not read."),
    gettext_noop(
        "model.safetensors.index.json: %(n_bad)s of its weight_map entries name no "
        ".safetensors file (such as %(example)s): they are not read."
    ),
    gettext_noop(
        "model.safetensors.index.json names shards the repo does not have (%(names)s): their "
        "headers are not read."
    ),
    gettext_noop(
        "The safetensors header of %(name)s lists no tensors (a file cut short, or no "
        "checkpoint): the checkpoint's figures are not read from it."
    ),
    # axes.classify.artifacts: a card past CARD_MAX_STATEMENTS
    gettext_noop(
        "README.md has more than %(n_max)s statements: only the first %(n_read)s are read."
    ),
    # JSON that parses but cannot be used (axes.jsonfile's refusals)
    gettext_noop("%(name)s is nested too deeply to be a model file."),
    gettext_noop("%(name)s is nested too deeply to be a model file"),
    gettext_noop("%(name)s is not usable JSON: %(value)s is too large for a number."),
    gettext_noop("%(name)s is not usable JSON: %(value)s is too large for a number"),
    gettext_noop("%(name)s is not usable JSON: %(value)s is not a JSON number."),
    # a closed model's stored report (manage.py analyze: "Backbone: not analyzed (...)")
    gettext_noop("a closed model: the vendor publishes no config.json"),
)

# What Python's json module says is wrong where a file does not parse (``exc.msg``, the
# ``%(detail)s`` of the "is not valid JSON" notes): shown in the page's language too.
# the reason inside "compressed-tensors config_groups not placed on this model's linears
# (%(why)s)": axes.backbone.quant_targets.WHY_NOT_PLACED
QUANT_NOT_PLACED: dict[str, str] = {
    "a config group without targets": gettext_noop("a config group without targets"),
    "an re: pattern that could take very long to match": gettext_noop(
        "an re: pattern that could take very long to match"
    ),
    "linear weights beyond attention, MLP and experts": gettext_noop(
        "linear weights beyond attention, MLP and experts"
    ),
    "layers whose module names the engine does not know": gettext_noop(
        "layers whose module names the engine does not know"
    ),
    "a target or ignore entry that is a class name other than Linear": gettext_noop(
        "a target or ignore entry that is a class name other than Linear"
    ),
    "routed experts in fused 3D tensors, whose quantized layout is not settled": gettext_noop(
        "routed experts in fused 3D tensors, whose quantized layout is not settled"
    ),
}

JSON_ERROR_DETAILS: dict[str, str] = {
    "Expecting value": gettext_noop("Expecting value"),
    "Expecting property name enclosed in double quotes": gettext_noop(
        "Expecting property name enclosed in double quotes"
    ),
    "Expecting ',' delimiter": gettext_noop("Expecting ',' delimiter"),
    "Expecting ':' delimiter": gettext_noop("Expecting ':' delimiter"),
    "Extra data": gettext_noop("Extra data"),
    "Unterminated string starting at": gettext_noop("Unterminated string starting at"),
    "Invalid control character at": gettext_noop("Invalid control character at"),
    "Invalid \\uXXXX escape": gettext_noop("Invalid \\uXXXX escape"),
    "Illegal trailing comma before end of object": gettext_noop(
        "Illegal trailing comma before end of object"
    ),
    "Illegal trailing comma before end of array": gettext_noop(
        "Illegal trailing comma before end of array"
    ),
}

_COMPILED: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (note_pattern(t), t) for t in NOTE_TEMPLATES
)


def note_match(text: str) -> tuple[str, dict[str, str]] | None:
    """(template, values) of the first template the note is, or None."""
    for pattern, template in _COMPILED:
        m = pattern.fullmatch(text)
        if m is not None:
            return template, m.groupdict()
    return None


def _integer(text: str) -> str:
    """As the page writes a fact's integer: long ones grouped, config-sized ones (4096) as
    configs write them; in the sentence's language (de: 131.072)."""
    from catalog.templatetags.mechanic import _plain

    return _plain(int(text.replace(",", "")), prose=True)


@lru_cache(maxsize=2048)
def _translated(text: str, language: str) -> str:
    from django.utils.translation import gettext as _

    hit = note_match(text)
    if hit is None:
        return text
    template, values = hit
    out = {k: _integer(v) if k.startswith("n_") else v for k, v in values.items()}
    if out.get("detail") in JSON_ERROR_DETAILS:
        out["detail"] = _(JSON_ERROR_DETAILS[out["detail"]])
    if out.get("why") in QUANT_NOT_PLACED:
        out["why"] = _(QUANT_NOT_PLACED[out["why"]])
    return _(template) % out


def note_l10n(note: Any) -> str:
    """A stored note in the active language (as written when no template matches)."""
    from django.utils.translation import get_language

    text = str(note)
    language = get_language() or "en"
    if language.startswith("en"):
        return text
    return _translated(text, language)


# The engine's layer summary ("28 sliding + 7 full, the last 15 reusing earlier layers' K/V ·
# 35 MLP", axes.backbone.layers._summary): counts and technical labels (GQA, MLA, sliding,
# full, short conv, Mamba-2, MLP, MoE) stay as the course writes them; the few words of prose
# between them are shown in the page's language.
SUMMARY_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r", the last one reusing an earlier layer's K/V"),
        gettext_noop(", the last one reusing an earlier layer's K/V"),
    ),
    (
        re.compile(r", the last (?P<n>\d[\d,]*) reusing earlier layers' K/V"),
        gettext_noop(", the last %(n)s reusing earlier layers' K/V"),
    ),
    (
        re.compile(r"(?P<variant>[\w-]+) with Mamba-2 in parallel"),
        gettext_noop("%(variant)s with Mamba-2 in parallel"),
    ),
    (re.compile(r"MoE with an MLP in parallel"), gettext_noop("MoE with an MLP in parallel")),
    (  # DeepSeek-V4's compressed attention (axes.backbone.layers.COMPRESSED_LABELS)
        re.compile(r", (?P<n>\d[\d,]*) adding (?P<kind>CSA|HCA)"),
        gettext_noop(", %(n)s adding %(kind)s"),
    ),
    (  # Zamba / Zamba2's hybrid layers (axes.backbone.layers.MIXER_LABELS)
        re.compile(r"(?P<kind>Mamba(?:-2)?) with the shared transformer block"),
        gettext_noop("%(kind)s with the shared transformer block"),
    ),
)


def layer_summary_l10n(summary: Any) -> str:
    """An engine layer summary in the active language: its prose translated, the counts and
    block names as written (English pages, and summaries without prose, unchanged)."""
    from django.utils.translation import get_language
    from django.utils.translation import gettext as _

    text = str(summary if summary is not None else "")
    language = get_language() or "en"
    if language.startswith("en") or not text:
        return text
    for pattern, template in SUMMARY_PHRASES:
        text = pattern.sub(
            lambda m, t=template: _(t) % {k: v for k, v in m.groupdict().items()}, text
        )
    return text
