"""manage.py profile MODEL_ID_OR_PATH --device cpu|cuda [--mode ...] --wait

Enqueues a measurement run through Celery (a worker must consume queue ``gpu``). A local
folder is first stored as an upload revision (catalog.services.model_ingest_dir; under the ID
of a Hub or bundled model only with --replace, as ingest --dir) and its path is handed to the
worker, so checkpoint mode can read its safetensors; a Hub model ID uses the stored revision
(ingested first when unknown). With --wait, progress goes to stderr and a summary to stdout
(with --json, the result as one JSON line: the keys of ``python -m profiler.bench --json``).
Any failure exits non-zero with the reason on stderr; with --json it is also the one JSON line
on stdout, ``{"run", "status", "error": {"code", "message"}}`` (run and status null when no run
was made: a bad ID, an unreachable Hub, a refused request, an unmigrated database; the run's
own once it was, whatever failed after), as ``manage.py analyze --json`` says its failures.

The progress line, the status and the durations are said in the user's language (LANGUAGE,
LC_ALL, LC_MESSAGES or LANG: en, ko, de), in the run page's words.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any, NoReturn

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from axes.cli import CliError, command_words, error_document, printable
from axes.l10n import environment_language
from catalog.artifact_text import ArtifactInvalid
from catalog.hub import HubError, command_line_message
from catalog.ids import InvalidModelId
from catalog.management.jsoncli import JsonUsageErrorMixin, database_check
from catalog.models import Artifact, CatalogModel, Revision
from catalog.templatetags.mechanic import duration_h
from profiler.models import MeasurementRun
from profiler.services import RunRequestInvalid, run_request
from profiler.templatetags.profiler_tags import run_stage

_FLAGS = (("prompt_len", "--prompt-len"), ("new_tokens", "--new-tokens"), ("batch", "--batch"))


def _refused(message: str, *, code: str) -> CommandError:
    """A failure before any run was made, with its code for --json (a CommandError itself:
    Django prints the class's name before the message)."""
    error = CommandError(printable(message))
    error.code = code  # type: ignore[attr-defined]
    return error


class Command(JsonUsageErrorMixin, BaseCommand):
    help = "Measure a model (Hub ID or local folder) on a Celery worker; --wait prints the result."

    json_error_extra = {"run": None, "status": None}  # no run was made
    _run: MeasurementRun | None = None  # the run, once made: a later failure names it

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "target", help="a local model folder, or a model ID (org/name or a Hub URL)"
        )
        from django.conf import settings

        default_device = settings.PROFILER_DEFAULT_DEVICE
        parser.add_argument(
            "--device",
            choices=["cpu", "cuda"],
            default=default_device,
            help=f"where the worker runs the model (default: {default_device}, from "
            "PROFILER_DEFAULT_DEVICE)",
        )
        parser.add_argument(
            "--mode",
            choices=[c for c, _ in MeasurementRun.Mode.choices],
            default="auto",
            help="checkpoint: the real safetensors weights; synthetic: random weights of the "
            "same shapes (nothing downloaded); sliced: a few layers, extrapolated; auto: "
            "checkpoint when the folder has weights, else synthetic (default: auto)",
        )
        parser.add_argument(
            "--dtype",
            choices=[c for c, _ in MeasurementRun.Dtype.choices],
            default="bfloat16",
            help="weights and activations (default: bfloat16)",
        )
        parser.add_argument(
            "--batch", type=int, default=1, metavar="N", help="sequences at once (default: 1)"
        )
        parser.add_argument(
            "--prompt-len",
            type=int,
            default=128,
            metavar="TOKENS",
            help="tokens in the prompt, the prefill timing (default: 128)",
        )
        parser.add_argument(
            "--new-tokens",
            type=int,
            default=64,
            metavar="TOKENS",
            help="tokens generated, the decode timing (default: 64)",
        )
        parser.add_argument(
            "--wait", action="store_true", help="wait for the run, with progress, and print it"
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="with --wait: print the result as one JSON line (python -m profiler.bench "
            "--json's keys) instead of a summary. A failure prints "
            '{"run": ..., "status": ..., "error": {"code": ..., "message": ...}} instead (run '
            "and status null when no run was made) and exits non-zero (codes: usage, "
            "invalid_option, invalid_request, invalid_model_id, not_a_folder, model_shadowed, "
            "invalid_artifact, database_not_ready, the Hub's unreachable, timeout, repo_not_found, gated_repo, ..., "
            "internal_error; for a run: its error code, or timeout when --wait gave up)",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="with a folder: store it even under the ID of a model fetched from the Hub or "
            "bundled (its page then shows the folder's files)",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=3600.0,
            metavar="SECONDS",
            help="how long --wait waits (default: 3600); the run goes on after it",
        )

    def _revision(self, target: str, *, replace: bool) -> tuple[Revision, str]:
        from catalog import services as catalog_services

        path = Path(target)
        if path.is_dir():
            same = catalog_services.hub_snapshot_revision(path)
            if same is not None and not replace:
                # a Hub cache snapshot of the commit the catalog already holds: the same files
                return same, str(path.resolve())
            try:
                ingested = catalog_services.model_ingest_dir(path=path, replace=replace)
            except catalog_services.ModelShadowed as exc:
                # the folder's name is its ID here (no --id): say how to give it another one
                name = exc.repo_id.split("/")[-1]
                hint = _(
                    "Name the folder after another ID (for example local--%(name)s), or pass "
                    "--replace to do it anyway."
                ) % {"name": name}
                raise _refused(f"{exc} {hint}", code="model_shadowed") from exc
            return ingested.revision, str(path.resolve())
        if target.startswith(("/", "./", "../", "~")) or path.exists():
            raise _refused(
                _("%(target)s is not a folder: pass a model folder or a model ID.")
                % {"target": target},
                code="not_a_folder",
            )
        # an invalid ID is said before any request
        target, model = catalog_services.model_lookup(text=target)
        revision = None
        if model is not None:
            revision = model.latest_revision or model.revisions.first()
        if revision is None:
            self.stderr.write(
                _("%(id)s is not stored yet: reading it from the Hub...") % {"id": target}
            )
            revision = catalog_services.model_ingest(repo_id=target).revision
        return revision, ""

    def handle(self, *args: Any, **opts: Any) -> None:
        # the page's words in the user's language; the summary of figures too (profiler.bench
        # writes it, framework-free, with the same catalogs: axes.l10n)
        with translation.override(environment_language(os.environ)):
            try:
                self._handle(opts)
            except CommandError as exc:
                code = getattr(exc, "code", None)
                if opts["json"] and code:  # no run was made (a run's failure is said already)
                    self.stdout.write(error_document(code, str(exc), **self._run_said()))
                raise
            except Exception as exc:  # a bug: the traceback stays, and --json still says it
                if opts["json"]:
                    message = f"{type(exc).__name__}: {exc}"
                    self.stdout.write(error_document("internal_error", message, **self._run_said()))
                raise

    def _run_said(self) -> dict[str, Any]:
        """The --json failure's run and status: the run's, once it was made (a database error
        while waiting on it said null for a run that exists), else null."""
        if self._run is None:
            return dict(self.json_error_extra)
        return {"run": self._run.pk, "status": self._run.status}

    def _handle(self, opts: dict[str, Any]) -> None:
        self._run = None
        if opts["timeout"] <= 0:
            raise _refused(
                _("--timeout must be a positive number of seconds."), code="invalid_option"
            )
        words = command_words()
        try:  # an unmigrated database is said as analyze says it, before the Hub is asked
            database_check(CatalogModel, Revision, Artifact, MeasurementRun, words=words)
        except CliError as exc:
            raise _refused(str(exc), code=exc.code) from exc
        try:
            revision, source_dir = self._revision(opts["target"], replace=opts["replace"])
            run = run_request(
                revision=revision,
                mode=opts["mode"],
                dtype=opts["dtype"],
                batch=opts["batch"],
                prompt_len=opts["prompt_len"],
                new_tokens=opts["new_tokens"],
                device=opts["device"],
                source_dir=source_dir,
            )
        except CommandError:
            raise
        except InvalidModelId as exc:  # said as ingest says it (a ValueError: before the next)
            raise _refused(command_line_message(exc), code="invalid_model_id") from exc
        except ArtifactInvalid as exc:
            raise _refused(command_line_message(exc), code="invalid_artifact") from exc
        except (RunRequestInvalid, ValueError) as exc:
            message = str(exc)  # the form's field names, as this command's flags
            for field, flag in _FLAGS:
                message = re.sub(rf"(?<![A-Za-z0-9_-]){field}(?![A-Za-z0-9_])", flag, message)
            raise _refused(message, code="invalid_request") from exc
        except HubError as exc:  # said as ingest says them
            raise _refused(command_line_message(exc), code=exc.code) from exc
        except Exception as exc:  # anything else: its type helps whoever reads the report
            raise _refused(f"{type(exc).__name__}: {exc}", code="internal_error") from exc
        self._run = run
        self.stderr.write(
            _("run %(id)s: %(status)s (%(revision)s)")
            % {"id": run.pk, "status": run.get_status_display(), "revision": revision}
        )
        if not opts["wait"]:
            if run.status == MeasurementRun.Status.FAILED:
                self._refuse(run, self._error_text(run), as_json=opts["json"])
            self.stdout.write(json.dumps({"run": run.pk, "status": run.status}))
            return
        try:
            run = self._wait(run.pk, opts["timeout"])
        except CommandError as exc:  # still queued or running at --timeout
            run.refresh_from_db()
            self._refuse(run, str(exc), as_json=opts["json"], code="timeout")
        if run.status != MeasurementRun.Status.SUCCEEDED:
            message = _("run %(id)s %(status)s: %(reason)s") % {
                "id": run.pk,
                "status": run.get_status_display(),
                "reason": self._error_text(run),
            }
            self._refuse(run, message, as_json=opts["json"])
        if opts["json"]:
            self.stdout.write(json.dumps(run.result))
        else:
            from profiler.bench import result_summary

            took = run.ran_for_s
            head = (
                _("run %(id)s succeeded in %(duration)s")
                % {"id": run.pk, "duration": duration_h(took)}
                if took is not None
                else _("run %(id)s succeeded") % {"id": run.pk}
            )
            self.stdout.write(f"{head}\n{result_summary(run.result, words)}")

    @staticmethod
    def _error_text(run: MeasurementRun) -> str:
        """A failure as the run page says it: its details in the active language where the
        message has a template, else the stored message."""
        return run.error_translated or run.error or _("no reason given")

    def _refuse(
        self, run: MeasurementRun, message: str, *, as_json: bool, code: str = ""
    ) -> NoReturn:
        """Exit non-zero with the reason; with --json the reason is also the one JSON line on
        stdout, shaped as ``python -m profiler.bench --json`` says a failure (a script that
        reads stdout got nothing at all)."""
        if as_json:
            code = code or run.error_code or run.status
            self.stdout.write(error_document(code, message, run=run.pk, status=run.status))
        raise CommandError(printable(message))

    def _wait(self, run_id: int, timeout_s: float) -> MeasurementRun:
        started = time.monotonic()
        deadline = started + timeout_s
        # a queued run that no worker claimed by then gets a hint, once (as the page says it)
        hint_after_s = settings.PROFILER_QUEUED_HINT_AFTER_S
        last = None
        hinted = False
        while True:
            run = MeasurementRun.objects.get(pk=run_id)
            self._run = run  # its latest status, should a later step fail
            shown = (run.status, run.stage, run.progress_pct)
            if shown != last:
                self.stderr.write(progress_line(run))
                last = shown
            if not run.is_active:
                return run
            if (
                not hinted
                and run.status == run.Status.QUEUED
                and (time.monotonic() - started > hint_after_s)
            ):
                # said once, early: waiting the whole --timeout to learn that no worker runs
                # is an hour by default
                self.stderr.write(
                    _(
                        "still queued after %(duration)s: is a worker consuming queue gpu? "
                        "(celery -A mechanic worker -Q gpu --concurrency 1); waiting on."
                    )
                    % {"duration": duration_h(hint_after_s)}
                )
                hinted = True
            if time.monotonic() > deadline:
                raise CommandError(
                    _(
                        "run %(id)s is still %(status)s after %(duration)s; it goes on. Is a "
                        "worker consuming queue gpu? (celery -A mechanic worker -Q gpu ...)"
                    )
                    % {
                        "id": run_id,
                        "status": run.get_status_display(),
                        "duration": duration_h(timeout_s),
                    }
                )
            time.sleep(0.5)


def progress_line(run: MeasurementRun) -> str:
    """``[#####               ]  25% running · building the model``: the run page's status
    and stage words (``run_stage``), in the active language."""
    bar = "#" * (run.progress_pct // 5)
    stage = run_stage(run.stage) if run.stage else _("waiting for a worker")
    return f"[{bar:<20}] {run.progress_pct:3d}% {run.get_status_display()} · {stage}"
