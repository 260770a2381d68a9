"""Emu3 (``modeling_emu3.py``): AutoModelForCausalLM builds Emu3ForCausalLM, the text model of
``text_config`` (``emu3_text_model``: the llama block, read by families/llama.py), whose
lm_head ties by text_config's ``tie_word_embeddings``. The VQ-VAE image tokenizer
(``vq_config``) is part of Emu3ForConditionalGeneration only: not built, not counted.
"""

from __future__ import annotations

from axes.backbone.families._wrapper import has_text_config, read_text_model
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("emu3",)


def read(view: ConfigView) -> ArchSpec:
    spec = read_text_model(view, "emu3_text_model")
    if has_text_config(view):
        view.notes.append(
            "the VQ-VAE image tokenizer (vq_config) is not counted: AutoModelForCausalLM builds "
            "the text model only"
        )
    return spec
