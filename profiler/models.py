"""Measurement runs: one row per request, created before the job is queued, updated stage by
stage by the worker; pages read the row (readthedocs' build pattern).

At most one ACTIVE run exists per identical request (revision, mode, dtype, batch, lengths,
device): a partial unique constraint over status queued/running, so asking twice returns the
same run. Finished runs are history and may repeat.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.fields import OrderedJSONField
from profiler.core.errors import DEVICE_LABELS

# Failures raised by profiler.core (and the Hub download) on the worker: their messages are
# stored in English; the page puts this line, in its language, above them, and says the
# message itself in its language too where it has a template (``error_detail``).
ERROR_HEADLINES = {
    "out_of_memory": _("The device ran out of memory."),
    "architecture_not_supported": _("transformers cannot build this architecture."),
    "pickle_refused": _("Refused: the checkpoint is not in safetensors format."),
    "remote_code_refused": _("Refused: the model needs its own Python code (remote code)."),
    "unsafe_path": _("Refused: a file path in the checkpoint is unsafe."),
    "invalid_request": _("The request cannot be measured as asked."),
    "device_unavailable": _("The requested device is not available on the worker."),
    "quantization_unsupported": _("This worker cannot load the checkpoint's quantization."),
    "error": _("The measurement failed."),
}


def _seconds_past(since: Any, limit_s: int) -> int | None:
    """Whole seconds since ``since``, once that is longer than ``limit_s``; None before."""
    if since is None:
        return None
    age = int((timezone.now() - since).total_seconds())
    return age if age > limit_s else None


def worker_silent_after_s() -> int:
    """Seconds without a heartbeat after which a running run's worker is taken for dead by the
    page (it says so) and by Stop (it cancels the run at once): three missed heartbeats, 60 s at
    least, ``PROFILER_STALE_AFTER_S`` at most. One place for both, so the page never promises an
    immediate stop that Stop does not do. The reaper keeps its own patience
    (``PROFILER_STALE_AFTER_S``)."""
    from django.conf import settings

    return min(settings.PROFILER_STALE_AFTER_S, max(3 * settings.PROFILER_HEARTBEAT_S, 60))


class MeasurementRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    class Mode(models.TextChoices):
        AUTO = "auto", _("auto (checkpoint when safetensors exist)")
        SYNTHETIC = "synthetic", _("synthetic (random weights, real shapes)")
        CHECKPOINT = "checkpoint", _("checkpoint (real safetensors weights)")
        SLICED = "sliced", _("sliced (a few layers, extrapolated)")

    class Dtype(models.TextChoices):
        BFLOAT16 = "bfloat16", "bfloat16"
        FLOAT16 = "float16", "float16"
        FLOAT32 = "float32", "float32"

    class Device(models.TextChoices):
        CPU = "cpu", DEVICE_LABELS["cpu"]
        CUDA = "cuda", DEVICE_LABELS["cuda"]

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    revision = models.ForeignKey(
        "catalog.Revision", on_delete=models.CASCADE, related_name="measurement_runs"
    )
    mode = models.CharField(max_length=12, choices=Mode.choices, default=Mode.SYNTHETIC)
    dtype = models.CharField(max_length=10, choices=Dtype.choices, default=Dtype.BFLOAT16)
    batch = models.PositiveIntegerField(default=1)
    prompt_len = models.PositiveIntegerField(default=128)
    new_tokens = models.PositiveIntegerField(default=64)
    device_kind = models.CharField(max_length=6, choices=Device.choices, default=Device.CUDA)
    # A local folder on the worker's machine (manage.py profile PATH only, never from the web):
    # lets checkpoint mode read weights that were never uploaded anywhere.
    source_dir = models.CharField(max_length=500, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=40, blank=True)
    progress_pct = models.PositiveSmallIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Set by a user's cancel while the run is running; the worker polls it, stops the child and
    # marks the run cancelled (a queued run is cancelled at once, without the flag).
    cancel_requested = models.BooleanField(default=False)
    # When the run was (last) put on the queue, and how many times the reaper re-sent the
    # message of a run no worker picked up (see services.runs_reap).
    queued_at = models.DateTimeField(default=timezone.now)
    queue_resends = models.PositiveSmallIntegerField(default=0)
    worker_host = models.CharField(max_length=200, blank=True)
    gpu_name = models.CharField(max_length=200, blank=True)
    gpu_memory_bytes = models.BigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)  # readable, shown as is
    error_code = models.CharField(max_length=40, blank=True)
    # The message's template key and parameters (profiler.error_detail): the page says the
    # failure in its own language with the same specifics. None for rows stored before it
    # existed and for messages without a template (the page shows ``error`` then).
    error_detail = models.JSONField(null=True, blank=True)
    result = OrderedJSONField(null=True, blank=True)  # profiler.bench output
    estimate = OrderedJSONField(null=True, blank=True)  # axes.backbone estimate at run time
    residuals = OrderedJSONField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "revision",
                    "mode",
                    "dtype",
                    "batch",
                    "prompt_len",
                    "new_tokens",
                    "device_kind",
                    "source_dir",
                ],
                condition=Q(status__in=["queued", "running"]),
                name="measurementrun_one_active_per_request",
            )
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="measurementrun_stale")]

    def __str__(self) -> str:
        return f"run {self.pk} {self.revision_id} {self.mode}/{self.dtype}/{self.device_kind}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def running_for_s(self) -> int | None:
        """Whole seconds since a worker started this run, while it runs; None otherwise. The
        status line shows it: a stage can last minutes (a timed run of a large model on a CPU)
        with the bar standing still, and the clock shows the run is alive."""
        if self.status != self.Status.RUNNING or self.started_at is None:
            return None
        return max(0, int((timezone.now() - self.started_at).total_seconds()))

    @property
    def ran_for_s(self) -> int | None:
        """Whole seconds from a worker's start to the end, once the run has ended; None for a
        run no worker started (cancelled while queued, refused at enqueue)."""
        if self.is_active or self.started_at is None or self.finished_at is None:
            return None
        return max(0, int((self.finished_at - self.started_at).total_seconds()))

    @property
    def silent_for_s(self) -> int | None:
        """Seconds since a running run's worker last showed a sign of life, once that is longer
        than three missed heartbeats (60 s at least; ``PROFILER_STALE_AFTER_S`` at most), so
        the worker probably died; None otherwise. The page says so then: waiting for the
        reaper's ``PROFILER_STALE_AFTER_S`` (3 minutes) left a killed worker's run showing
        "measuring" with its clock running. The worker beats every ``PROFILER_HEARTBEAT_S``
        from its own loop, apart from the measurement, a download included."""
        if self.status != self.Status.RUNNING:
            return None
        return _seconds_past(self.heartbeat_at, worker_silent_after_s())

    @property
    def error_headline(self) -> str:
        """One translated sentence for what kind of failure this was, from ``error_code``,
        shown above the message. The worker's own messages (out of memory, refused
        checkpoint...) are written by framework-free code in English, with the details a user
        needs; this says what happened in the page's language (and ``error_translated`` the
        details, where the message has a template). Empty for codes whose message is written
        by Django code, in the submitter's or the page's language."""
        return str(ERROR_HEADLINES.get(self.error_code, "")) if self.status == "failed" else ""

    @property
    def error_translated(self) -> str | None:
        """The failure in the active language with its specifics (``error_detail``); None where
        the page shows the stored message (an older row, or a message without a template)."""
        from profiler.error_detail import run_detail_render

        return run_detail_render(self.error_detail)

    @property
    def waiting_for_s(self) -> int | None:
        """Seconds a queued run has waited for a worker, once that is longer than
        ``PROFILER_QUEUED_HINT_AFTER_S``; None otherwise (and for runs a worker has taken)."""
        if self.status != self.Status.QUEUED:
            return None
        from django.conf import settings

        return _seconds_past(self.queued_at, settings.PROFILER_QUEUED_HINT_AFTER_S)

    @property
    def runs_ahead(self) -> int:
        """Active runs (running, or queued earlier) that the measurement workers take before
        this one: they all share one queue."""
        return (
            MeasurementRun.objects.filter(status__in=self.ACTIVE)
            .filter(Q(status=self.Status.RUNNING) | Q(queued_at__lt=self.queued_at))
            .exclude(pk=self.pk)
            .count()
        )

    @property
    def decode_tokens_per_s(self) -> float | None:
        if not self.result:
            return None
        return (self.result.get("decode_tokens_per_s") or {}).get("median")

    @property
    def peak_bytes(self) -> int | None:
        """Peak device memory (CUDA), else the weights (CPU has no allocator peak: the size
        counted from the loaded tensors; ``memory_is_peak`` says which one this is)."""
        if not self.result:
            return None
        return (
            self.result.get("peak_allocated_bytes")
            or self.result.get("weights_bytes_allocated")
            or self.result.get("weights_bytes_counted")
        )

    @property
    def memory_is_peak(self) -> bool:
        return bool(self.result and self.result.get("peak_allocated_bytes"))
