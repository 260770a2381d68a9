"""The backbone engine (axis 1): config.json -> spec, parameters, memory, compute, facts.

Framework-free: imports no Django, no torch and does no I/O. Public API:

- ``analyze_config(config, *, safetensors_index=None, safetensors_headers=None,
  model_info=None, context_len=None, batch=1, kv_dtype="bf16") -> dict``
- ``normalize(config) -> ArchSpec`` (``ArchSpec.to_dict()`` has family-independent keys)
- ``backbone_facts(config, report) -> list[Fact]``
- ``GPUS``: the accelerators memory and roofline figures are computed for
"""

from __future__ import annotations

from axes.backbone.errors import BackboneError, ConfigError
from axes.backbone.facts import backbone_facts
from axes.backbone.gpus import GPU, GPUS, gpu_get
from axes.backbone.report import analyze_config
from axes.backbone.spec import ArchSpec, normalize

__all__ = [
    "GPU",
    "GPUS",
    "ArchSpec",
    "BackboneError",
    "ConfigError",
    "analyze_config",
    "backbone_facts",
    "gpu_get",
    "normalize",
]
