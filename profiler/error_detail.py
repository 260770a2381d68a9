"""A failed run's detail in the page's language (see ``catalog.error_detail``).

``PROFILER_DETAILS`` holds the templates of ``profiler.core.errors.MESSAGES`` as gettext msgids
(the core has no Django; a test checks that both say the same in English) and those of the
worker's and the reaper's own messages (``profiler.services``). A run that failed on the Hub
(checkpoint mode) carries a ``hub.*`` key of ``catalog.error_detail.CATALOG_DETAILS``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop, ngettext_lazy

from catalog.error_detail import CATALOG_DETAILS, Detail, detail, detail_render

# profiler.core.errors.MESSAGES, word for word
CORE_DETAILS: dict[str, Any] = {
    "oom_cuda": gettext_noop(
        "CUDA out of memory: the model %(need)s in %(dtype)s (weights + KV cache), %(have)s. "
        "Try sliced mode, a smaller batch or context, or a bigger GPU."
    ),
    "oom_need_about": gettext_noop("needs about %(size)s"),
    "oom_need_unknown": gettext_noop("needs more memory than is free"),
    "oom_gpu": gettext_noop("this GPU"),
    "oom_gpu_has": gettext_noop("this GPU has %(size)s"),
    "oom_gpu_has_free": gettext_noop(
        "this GPU has %(size)s, of which %(free)s was free when the run started"
    ),
    "oom_gpu_has_free_activations": gettext_noop(
        "this GPU has %(size)s, of which %(free)s was free when the run started (the rest went "
        "to activations, or to other processes on the GPU)"
    ),
    "oom_gpu_has_free_others": gettext_noop(
        "this GPU has %(size)s, of which %(free)s was free when the run started (other "
        "processes hold the rest)"
    ),
    "oom_host": gettext_noop(
        "out of host memory: the model %(need)s in %(dtype)s (weights + KV cache) on "
        "%(device)s. Try sliced mode, a smaller batch or context, or a machine with more memory."
    ),
    "oom_host_available": gettext_noop(
        "out of host memory: the model %(need)s in %(dtype)s (weights + KV cache) on "
        "%(device)s, and this machine has %(available)s available. Try sliced mode, a smaller "
        "batch or context, or a machine with more memory."
    ),
    "oom_host_float32": gettext_noop(
        "out of host memory: the model %(need)s in %(dtype)s (weights + KV cache) on "
        "%(device)s. Try sliced mode, bfloat16 instead of float32, a smaller batch or context, "
        "or a machine with more memory."
    ),
    "oom_host_available_float32": gettext_noop(
        "out of host memory: the model %(need)s in %(dtype)s (weights + KV cache) on "
        "%(device)s, and this machine has %(available)s available. Try sliced mode, bfloat16 "
        "instead of float32, a smaller batch or context, or a machine with more memory."
    ),
    "oom_host_checkpoint": gettext_noop(
        "out of host memory: the checkpoint's weights take about %(need)s in %(dtype)s, and are "
        "loaded into host memory before they go to the GPU; this machine has %(available)s "
        "available. Try --mode synthetic (random weights built on the GPU) or --mode sliced, or "
        "a machine with more memory."
    ),
    "pickle_folder": gettext_noop(
        "this folder only has pickle checkpoints (%(names)s); Mechanic never unpickles weights. "
        "Convert them to safetensors, or measure with --mode synthetic (random weights of the "
        "same shapes)."
    ),
    "remote_code": gettext_noop(
        "model_type %(model_type)s is only available as remote code (auto_map in "
        "config.json); Mechanic never runs code from a model repo. Measure a model whose "
        "architecture ships with transformers."
    ),
    "shard_escapes": gettext_noop("the shard %(name)s resolves outside the model folder."),
    "arch_unknown": gettext_noop(
        "model_type %(model_type)s is not supported by the installed transformers "
        "%(version)s; upgrade transformers on the worker, or measure another model."
    ),
    "arch_not_causal_lm": gettext_noop(
        "model_type %(model_type)s has no causal-LM class in transformers %(version)s; only "
        "text-generation models can be timed."
    ),
    "arch_no_layers": gettext_noop("config.json has no num_hidden_layers; cannot slice it."),
    "arch_build_failed": gettext_noop(
        "transformers %(version)s could not build or run this model (%(error)s). Upgrade "
        "transformers on the worker, or try --mode synthetic."
    ),
    "torch_failed": gettext_noop("the measurement failed inside torch (%(error)s)"),
    "quantization_package": gettext_noop(
        "the checkpoint is quantized (%(method)s) and transformers needs a package this worker "
        "lacks (%(error)s). Install it on the worker, or try --mode synthetic (the same shapes, "
        "unquantized)."
    ),
    "cuda_missing": gettext_noop(
        "CUDA was requested but torch sees no GPU on this worker; run it on a GPU worker "
        "(queue gpu) or choose the device CPU."
    ),
    "length_over_max": gettext_noop(
        "prompt_len + new_tokens = %(length)s exceeds max_position_embeddings = %(max)s; use "
        "shorter lengths."
    ),
    "bf16_unsupported": gettext_noop(
        "%(gpu)s (compute capability %(capability)s) has no native bfloat16: it would be "
        "emulated and timed far below the GPU's speed. Use --dtype float16 (or float32) on this "
        "GPU; bfloat16 needs compute capability 8.0 or newer (A100, H100, L4, ...)."
    ),
    "no_safetensors": gettext_noop(
        "%(folder)s has no *.safetensors files; use --mode synthetic to time random weights of "
        "the same shapes."
    ),
    "no_config": gettext_noop(
        "%(folder)s has no config.json; a measurement needs the model config."
    ),
    "config_unmeasurable": gettext_noop(
        "config.json cannot be measured: %(reason)s. transformers would fill the gap with its "
        "own defaults and time another model."
    ),
    "config_refused": gettext_noop(
        "transformers refuses config.json: %(error)s. Fix that value in config.json and measure "
        "again."
    ),
    "shape_mismatch": gettext_noop(
        "the checkpoint's tensor shapes do not match its config.json: they come from different "
        "models or revisions (%(error)s)"
    ),
    "safetensors_invalid": gettext_noop(
        "a .safetensors file of this checkpoint is not valid safetensors (%(error)s); download "
        "it again"
    ),
}

# profiler.services: the worker, the reaper and the enqueue write these themselves
SERVICE_DETAILS: dict[str, Any] = {
    "run.time_limit": gettext_noop(
        "The measurement ran over its time limit of %(limit)s and was "
        "stopped. Try fewer tokens, mode sliced, or a faster device."
    ),
    "run.crashed": gettext_noop("The measurement process ended without a result: %(reason)s."),
    "run.killed_by_signal": gettext_noop(
        "it was killed by signal %(sig)d (often: out of host memory)"
    ),
    "run.exit_status": gettext_noop(
        "it exited with status %(code)s; the worker's log has its traceback"
    ),
    "run.worker_lost": gettext_noop(
        "The worker stopped responding (no heartbeat for %(s)s) after %(n)d "
        "attempt(s): it probably crashed or ran out of memory. Try a smaller "
        "measurement or check the GPU worker."
    ),
    "run.requeued": gettext_noop("The worker stopped responding; the run was queued again."),
    "run.not_picked_up": ngettext_lazy(
        "No worker picked this run up within %(minutes)d minute: is a worker for the "
        "`gpu` queue running? Start one (celery -A mechanic worker -Q gpu --concurrency "
        "1 --prefetch-multiplier 1), then ask again.",
        "No worker picked this run up within %(minutes)d minutes: is a worker for the "
        "`gpu` queue running? Start one (celery -A mechanic worker -Q gpu --concurrency "
        "1 --prefetch-multiplier 1), then ask again.",
        "minutes",
    ),
    "run.broker_unreachable": gettext_noop(
        "The job queue is unreachable (broker at %(broker)s): %(reason)s. Start Redis or "
        "set CELERY_BROKER_URL, then ask again."
    ),
    "run.cancelled": gettext_noop("Cancelled on request."),
    "run.checkpoint_uploaded": gettext_noop(
        "checkpoint mode needs the weights: this revision was uploaded without them. "
        "Use manage.py profile PATH on the worker, or mode synthetic."
    ),
    "run.source_no_config": gettext_noop("%(folder)s has no config.json on this worker."),
    "run.revision_no_config": gettext_noop("this revision has no config.json artifact."),
}

PROFILER_DETAILS: dict[str, Any] = {**CATALOG_DETAILS, **CORE_DETAILS, **SERVICE_DETAILS}


def run_detail_render(found: Any) -> str | None:
    """A run's stored detail in the active language; None where the page shows ``error``."""
    return detail_render(found, PROFILER_DETAILS)


def run_detail_said(key: str, **params: Any) -> tuple[str, Detail]:
    """A message of the worker's own in the active language, and its detail to store."""
    found = detail(key, **params)
    text = run_detail_render(found)
    if text is None:  # the template and its parameters are written together: a bug
        raise ValueError(f"cannot render {found!r}")
    return text, found
