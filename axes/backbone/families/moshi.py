"""Moshi (``moshi``: kyutai's speech-text model): ``modeling_moshi.py`` MoshiForCausalLM, what
AutoModelForCausalLM builds for a Moshi config: the text decoder only (MoshiModel and an
lm_head). MoshiForConditionalGeneration's depth decoder (``depth_decoder_config``) and Mimi
audio encoder (``audio_encoder_config``) are not built, and not counted.

MoshiModel: ``embed_tokens`` of vocab_size + 1 rows (a padding row); per layer MoshiAttention
(q/k/v/o, no biases; ``head_dim`` or hidden // heads, K/V heads num_key_value_heads or
every head), MoshiGatingMLP (``fc1`` hidden -> ffn_dim, the gate and the up halves fused,
``fc2`` ffn_dim / 2 -> hidden, no biases: a SwiGLU of ffn_dim / 2), two RMSNorms; a final
norm. The lm_head (vocab_size rows) is never tied: MoshiForCausalLM declares no tied weights.
``sliding_window`` is stored on each layer but never applied by the attention: every layer
attends to the whole context.
"""

from __future__ import annotations

from axes.backbone.errors import ConfigError
from axes.backbone.families._common import build, header, read_core, read_rope, uniform_attention
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("moshi",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "moshi")
    core = read_core(view, family="moshi", tie_default=False, max_pos_default=3000)
    read_rope(view, core)
    view.notes[:] = [n for n in view.notes if "intermediate_size" not in n]
    view.sources.pop("intermediate_size", None)
    ffn = view.int("ffn_dim", default=22528, field_name="intermediate_size")
    if ffn % 2:  # configuration_moshi.py validate_architecture
        path = view.sources.get("intermediate_size", "ffn_dim")
        raise ConfigError(f"{path} must be even (fc1 holds the gate and the up half), not {ffn}")
    core["intermediate_size"] = ffn // 2
    if core["tied_embeddings"]:
        view.notes.append(
            "tie_word_embeddings is true, but modeling_moshi.py ties no weights: the lm_head is "
            "counted apart from the input embedding"
        )
    core["tied_embeddings"] = False
    if view.raw.get("depth_decoder_config") or view.raw.get("audio_encoder_config"):
        view.notes.append(
            "the depth decoder and the Mimi audio encoder of MoshiForConditionalGeneration are "
            "not built by AutoModelForCausalLM: only the text decoder is counted"
        )
    h = core["hidden_size"]
    return build(
        {**core, **head},
        layers_from(uniform_attention(view, core["num_layers"], module="moshi"), "mlp"),
        layer_extras=[(None, "embeddings", h, 0)],  # embed_tokens' padding row
        lookup_params=h,
    )
