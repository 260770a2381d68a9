"""Typed measurement failures. Each carries a short ``code`` and a message a user can act on.

The common ones are built from a template (``MESSAGES``, English, ``%(name)s`` placeholders)
and keep it as ``detail``, ``{"key": ..., "params": {...}}``: the worker stores it next to the
message, and the page (``profiler.error_detail``, which holds the same templates as gettext
msgids) says the failure in its own language with the same numbers, names and GPU. A parameter
may itself be a detail (a phrase the failure chose). No Django here: the templates are plain.
"""

from __future__ import annotations

from typing import Any, Self

Detail = dict[str, Any]

# A device as a sentence names it ("out of host memory ... on CPU"), in every language: the
# option's value ("cpu") lowercased inside a sentence read as a typo ("auf cpu"). The run
# page's Device column uses the same labels (profiler.models.MeasurementRun.Device).
DEVICE_LABELS: dict[str, str] = {"cpu": "CPU", "cuda": "CUDA GPU"}


def device_label(device: str) -> str:
    """ "cpu" -> "CPU", "cuda" -> "CUDA GPU"; another name as written."""
    return DEVICE_LABELS.get(device, device)


MESSAGES: dict[str, str] = {
    # out of memory (profiler.core.measure)
    "oom_cuda": (
        "CUDA out of memory: the model %(need)s in %(dtype)s (weights + KV cache), %(have)s. "
        "Try sliced mode, a smaller batch or context, or a bigger GPU."
    ),
    "oom_need_about": "needs about %(size)s",
    "oom_need_unknown": "needs more memory than is free",
    "oom_gpu": "this GPU",
    "oom_gpu_has": "this GPU has %(size)s",
    "oom_gpu_has_free": "this GPU has %(size)s, of which %(free)s was free when the run started",
    "oom_gpu_has_free_activations": (
        "this GPU has %(size)s, of which %(free)s was free when the run started (the rest went "
        "to activations, or to other processes on the GPU)"
    ),
    "oom_gpu_has_free_others": (
        "this GPU has %(size)s, of which %(free)s was free when the run started (other "
        "processes hold the rest)"
    ),
    "oom_host": (
        "out of host memory: the model %(need)s in %(dtype)s (weights + KV cache) on "
        "%(device)s. Try sliced mode, a smaller batch or context, or a machine with more memory."
    ),
    "oom_host_available": (
        "out of host memory: the model %(need)s in %(dtype)s (weights + KV cache) on "
        "%(device)s, and this machine has %(available)s available. Try sliced mode, a smaller "
        "batch or context, or a machine with more memory."
    ),
    "oom_host_float32": (
        "out of host memory: the model %(need)s in %(dtype)s (weights + KV cache) on "
        "%(device)s. Try sliced mode, bfloat16 instead of float32, a smaller batch or context, "
        "or a machine with more memory."
    ),
    "oom_host_available_float32": (
        "out of host memory: the model %(need)s in %(dtype)s (weights + KV cache) on "
        "%(device)s, and this machine has %(available)s available. Try sliced mode, bfloat16 "
        "instead of float32, a smaller batch or context, or a machine with more memory."
    ),
    "oom_host_checkpoint": (
        "out of host memory: the checkpoint's weights take about %(need)s in %(dtype)s, and are "
        "loaded into host memory before they go to the GPU; this machine has %(available)s "
        "available. Try --mode synthetic (random weights built on the GPU) or --mode sliced, or "
        "a machine with more memory."
    ),
    # refused checkpoints and code (profiler.core.folder, measure)
    "pickle_folder": (
        "this folder only has pickle checkpoints (%(names)s); Mechanic never unpickles weights. "
        "Convert them to safetensors, or measure with --mode synthetic (random weights of the "
        "same shapes)."
    ),
    "remote_code": (
        "model_type %(model_type)s is only available as remote code (auto_map in "
        "config.json); Mechanic never runs code from a model repo. Measure a model whose "
        "architecture ships with transformers."
    ),
    "shard_escapes": "the shard %(name)s resolves outside the model folder.",
    # architectures transformers cannot build or run
    "arch_unknown": (
        "model_type %(model_type)s is not supported by the installed transformers "
        "%(version)s; upgrade transformers on the worker, or measure another model."
    ),
    "arch_not_causal_lm": (
        "model_type %(model_type)s has no causal-LM class in transformers %(version)s; only "
        "text-generation models can be timed."
    ),
    "arch_no_layers": "config.json has no num_hidden_layers; cannot slice it.",
    "arch_build_failed": (
        "transformers %(version)s could not build or run this model (%(error)s). Upgrade "
        "transformers on the worker, or try --mode synthetic."
    ),
    "torch_failed": "the measurement failed inside torch (%(error)s)",
    "quantization_package": (
        "the checkpoint is quantized (%(method)s) and transformers needs a package this worker "
        "lacks (%(error)s). Install it on the worker, or try --mode synthetic (the same shapes, "
        "unquantized)."
    ),
    # the device
    "cuda_missing": (
        "CUDA was requested but torch sees no GPU on this worker; run it on a GPU worker "
        "(queue gpu) or choose the device CPU."
    ),
    # requests that cannot be measured as asked
    "length_over_max": (
        "prompt_len + new_tokens = %(length)s exceeds max_position_embeddings = %(max)s; use "
        "shorter lengths."
    ),
    "bf16_unsupported": (
        "%(gpu)s (compute capability %(capability)s) has no native bfloat16: it would be "
        "emulated and timed far below the GPU's speed. Use --dtype float16 (or float32) on this "
        "GPU; bfloat16 needs compute capability 8.0 or newer (A100, H100, L4, ...)."
    ),
    "no_safetensors": (
        "%(folder)s has no *.safetensors files; use --mode synthetic to time random weights of "
        "the same shapes."
    ),
    "no_config": "%(folder)s has no config.json; a measurement needs the model config.",
    "config_unmeasurable": (
        "config.json cannot be measured: %(reason)s. transformers would fill the gap with its "
        "own defaults and time another model."
    ),
    "config_refused": (
        "transformers refuses config.json: %(error)s. Fix that value in config.json and measure "
        "again."
    ),
    "shape_mismatch": (
        "the checkpoint's tensor shapes do not match its config.json: they come from different "
        "models or revisions (%(error)s)"
    ),
    "safetensors_invalid": (
        "a .safetensors file of this checkpoint is not valid safetensors (%(error)s); download "
        "it again"
    ),
}


def message_render(detail: Detail) -> str:
    """A detail in English, nested details first; KeyError for an unknown key or parameter."""
    values = {
        name: message_render(value) if isinstance(value, dict) else value
        for name, value in detail.get("params", {}).items()
    }
    return MESSAGES[detail["key"]] % values


class ProfilerError(Exception):
    """A measurement that cannot run; ``str(error)`` is the user-facing message, ``detail``
    its template key and parameters (None for messages written without a template)."""

    code = "error"

    def __init__(self, message: str, *, detail: Detail | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    @classmethod
    def of(cls, key: str, **params: Any) -> Self:
        """The error for the template ``key`` of MESSAGES, filled with ``params``."""
        found = {"key": key, "params": params}
        return cls(message_render(found), detail=found)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "detail": self.detail}


class OutOfMemory(ProfilerError):
    code = "out_of_memory"


class ArchitectureNotSupported(ProfilerError):
    code = "architecture_not_supported"


class PickleCheckpointRefused(ProfilerError):
    code = "pickle_refused"


class RemoteCodeRefused(ProfilerError):
    code = "remote_code_refused"


class UnsafeCheckpointPath(ProfilerError):
    code = "unsafe_path"


class InvalidRequest(ProfilerError):
    code = "invalid_request"


class DeviceUnavailable(ProfilerError):
    code = "device_unavailable"


class QuantizationUnsupported(ProfilerError):
    """A quantized checkpoint whose format needs a package the worker lacks
    (compressed-tensors, bitsandbytes, AWQ / GPTQ kernels)."""

    code = "quantization_unsupported"


ERROR_TYPES: dict[str, type[ProfilerError]] = {
    cls.code: cls
    for cls in (
        ProfilerError,
        OutOfMemory,
        ArchitectureNotSupported,
        PickleCheckpointRefused,
        RemoteCodeRefused,
        UnsafeCheckpointPath,
        InvalidRequest,
        DeviceUnavailable,
        QuantizationUnsupported,
    )
}


def error_from_dict(data: dict[str, Any]) -> ProfilerError:
    cls = ERROR_TYPES.get(data.get("code", ""), ProfilerError)
    return cls(data.get("message", "the measurement failed"), detail=data.get("detail"))
