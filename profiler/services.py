"""Measurement runs: request, claim, execute, record, reap. Tasks and views call these.

The flow (readthedocs' build pattern, healthchecks' conditional claim):

1. ``run_request`` creates the row (or returns the identical active one) and enqueues its id
   with ``transaction.on_commit``; a broker that cannot be reached marks the run failed at once
   with a readable reason instead of a 500.
2. ``run_execute`` (in the Celery task, queue ``gpu``) claims the row with a conditional
   UPDATE: 0 rows means another delivery has it, so a redelivered message is harmless. It
   prepares a temp folder, runs ``profiler.bench`` in a fresh *spawned* child process (GPU
   memory goes back to the system when it exits; a crash in it does not kill the worker), pumps
   the child's progress into the row as stage + pct + heartbeat, and stores the result.
3. ``runs_reap`` (periodic) fails or requeues runs whose heartbeat stopped (the worker died),
   and re-sends once, then fails, queued runs no worker picked up (a lost broker message, or no
   ``gpu`` worker at all).
4. ``run_cancel`` cancels a queued run with a conditional UPDATE (it races the claim cleanly:
   one of the two wins) and asks a running one to stop: the worker polls ``cancel_requested``,
   kills the child and marks the run cancelled; no result is stored after a cancel request.

Every write after the claim is conditional on (status running, this attempt), so a run that
was reaped and requeued can never receive a result from the attempt that lost it.
"""

from __future__ import annotations

import json
import logging
import math
import os
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import billiard
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Artifact, Revision
from profiler.core.errors import Detail, InvalidRequest
from profiler.error_detail import run_detail_said
from profiler.models import MeasurementRun, worker_silent_after_s

logger = logging.getLogger(__name__)

Status = MeasurementRun.Status
RUN_LIMITS = {"batch": (1, 256), "prompt_len": (1, 131072), "new_tokens": (2, 16384)}


class RunRequestInvalid(ValueError):
    """A measurement request that cannot be queued; the message says which field and why."""


class HubDownloadFailed(InvalidRequest):
    """Checkpoint weights could not be fetched or were refused; carries the Hub error's code."""

    def __init__(self, message: str, *, code: str, detail: Detail | None = None) -> None:
        super().__init__(message, detail=detail)
        self.code = code


class RunCancelledMeanwhile(Exception):  # noqa: N818 (a signal, not an error)
    """Raised in the worker during a checkpoint's download (between two chunks of a file, or
    two files) when the run's cancel was asked: ``run_execute`` marks the run cancelled."""


def _refusal(key: str, **params: Any) -> InvalidRequest:
    """An InvalidRequest of the worker's own, in the active language, with its detail."""
    message, found = run_detail_said(key, **params)
    return InvalidRequest(message, detail=found)


# ---------------------------------------------------------------------------------------------
# Request + enqueue


def _choice_check(name: str, value: str, choices: Any) -> str:
    allowed = [c for c, _label in choices]
    if value not in allowed:
        raise RunRequestInvalid(
            _("%(name)s must be one of %(allowed)s, not %(value)r.")
            % {"name": name, "allowed": ", ".join(allowed), "value": value}
        )
    return value


def run_request(
    *,
    revision: Revision,
    mode: str = MeasurementRun.Mode.SYNTHETIC,
    dtype: str = MeasurementRun.Dtype.BFLOAT16,
    batch: int = 1,
    prompt_len: int = 128,
    new_tokens: int = 64,
    device: str = MeasurementRun.Device.CUDA,
    source_dir: str = "",
) -> MeasurementRun:
    """The active run for this exact request, created and enqueued if there is none.

    Returns a run marked failed (``error_code`` ``broker_unreachable``) when the job queue
    cannot be reached; never raises for that.
    """
    fields = {
        "mode": _choice_check("mode", mode, MeasurementRun.Mode.choices),
        "dtype": _choice_check("dtype", dtype, MeasurementRun.Dtype.choices),
        "device_kind": _choice_check("device", device, MeasurementRun.Device.choices),
        "batch": batch,
        "prompt_len": prompt_len,
        "new_tokens": new_tokens,
        "source_dir": source_dir,
    }
    for name, (low, high) in RUN_LIMITS.items():
        value = fields[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            from catalog.templatetags.mechanic import num_l10n  # the pages' number format

            raise RunRequestInvalid(  # "from 1 to 131,072" (de 131.072), not 131072
                _("%(name)s must be a whole number from %(low)s to %(high)s.")
                % {"name": name, "low": num_l10n(low, 0), "high": num_l10n(high, 0)}
            )
    config = Artifact.objects.filter(revision=revision, kind=Artifact.Kind.CONFIG).first()
    if config is None:
        raise RunRequestInvalid(_("This revision has no config.json, so it cannot be measured."))
    if not source_dir:
        _run_request_fits(revision, config, fields)

    existing = MeasurementRun.objects.filter(
        revision=revision, status__in=MeasurementRun.ACTIVE, **fields
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            run = MeasurementRun.objects.create(revision=revision, **fields)
    except IntegrityError:
        # Lost the race against an identical request: the partial unique index picked one.
        return MeasurementRun.objects.get(
            revision=revision, status__in=MeasurementRun.ACTIVE, **fields
        )
    transaction.on_commit(lambda: run_enqueue(run_id=run.pk))
    run.refresh_from_db()  # on_commit ran already in autocommit mode: show its outcome
    return run


def _run_request_fits(revision: Revision, config: Artifact, fields: dict[str, Any]) -> None:
    """What the worker would refuse, said before the run is queued (it could wait behind an
    hour-long measurement to be told): lengths past the model's positions, and weights that
    were never there."""
    data = config.data if isinstance(config.data, dict) else None
    if data is None:
        try:
            data = json.loads(config.text)
        except (TypeError, ValueError):
            data = None
    max_pos = data.get("max_position_embeddings") if isinstance(data, dict) else None
    length = fields["prompt_len"] + fields["new_tokens"]
    if type(max_pos) is int and length > max_pos:
        from catalog.templatetags.mechanic import num_l10n  # the pages' number format

        raise RunRequestInvalid(
            _(
                "prompt_len + new_tokens = %(length)s is more than this model's "
                "max_position_embeddings (%(max)s): choose shorter lengths."
            )
            % {"length": num_l10n(length, 0), "max": num_l10n(max_pos, 0)}
        )
    if fields["mode"] == MeasurementRun.Mode.CHECKPOINT and revision.source != Revision.Source.HUB:
        raise RunRequestInvalid(
            _(
                "Checkpoint mode needs the weights, and this revision was not fetched from the "
                "Hub, so there are none to load: choose synthetic weights."
            )
        )
    _run_request_fits_this_machine(revision, data, fields)


_DTYPE_BYTES = {"bfloat16": 2, "float16": 2, "float32": 4}


def _run_request_fits_this_machine(
    revision: Revision, config: dict[str, Any] | None, fields: dict[str, Any]
) -> None:
    """A CPU run whose whole model cannot fit in this machine's memory, refused before it is
    queued, with sliced mode offered. Only where the worker is this machine: the embedded
    broker (``make run``) is a local file, so its worker runs here; a Redis broker's workers
    may be anywhere, and they check their own memory."""
    if (
        fields["device_kind"] != MeasurementRun.Device.CPU
        or fields["mode"] == MeasurementRun.Mode.SLICED
        or not str(settings.CELERY_BROKER_URL).startswith("sqla+sqlite")
    ):
        return
    total = ((revision.analysis or {}).get("params") or {}).get("total")
    if not isinstance(total, int) and isinstance(config, dict):
        from axes.backbone import BackboneError, analyze_config

        try:
            total = analyze_config(config)["params"]["total"]
        except (BackboneError, ValueError):
            return  # the worker says what is wrong with the config
    if not isinstance(total, int):
        return
    from profiler.core.measure import host_memory_available

    available = host_memory_available()
    need = total * _DTYPE_BYTES.get(fields["dtype"], 2)
    if available is not None and need > available:
        from catalog.templatetags.mechanic import num_l10n  # the pages' number format

        gib = 1024**3
        raise RunRequestInvalid(
            _(
                "The weights alone need about %(need)s GiB in %(dtype)s, more than the "
                "%(available)s GiB this machine has free for the CPU worker: choose sliced "
                "mode, which builds a few layers and extrapolates."
            )
            % {
                "need": num_l10n(need / gib, 1),
                "dtype": fields["dtype"],
                "available": num_l10n(available / gib, 1),
            }
        )


def _broker_display(url: str) -> str:
    """The broker URL without credentials, for messages."""
    from kombu.utils.url import maybe_sanitize_url

    return maybe_sanitize_url(url)


def _enqueue_transport_options(url: str, timeout_s: int) -> dict[str, Any]:
    """Short socket timeouts for Redis. The embedded SQLAlchemy broker hands every transport
    option to create_engine(), which refuses socket options, and it has no sockets to wait on."""
    options: dict[str, Any] = dict(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}))
    options["max_retries"] = 1
    if url.startswith(("redis://", "rediss://")):
        options.update(socket_connect_timeout=timeout_s, socket_timeout=timeout_s)
    return options


def broker_prune_delivered(url: str, *, older_than_s: float) -> int:
    """On the embedded broker (``sqla+sqlite:///FILE``): delete the messages that were
    delivered (``visible = 0``; kombu stamps ``timestamp`` when it marks them) more than
    ``older_than_s`` ago. A message a worker did not acknowledge is put back as a new row, so a
    delivered row is never read again. Returns how many were deleted; 0 for other brokers."""
    import sqlite3
    from datetime import datetime

    prefix = "sqla+sqlite:///"
    if not url.startswith(prefix):
        return 0
    path = Path(url[len(prefix) :])
    if not path.is_file():
        return 0
    # kombu writes naive local times (datetime.now), as ISO text: compare in the same form
    cutoff = (datetime.now() - timedelta(seconds=older_than_s)).isoformat(sep=" ")
    with closing(sqlite3.connect(path, timeout=30)) as db, db:
        try:
            cursor = db.execute(
                "DELETE FROM kombu_message WHERE visible = 0 "
                "AND (timestamp IS NULL OR timestamp < ?)",
                (cutoff,),
            )
        except sqlite3.OperationalError as exc:  # no table yet: nothing was ever sent
            if "no such table" in str(exc):
                return 0
            raise
        return cursor.rowcount


def run_enqueue(*, run_id: int) -> bool:
    """Send the task; on a broker failure mark the run failed with a readable reason."""
    from kombu import Connection

    from profiler.tasks import run_measurement

    url = settings.CELERY_BROKER_URL
    # Fail fast: a page request must not hang for kombu's default retry schedule.
    timeout_s = getattr(settings, "PROFILER_ENQUEUE_TIMEOUT_S", 3)
    try:
        with Connection(
            url,
            connect_timeout=timeout_s,
            transport_options=_enqueue_transport_options(url, timeout_s),
        ) as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0.5, timeout=timeout_s
            )
            run_measurement.apply_async(
                args=[run_id],
                connection=conn,
                retry=True,
                retry_policy={
                    "max_retries": 1,
                    "interval_start": 0,
                    "interval_step": 0.5,
                    "interval_max": 0.5,
                },
            )
    except Exception as exc:  # kombu raises OperationalError, socket errors, timeouts...
        logger.warning("enqueue of run %s failed: %s", run_id, exc)
        message, found = run_detail_said(
            "run.broker_unreachable", broker=_broker_display(url), reason=type(exc).__name__
        )
        MeasurementRun.objects.filter(pk=run_id, status=Status.QUEUED).update(
            status=Status.FAILED,
            error=message,
            error_code="broker_unreachable",
            error_detail=found,
            finished_at=timezone.now(),
        )
        return False
    return True


# ---------------------------------------------------------------------------------------------
# Claim + progress + outcome (every write after the claim is conditional on the attempt)


def run_claim(*, run_id: int, worker_host: str) -> int | None:
    """Take a queued run; returns this attempt's number, or None if someone else has it."""
    now = timezone.now()
    claimed = MeasurementRun.objects.filter(pk=run_id, status=Status.QUEUED).update(
        status=Status.RUNNING,
        attempts=F("attempts") + 1,
        worker_host=worker_host[:200],
        stage="claimed",
        progress_pct=0,
        started_at=now,
        heartbeat_at=now,
        error="",
        error_code="",
        error_detail=None,
    )
    if not claimed:
        return None
    return MeasurementRun.objects.values_list("attempts", flat=True).get(pk=run_id)


def _mine(run_id: int, attempt: int) -> Any:
    return MeasurementRun.objects.filter(pk=run_id, status=Status.RUNNING, attempts=attempt)


def run_progress(*, run_id: int, attempt: int, stage: str, pct: float) -> bool:
    # A running run is never "done · 100%": the measurement says "done" when it has its
    # figures, but the run ends when ``run_succeed`` stores them (after the child hands them
    # over). Until then the status line (still "running", with Stop) and the bar must agree.
    if stage == "done":
        stage = "finishing"
    return bool(
        _mine(run_id, attempt).update(
            stage=stage[:40], progress_pct=max(0, min(99, int(pct))), heartbeat_at=timezone.now()
        )
    )


def run_heartbeat(*, run_id: int, attempt: int, unless_cancelled: bool = False) -> bool:
    """Touch this attempt's heartbeat; False when the run is no longer this attempt's (and,
    with ``unless_cancelled``, when its cancel was asked: one conditional UPDATE tells both)."""
    mine = _mine(run_id, attempt)
    if unless_cancelled:
        mine = mine.filter(cancel_requested=False)
    return bool(mine.update(heartbeat_at=timezone.now()))


def run_succeed(*, run_id: int, attempt: int, result: dict[str, Any]) -> bool:
    # A cancel asked while the last message was in flight still wins: no result after a cancel.
    return bool(
        _mine(run_id, attempt)
        .filter(cancel_requested=False)
        .update(
            status=Status.SUCCEEDED,
            stage="done",
            progress_pct=100,
            result=result,
            estimate=result.get("estimate"),
            residuals=result.get("residuals"),
            gpu_name=result.get("gpu_name") or "",
            gpu_memory_bytes=result.get("gpu_memory_bytes"),
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
        )
    )


def run_fail(
    *,
    run_id: int,
    attempt: int | None,
    message: str,
    code: str = "error",
    detail: Detail | None = None,
) -> bool:
    """Mark the run failed with ``message`` (stored as written) and, where the message came from
    a template, its ``detail`` (key and parameters: the page says it in its own language)."""
    qs = (
        _mine(run_id, attempt)
        if attempt is not None
        else MeasurementRun.objects.filter(pk=run_id, status__in=MeasurementRun.ACTIVE)
    )
    return bool(
        qs.update(
            status=Status.FAILED,
            error=message,
            error_code=code[:40],
            error_detail=detail,
            finished_at=timezone.now(),
        )
    )


def _cancelled() -> dict[str, Any]:
    """The fields of a cancelled run's message."""
    message, found = run_detail_said("run.cancelled")
    return {"error": message, "error_code": "cancelled", "error_detail": found}


def run_cancel(*, run_id: int) -> MeasurementRun:
    """Cancel a queued run at once, or ask a running one to stop; returns the run as it is now.

    Queued -> cancelled is one conditional UPDATE: if a worker claims the run at the same
    moment, exactly one of the two UPDATEs matches (the claim filters on status queued too), and
    a claimed run is then asked to stop like any running one. Finished runs are left alone.
    """
    now = timezone.now()
    ended = {
        "status": Status.CANCELLED,
        "stage": "cancelled",
        "cancel_requested": True,
        **_cancelled(),
        "finished_at": now,
    }
    cancelled = MeasurementRun.objects.filter(pk=run_id, status=Status.QUEUED).update(**ended)
    if not cancelled:
        # A running run whose worker went silent (it died: no heartbeat for longer than
        # worker_silent_after_s(), when the page says so) has nobody left to stop it: cancel it
        # now. Conditional on the stale heartbeat, so a worker that is alive after all keeps
        # its run and gets the request.
        cutoff = now - timedelta(seconds=worker_silent_after_s())
        cancelled = MeasurementRun.objects.filter(
            pk=run_id, status=Status.RUNNING, heartbeat_at__lt=cutoff
        ).update(**ended)
    if not cancelled:
        MeasurementRun.objects.filter(pk=run_id, status=Status.RUNNING).update(
            cancel_requested=True
        )
    return MeasurementRun.objects.select_related("revision__model").get(pk=run_id)


def run_stop_wanted(*, run_id: int, attempt: int) -> bool:
    """Whether this attempt should stop: the run is no longer its live, uncancelled run. Its
    cancel was asked, or it was cancelled meanwhile (by the clean-up job, or at once by a Stop
    while the worker looked silent), or queued again (another attempt has it, or will). Asking
    only for a cancel of this attempt's running run (as this did) missed all but the first:
    the worker then downloaded every remaining shard of a run nobody wanted any more."""
    return not _mine(run_id, attempt).filter(cancel_requested=False).exists()


def run_mark_cancelled(*, run_id: int, attempt: int) -> bool:
    return bool(
        _mine(run_id, attempt).update(
            status=Status.CANCELLED,
            stage="cancelled",
            **_cancelled(),
            finished_at=timezone.now(),
        )
    )


# ---------------------------------------------------------------------------------------------
# Execute (inside the Celery task)


def _hostname() -> str:
    return socket.gethostname()


@contextmanager
def run_heartbeat_while(*, run_id: int, attempt: int) -> Iterator[threading.Event]:
    """Beat for the run from a thread while this process does one long thing itself (a
    checkpoint's download from the Hub: minutes for a real model). Without it the run's
    heartbeat stood still for the whole download: past ``PROFILER_STALE_AFTER_S`` the reaper
    took the worker for dead and queued the run again, and the page said the worker had
    stopped, while it was downloading.

    Yields ``ended``, an Event the thread sets once the run is no longer this attempt's live,
    uncancelled run (Stop, the clean-up job, queued again): the download checks it at every
    chunk it reads, from whatever thread reads it, without a query of its own. The thread
    looks every ``PROFILER_STOP_CHECK_MS`` (one indexed SELECT) and beats every
    ``PROFILER_HEARTBEAT_S`` (one conditional UPDATE, which tells the same)."""
    stop = threading.Event()
    ended = threading.Event()
    beat_every_s = float(settings.PROFILER_HEARTBEAT_S)
    look_every_s = min(settings.PROFILER_STOP_CHECK_MS / 1000, beat_every_s)

    def beat() -> None:
        last_beat = time.monotonic()
        try:
            while not stop.wait(look_every_s):
                try:
                    now = time.monotonic()
                    # (half a look early rather than a whole look late)
                    if now - last_beat + look_every_s / 2 >= beat_every_s:
                        # No row touched: the run was reaped, requeued or its cancel was asked.
                        live = run_heartbeat(run_id=run_id, attempt=attempt, unless_cancelled=True)
                        last_beat = now
                    else:
                        live = not run_stop_wanted(run_id=run_id, attempt=attempt)
                    if not live:
                        # Set before the log line (a test waits for it). The download stops at
                        # its next chunk; if it is stuck in one (no bytes coming), the run goes
                        # silent, since this thread beats no more, so the page offers Stop
                        # again and it cancels at once (run_cancel's stale path).
                        ended.set()
                        logger.info("run %s: stopped or taken over: its download ends", run_id)
                        return
                except DatabaseError as exc:
                    # "database is locked" (SQLite), a dropped PostgreSQL connection: one look
                    # missed, not the heartbeat (nor the Stop) for the rest of the download.
                    logger.warning("run %s: heartbeat failed (%s); trying again", run_id, exc)
                    connection.close()  # the next beat opens a fresh connection
        finally:
            connection.close()  # this thread's own database connection

    thread = threading.Thread(target=beat, name=f"run-{run_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield ended
    finally:
        stop.set()
        # A beat stuck in a query (a locked SQLite file) can outlive this join: harmless, the
        # thread is a daemon that only writes heartbeat_at of this attempt (a no-op once the
        # run has moved on) and leaves its loop as soon as that query returns, stop being set.
        thread.join(beat_every_s + 10)


def run_folder_prepare(
    run: MeasurementRun,
    dest: Path,
    *,
    stop_check: Callable[[], None] | None = None,
    chunk_check: Callable[[], None] | None = None,
    stage: Callable[[str], None] | None = None,
) -> tuple[Path, str]:
    """The folder the bench reads, and the bench mode. Weights come only from a local
    ``source_dir`` (manage.py profile PATH) or, for mode checkpoint, from the Hub via
    ``catalog.hub.hub_download_safetensors``, which calls ``chunk_check`` between the chunks
    of every file and ``stop_check`` after every file (either may raise to stop). ``stage("download")`` is called before a download:
    minutes for a real checkpoint, which the page said were "preparing the files"."""
    mode = run.mode
    if run.source_dir:
        root = Path(run.source_dir)
        if not (root / "config.json").is_file():
            raise _refusal("run.source_no_config", folder=str(root))
        return root, mode
    config = Artifact.objects.filter(revision=run.revision, kind=Artifact.Kind.CONFIG).first()
    if config is None:
        raise _refusal("run.revision_no_config")
    data = config.data if isinstance(config.data, dict) else json.loads(config.text)
    (dest / "config.json").write_text(json.dumps(data), encoding="utf-8")
    if mode == MeasurementRun.Mode.AUTO:
        # Downloading weights is never implicit: auto on a stored revision means synthetic.
        mode = MeasurementRun.Mode.SYNTHETIC.value
    if mode == MeasurementRun.Mode.CHECKPOINT:
        revision = run.revision
        if revision.source != Revision.Source.HUB:
            raise _refusal("run.checkpoint_uploaded")
        from catalog import hub

        download = getattr(hub, "hub_download_safetensors", None)
        if download is None:
            raise InvalidRequest("this installation cannot download weights (no hub helper).")
        if stage is not None:
            stage("download")
        try:
            download(
                revision.model.repo_id,
                revision.sha,
                dest,
                stop_check=stop_check,
                chunk_check=chunk_check,
            )
        except hub.HubError as exc:
            # Keep the Hub's code (pickle_refused, unsafe_path, gated...) and its message.
            raise HubDownloadFailed(exc.message, code=exc.code, detail=exc.detail) from exc
    return dest, mode


def run_execute(*, run_id: int, worker_host: str | None = None) -> str:
    """Claim and run one measurement; returns what happened (for logs and tests)."""
    attempt = run_claim(run_id=run_id, worker_host=worker_host or _hostname())
    if attempt is None:
        logger.info("run %s is not queued any more: another delivery has it", run_id)
        return "skipped"
    run = MeasurementRun.objects.select_related("revision__model").get(pk=run_id)

    try:
        with tempfile.TemporaryDirectory(prefix=f"mechanic-run-{run_id}-") as tmp:
            run_progress(run_id=run_id, attempt=attempt, stage="prepare", pct=1)
            with run_heartbeat_while(run_id=run_id, attempt=attempt) as ended:

                def stop_now() -> None:
                    # Within a file: from the thread that reads the bytes, once per chunk. No
                    # query here (the heartbeat thread asks); an Event is thread-safe.
                    if ended.is_set():
                        raise RunCancelledMeanwhile

                def stop_if_cancelled() -> None:
                    # After each file: the event, or the database itself (a Stop pressed in
                    # the last moments of a small file). A check that fails is skipped (the
                    # next file's, or the heartbeat thread's, comes soon): a locked SQLite
                    # file or a dropped connection does not fail the run.
                    stop_now()
                    try:
                        wanted = run_stop_wanted(run_id=run_id, attempt=attempt)
                    except DatabaseError as exc:
                        logger.warning("run %s: stop check failed (%s); skipped", run_id, exc)
                        return
                    if wanted:
                        raise RunCancelledMeanwhile

                folder, mode = run_folder_prepare(
                    run,
                    Path(tmp),
                    stop_check=stop_if_cancelled,
                    chunk_check=stop_now,
                    stage=lambda name: run_progress(
                        run_id=run_id, attempt=attempt, stage=name, pct=1
                    ),
                )
            outcome = _child_run(run, attempt, folder, mode)
    except RunCancelledMeanwhile:
        run_mark_cancelled(run_id=run_id, attempt=attempt)
        # (a no-op where the run is not this attempt's any more: reaped, or queued again)
        logger.info("run %s: its checkpoint download stopped (cancelled or taken over)", run_id)
        return "cancelled"
    except InvalidRequest as exc:
        run_fail(
            run_id=run_id, attempt=attempt, message=exc.message, code=exc.code, detail=exc.detail
        )
        return "failed"
    except Exception as exc:  # anything else is still the run's failure, not the worker's
        logger.exception("run %s failed", run_id)
        run_fail(
            run_id=run_id, attempt=attempt, message=f"{type(exc).__name__}: {exc}", code="error"
        )
        return "failed"
    return outcome


def _child_kill(child: Any) -> None:
    """SIGKILL the measurement process (billiard's Process has no kill())."""
    if child.pid is not None and child.is_alive():
        try:
            os.kill(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    child.join(5)


def _child_deadline_s() -> float:
    limit = settings.PROFILER_TIME_LIMIT_S
    # Leave the parent time to kill the child and record why, before Celery's hard limit.
    return max(1.0, limit - min(30.0, 0.2 * limit))


def _child_run(run: MeasurementRun, attempt: int, folder: Path, mode: str) -> str:
    from profiler.core.measure import BenchOptions
    from profiler.worker_child import child_main

    opts = BenchOptions(
        device=str(run.device_kind),
        dtype=str(run.dtype),
        batch=run.batch,
        prompt_len=run.prompt_len,
        new_tokens=run.new_tokens,
        # plain strings only: the options are pickled for the spawned child, which has no
        # Django to unpickle a TextChoices member with
        mode=str(mode),
        iters=getattr(settings, "PROFILER_ITERS", 3),
        warmup=getattr(settings, "PROFILER_WARMUP", 1),
    )
    # Spawn, never fork: a fresh interpreter, so CUDA state and GPU memory die with the child.
    # billiard (Celery's multiprocessing fork) because stdlib multiprocessing refuses children
    # of daemonic processes, and prefork pool processes are daemonic.
    ctx = billiard.get_context("spawn")
    parent_conn, child_conn = ctx.Pipe(duplex=False)
    child = ctx.Process(
        target=child_main, args=(str(folder), asdict(opts), child_conn), name=f"measure-{run.pk}"
    )
    child.start()
    child_conn.close()
    deadline = time.monotonic() + _child_deadline_s()
    heartbeat_every_s = settings.PROFILER_HEARTBEAT_S
    # A cancel is noticed within this many seconds (one indexed query per check).
    cancel_check_s = min(2.0, float(heartbeat_every_s))
    last_beat = 0.0
    last_cancel_check = time.monotonic()
    message: tuple[Any, ...] | None = None
    try:
        while True:
            now = time.monotonic()
            if now - last_cancel_check >= cancel_check_s:
                last_cancel_check = now
                if run_stop_wanted(run_id=run.pk, attempt=attempt):
                    _child_kill(child)
                    if not run_mark_cancelled(run_id=run.pk, attempt=attempt):
                        # reaped, requeued or cancelled meanwhile: this attempt lost the run
                        logger.info("run %s taken over; child %s killed", run.pk, child.pid)
                        return "lost"
                    logger.info("run %s cancelled on request; child %s killed", run.pk, child.pid)
                    return "cancelled"
            if now >= deadline:
                _child_kill(child)
                message, found = run_detail_said(
                    "run.time_limit", limit=settings.PROFILER_TIME_LIMIT_S
                )
                run_fail(
                    run_id=run.pk, attempt=attempt, message=message, code="time_limit", detail=found
                )
                return "timeout"
            if now - last_beat >= heartbeat_every_s:
                if not run_heartbeat(run_id=run.pk, attempt=attempt):
                    _child_kill(child)  # reaped or cancelled meanwhile: this attempt lost the run
                    return "lost"
                last_beat = now
            if parent_conn.poll(0.5):
                try:
                    msg = parent_conn.recv()
                except EOFError:
                    msg = None
                if msg is None:
                    break
                if msg[0] == "progress":
                    run_progress(run_id=run.pk, attempt=attempt, stage=msg[1], pct=msg[2])
                    last_beat = time.monotonic()
                    continue
                message = msg
                break
            if not child.is_alive() and not parent_conn.poll(0):
                break
        if message is not None:
            # Recorded before waiting for the child to exit (freeing a model takes seconds):
            # the page shows the result as soon as the worker has it.
            return _child_outcome_record(run, attempt, message)
    finally:
        child.join(10)
        if child.is_alive():
            _child_kill(child)
        parent_conn.close()

    code = child.exitcode
    reason = (
        {"key": "run.killed_by_signal", "params": {"sig": -code}}
        if code is not None and code < 0
        else {"key": "run.exit_status", "params": {"code": code}}
    )
    message, found = run_detail_said("run.crashed", reason=reason)
    run_fail(run_id=run.pk, attempt=attempt, message=message, code="crashed", detail=found)
    return "crashed"


def _child_outcome_record(run: MeasurementRun, attempt: int, message: tuple[Any, ...]) -> str:
    """Store the child's last message (a result or an error) on the run."""
    if message[0] == "error":
        run_fail(
            run_id=run.pk,
            attempt=attempt,
            message=message[1]["message"],
            code=message[1]["code"],
            detail=message[1].get("detail"),
        )
        return "failed"
    if run_succeed(run_id=run.pk, attempt=attempt, result=message[1]):
        return "succeeded"
    if run_mark_cancelled(run_id=run.pk, attempt=attempt):  # the cancel won the race
        return "cancelled"
    return "lost"


# ---------------------------------------------------------------------------------------------
# Reaper


def _said(key: str, **params: Any) -> dict[str, Any]:
    """The ``error`` and ``error_detail`` fields for a message of the worker's own."""
    message, found = run_detail_said(key, **params)
    return {"error": message, "error_detail": found}


def runs_reap(
    *,
    stale_after_s: int | None = None,
    max_attempts: int | None = None,
    queued_stale_after_s: int | None = None,
) -> dict[str, int]:
    """The periodic clean-up (beat, every minute). Returns what it did, by kind:

    - ``requeued`` / ``failed``: RUNNING runs whose heartbeat stopped (the worker died) are
      queued again while attempts < max, else failed; ``cancelled``: such a run whose cancel
      was asked is simply cancelled.
    - ``resent`` / ``not_picked_up``: QUEUED runs that waited longer than
      PROFILER_QUEUED_STALE_AFTER_S while no worker showed any sign of life in that time either
      (a busy worker is not a lost message): the message is sent once more (the claim makes a
      duplicate harmless), and on the next time it goes stale the run fails with the reason.
    """
    stale_after_s = stale_after_s or settings.PROFILER_STALE_AFTER_S
    max_attempts = max_attempts or settings.PROFILER_MAX_ATTEMPTS
    queued_stale_after_s = queued_stale_after_s or settings.PROFILER_QUEUED_STALE_AFTER_S
    now = timezone.now()
    cutoff = now - timedelta(seconds=stale_after_s)
    counts = {"requeued": 0, "failed": 0, "cancelled": 0, "resent": 0, "not_picked_up": 0}
    stale = MeasurementRun.objects.filter(status=Status.RUNNING, heartbeat_at__lt=cutoff)
    for run_id, attempts, cancel in stale.values_list("pk", "attempts", "cancel_requested"):
        same = MeasurementRun.objects.filter(pk=run_id, status=Status.RUNNING, attempts=attempts)
        if cancel:
            if same.update(
                status=Status.CANCELLED,
                stage="cancelled",
                **_cancelled(),
                finished_at=now,
            ):
                counts["cancelled"] += 1
        elif attempts < max_attempts:
            if same.update(
                status=Status.QUEUED,
                stage="requeued",
                progress_pct=0,
                queued_at=now,
                queue_resends=0,
                **_said("run.requeued"),
                error_code="requeued",
            ):
                counts["requeued"] += 1
                transaction.on_commit(lambda rid=run_id: run_enqueue(run_id=rid))
        elif same.update(
            status=Status.FAILED,
            **_said("run.worker_lost", s=stale_after_s, n=attempts),
            error_code="worker_lost",
            finished_at=now,
        ):
            counts["failed"] += 1
    _runs_reap_queued(now, queued_stale_after_s, max_attempts, counts)
    return counts


def _runs_reap_queued(
    now: Any, stale_after_s: int, max_attempts: int, counts: dict[str, int]
) -> None:
    from django.db.models import Max

    cutoff = now - timedelta(seconds=stale_after_s)
    minutes = max(1, round(stale_after_s / 60))
    # Any heartbeat (claim, progress, beat, finish) within the window means a worker is alive
    # and consuming the queue: a run waiting behind a long measurement is not lost.
    last_activity = MeasurementRun.objects.aggregate(at=Max("heartbeat_at"))["at"]
    if last_activity is not None and last_activity >= cutoff:
        return
    stale = MeasurementRun.objects.filter(status=Status.QUEUED, queued_at__lt=cutoff)
    for run_id, queued_at, resends, attempts in stale.values_list(
        "pk", "queued_at", "queue_resends", "attempts"
    ):
        # Conditional on the exact queued_at: a claim or another reaper in between wins.
        same = MeasurementRun.objects.filter(pk=run_id, status=Status.QUEUED, queued_at=queued_at)
        if resends < 1 and attempts < max_attempts:
            if same.update(queued_at=now, queue_resends=F("queue_resends") + 1):
                counts["resent"] += 1
                transaction.on_commit(lambda rid=run_id: run_enqueue(run_id=rid))
        elif same.update(
            status=Status.FAILED,
            stage="",
            **_said("run.not_picked_up", minutes=minutes),
            error_code="not_picked_up",
            finished_at=now,
        ):
            counts["not_picked_up"] += 1


# ---------------------------------------------------------------------------------------------
# Page context


_NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


def _nice_step(span: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k that is at least ``span``."""
    magnitude = 10.0 ** math.floor(math.log10(span))
    return next(m * magnitude for m in _NICE_STEPS if m * magnitude >= span * (1 - 1e-9))


def _shared_ticks(*tops: float) -> list[tuple[float, float]]:
    """(range top, tick step) per axis for axes drawn over one plot: every axis starts at 0,
    has round ticks, the same number of intervals (so one set of gridlines serves all and 0
    is level with 0) and a top tick at or above its largest value. Of 4 to 6 intervals, the
    count that leaves the emptiest axis the least empty."""
    tops = tuple(t if t and t > 0 else 1.0 for t in tops)
    best: tuple[float, list[tuple[float, float]]] | None = None
    for intervals in (4, 5, 6):
        steps = [_nice_step(t / intervals) for t in tops]
        axes = [(float(f"{intervals * step:.12g}"), step) for step in steps]
        fill = min(t / top for t, (top, _step) in zip(tops, axes, strict=True))
        if best is None or fill > best[0]:
            best = (fill, axes)
    assert best is not None
    return best[1]


def _memory_estimate_bytes(run: MeasurementRun) -> int | None:
    """The estimate of what ``run.peak_bytes`` shows: the peak on a GPU, the weights on CPU."""
    if run.memory_is_peak:
        return (run.residuals or {}).get("peak_estimate_bytes")
    return (run.estimate or {}).get("weights_bytes")


def _chart_figure(runs: list[MeasurementRun]) -> dict[str, Any] | None:
    """A plotly figure (plain JSON: the page loads plotly.js) of tok/s and memory per run,
    each measured figure a bar and its estimate a mark across that bar (the roofline's tok/s
    on a GPU; the peak estimate on a GPU, the weights' on CPU): the table under the chart has
    the measured figures only. Traces without any value are left out (a CPU run has no
    roofline), so the legend names only what is drawn.

    Two bars per run, side by side (tok/s on the left axis, memory on the right, in the
    binary unit its largest value reaches: a tiny model's 4 MiB read "0.004 GiB"): runs are
    separate requests (another dtype, batch or device), so no line joins them, and a lone
    run's memory is not hidden behind its tok/s bar. Both axes start at 0 and share their
    gridlines (see ``_shared_ticks``), so bar heights compare honestly. Each trace has a
    ``uid`` (tok_s, tok_s_estimate, memory_peak, memory_weights, memory_estimate).
    """
    from axes.readable import BINARY_UNITS, bytes_scaled
    from catalog.views_support import plotly_separators

    done = [r for r in reversed(runs) if r.status == Status.SUCCEEDED and r.result]
    if not done:
        return None
    # Each run by its number alone: its device, dtype, batch and mode are in the table below
    # and in the bar's hover text. Written out under the bars ("#5 cpu bfloat16 b1 sliced"),
    # plotly turned them aslant on a phone, under the legend and past the chart's edge.
    labels = [f"#{r.pk}" for r in done]
    details = [
        f"#{r.pk} · {r.get_device_kind_display()} · {r.dtype} · {_('Batch')} {r.batch} · {r.mode}"
        for r in done
    ]
    tok_s = [r.decode_tokens_per_s for r in done]
    tok_est = [(r.result or {}).get("roofline_tokens_per_s") for r in done]
    memory = [r.peak_bytes for r in done]
    memory_est = [_memory_estimate_bytes(r) for r in done]
    top_bytes = max((v for v in memory + memory_est if v), default=0)
    unit = bytes_scaled(top_bytes)[1]  # the unit the largest value reaches
    unit_bytes = dict(BINARY_UNITS).get(unit, 1)

    def in_unit(values: list[Any]) -> list[float | None]:
        return [v / unit_bytes if isinstance(v, int | float) and v else None for v in values]

    def only(values: list[Any], keep: list[bool]) -> list[Any]:
        return [v if k else None for v, k in zip(values, keep, strict=True)]

    peak = [r.memory_is_peak for r in done]
    memory_u, memory_est_u = in_unit(memory), in_unit(memory_est)
    (tok_top, tok_step), (mem_top, mem_step) = _shared_ticks(
        max((v for v in tok_s + tok_est if v is not None), default=0.0),
        max((v for v in memory_u + memory_est_u if v is not None), default=0.0),
    )
    estimate_mark = {"symbol": "line-ew", "size": 16, "line": {"width": 3}}
    traces = [
        {
            "uid": "tok_s",
            "type": "bar",
            "name": _("decode tokens/s, measured"),
            "y": tok_s,
            "yaxis": "y",
            "offsetgroup": "tok_s",
            "marker": {"color": "#2f6fb0"},
        },
        {
            "uid": "tok_s_estimate",
            "type": "scatter",
            "mode": "markers",
            "name": _("decode tokens/s, roofline estimate"),
            "y": tok_est,
            "yaxis": "y",
            "offsetgroup": "tok_s",
            "marker": {**estimate_mark, "line": {"width": 3, "color": "#12385f"}},
        },
        {
            "uid": "memory_peak",
            "type": "bar",
            "name": _("peak memory on the GPU, measured"),
            "y": only(memory_u, peak),
            "yaxis": "y2",
            "offsetgroup": "memory",
            "marker": {"color": "#d9822b"},
        },
        {
            "uid": "memory_weights",
            "type": "bar",
            "name": _("weights on CPU, counted from the loaded tensors"),
            "y": only(memory_u, [not p for p in peak]),
            "yaxis": "y2",
            "offsetgroup": "memory",
            "marker": {"color": "#efb97f"},
        },
        {
            "uid": "memory_estimate",
            "type": "scatter",
            "mode": "markers",
            "name": _("memory, estimated (peak on a GPU, weights on CPU)"),
            "y": memory_est_u,
            "yaxis": "y2",
            "offsetgroup": "memory",
            "marker": {**estimate_mark, "line": {"width": 3, "color": "#7a3d06"}},
        },
    ]
    data = [
        {**t, "x": labels, "hovertext": details}
        for t in traces
        if any(v is not None for v in t["y"])
    ]
    return {
        "data": data,
        "layout": {
            "height": 360,
            "margin": {"t": 30, "r": 70, "l": 70, "b": 60},
            "separators": plotly_separators(),
            "barmode": "group",
            "scattermode": "group",  # an estimate's mark over its own bar, not between two
            "xaxis": {"type": "category"},
            "yaxis": {
                "title": {"text": _("decode tokens/s")},
                "range": [0, tok_top],
                "tickmode": "linear",
                "tick0": 0,
                "dtick": tok_step,
            },
            "yaxis2": {
                "title": {"text": _("memory (%(unit)s)") % {"unit": unit}},
                "overlaying": "y",
                "side": "right",
                "range": [0, mem_top],
                "tickmode": "linear",
                "tick0": 0,
                "dtick": mem_step,
                "showgrid": False,  # the left axis's gridlines are at the same heights
            },
            "legend": {"orientation": "h"},
        },
    }


def runs_panel_context(revision: Revision, *, limit: int = 20) -> dict[str, Any]:
    """Everything ``profiler/_panel.html`` needs, in one query (the runs of this revision)."""
    runs = list(
        MeasurementRun.objects.filter(revision=revision).order_by("-created_at", "-id")[:limit]
    )
    latest = runs[0] if runs else None
    from profiler.forms import MeasureForm  # forms import this module's limits

    context = {
        "revision": revision,
        "form": MeasureForm(),
        "chart_id": f"profiler-chart-{revision.pk}",
        "runs": runs,
        "latest_run": latest,
        "active_runs": [r for r in runs if r.is_active],
        # the history holds runs that ended: an active run is shown once, live, above it
        # (a second, static copy in the table went stale and contradicted the live one)
        "finished_runs": [r for r in runs if not r.is_active],
        "chart_figure": _chart_figure(runs),
        "form_defaults": {
            "mode": MeasurementRun.Mode.SYNTHETIC,
            "dtype": MeasurementRun.Dtype.BFLOAT16,
            "batch": 1,
            "prompt_len": 128,
            "new_tokens": 64,
            "device": settings.PROFILER_DEFAULT_DEVICE,
        },
        "mode_choices": MeasurementRun.Mode.choices,
        "dtype_choices": MeasurementRun.Dtype.choices,
        "device_choices": MeasurementRun.Device.choices,
    }
    context["panel"] = context  # _panel.html reads ``panel``; passing this dict renders it as is
    return context


def _weights_row(
    result: dict[str, Any], est: dict[str, Any], res: dict[str, Any]
) -> dict[str, Any]:
    """On CUDA, the memory the load allocated against the estimate, within a tolerance. Else
    (CPU, or a run recorded before ``weights_bytes_counted`` existed, whose
    ``weights_bytes_allocated`` was numel x element size) the weights counted from the loaded
    tensors: a count that matches once the parameter count does, so no tolerance is shown."""
    if "weights_bytes_counted" in result and result.get("weights_bytes_allocated") is not None:
        return {
            "label": _("weights memory (allocated after load)"),
            "unit": "bytes",
            "measured": result["weights_bytes_allocated"],
            "estimated": est.get("weights_bytes"),
            "residual": res.get("memory_fraction"),
            "residual_is_fraction": True,
            "tolerance": res.get("memory_tolerance"),
        }
    if "weights_bytes_counted" in result:
        counted, fraction = result["weights_bytes_counted"], res.get("weights_counted_fraction")
    else:
        counted, fraction = result.get("weights_bytes_allocated"), res.get("memory_fraction")
    return {
        "label": _("weights, counted from the loaded tensors (not measured memory)"),
        "unit": "bytes",
        "measured": counted,
        "estimated": est.get("weights_bytes"),
        "residual": fraction,
        "residual_is_fraction": True,
    }


def run_comparison_rows(run: MeasurementRun) -> list[dict[str, Any]]:
    """Measured vs estimated, side by side, with the residual; for the results table."""
    result = run.result or {}
    est = run.estimate or {}
    res = run.residuals or {}
    decode_stats = result.get("decode_tokens_per_s") or {}
    decode = decode_stats.get("median")
    rows = [
        {
            "label": _("parameters"),
            "unit": "count",
            "measured": result.get("params_loaded"),
            "estimated": est.get("params_total"),
            "residual": res.get("params"),
        },
        {
            # counted from the loaded model: its parameters less the routed experts a
            # token's top-k leaves out (profiler.core.measure.params_active_counted)
            "label": _("active parameters"),
            "unit": "count",
            "measured": result.get("params_active_counted"),
            "estimated": est.get("params_active"),
            "residual": res.get("params_active"),
        },
        _weights_row(result, est, res),
        {
            "label": _("peak memory"),
            "unit": "bytes",
            "measured": result.get("peak_allocated_bytes"),
            "estimated": res.get("peak_estimate_bytes"),
            "residual": res.get("peak_fraction"),
            "residual_is_fraction": True,
            "tolerance": res.get("peak_tolerance"),
        },
        {
            "label": _("decode tokens/s"),
            "unit": "tok/s",
            "measured": decode,
            # the median of a few timed runs: their spread says how far to trust it (a busy
            # CPU's runs can differ several-fold), as the terminal summary prints it
            "spread": (
                (decode_stats["min"], decode_stats["max"], decode_stats.get("runs"))
                if decode_stats.get("min") is not None
                and decode_stats.get("max") is not None
                and (decode_stats.get("runs") or 0) > 1
                else None
            ),
            "estimated": result.get("roofline_tokens_per_s"),
            "residual": result.get("roofline_fraction"),
            "residual_is_fraction": True,
            "residual_label": _("fraction of roofline"),
        },
        {
            "label": _("prefill latency"),
            "unit": "ms",
            "measured": result.get("prefill_ms"),
            "estimated": None,
            "residual": None,
        },
    ]
    if result.get("device") == "cpu" and result.get("peak_allocated_bytes") is None:
        # torch counts peak allocations on CUDA only: on CPU the process's peak resident
        # memory is what was measured (weights, activations, the interpreter and libraries)
        rows[3] = {
            "label": _("peak host memory (RSS)"),
            "unit": "bytes",
            "measured": result.get("peak_rss_bytes"),
            "estimated": None,
            "residual": None,
        }
    return rows
