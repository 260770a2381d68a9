"""manage.py profile MODEL_ID_OR_PATH --device cpu|cuda [--mode ...] --wait

Enqueues a measurement run through Celery (a worker must consume queue ``gpu``). A local
folder is first stored as an upload revision (catalog.services.model_ingest_dir; under the ID
of a Hub or bundled model only with --replace, as ingest --dir) and its path is handed to the
worker, so checkpoint mode can read its safetensors; a Hub model ID uses the stored revision
(ingested first when unknown). With --wait, progress goes to stderr and a summary to stdout
(with --json, the result as one JSON line: the keys of ``python -m profiler.bench --json``); a
failed run exits non-zero with the reason (with --json, also as one JSON line:
``{"run", "status", "error": {"code", "message"}}``).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any, NoReturn

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalog.artifact_text import ArtifactInvalid
from catalog.hub import HubError, command_line_message
from catalog.ids import InvalidModelId
from catalog.models import Revision
from profiler.models import MeasurementRun
from profiler.services import RunRequestInvalid, run_request

_FLAGS = (("prompt_len", "--prompt-len"), ("new_tokens", "--new-tokens"), ("batch", "--batch"))


class Command(BaseCommand):
    help = "Measure a model (Hub ID or local folder) on a Celery worker; --wait prints the result."

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
            "--prompt-len", type=int, default=128, metavar="TOKENS", help="default: 128"
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
            "--json's keys) instead of a summary",
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
                raise CommandError(
                    f"{exc} Name the folder after another ID (for example local--{name}), or "
                    "pass --replace to do it anyway."
                ) from exc
            return ingested.revision, str(path.resolve())
        if target.startswith(("/", "./", "../", "~")) or path.exists():
            raise CommandError(f"{target} is not a folder: pass a model folder or a model ID.")
        # an invalid ID is said before any request
        target, model = catalog_services.model_lookup(text=target)
        revision = None
        if model is not None:
            revision = model.latest_revision or model.revisions.first()
        if revision is None:
            self.stderr.write(f"{target} is not stored yet: reading it from the Hub...")
            revision = catalog_services.model_ingest(repo_id=target).revision
        return revision, ""

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["timeout"] <= 0:
            raise CommandError("--timeout must be a positive number of seconds.")
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
        except (RunRequestInvalid, ValueError) as exc:
            message = str(exc)  # the form's field names, as this command's flags
            for field, flag in _FLAGS:
                message = re.sub(rf"(?<![\w-]){field}(?!\w)", flag, message)
            raise CommandError(message) from exc
        except (InvalidModelId, HubError, ArtifactInvalid) as exc:  # said as ingest says them
            raise CommandError(command_line_message(exc)) from exc
        except Exception as exc:  # anything else: its type helps whoever reads the report
            raise CommandError(f"{type(exc).__name__}: {exc}") from exc
        self.stderr.write(f"run {run.pk}: {run.status} ({revision})")
        if not opts["wait"]:
            if run.status == MeasurementRun.Status.FAILED:
                self._refuse(run, run.error, as_json=opts["json"])
            self.stdout.write(json.dumps({"run": run.pk, "status": run.status}))
            return
        try:
            run = self._wait(run.pk, opts["timeout"])
        except CommandError as exc:  # still queued or running at --timeout
            run.refresh_from_db()
            self._refuse(run, str(exc), as_json=opts["json"], code="timeout")
        if run.status != MeasurementRun.Status.SUCCEEDED:
            message = f"run {run.pk} {run.status}: {run.error or 'no reason given'}"
            self._refuse(run, message, as_json=opts["json"])
        if opts["json"]:
            self.stdout.write(json.dumps(run.result))
        else:
            from profiler.bench import result_summary

            self.stdout.write(f"run {run.pk} succeeded\n{result_summary(run.result)}")

    def _refuse(
        self, run: MeasurementRun, message: str, *, as_json: bool, code: str = ""
    ) -> NoReturn:
        """Exit non-zero with the reason; with --json the reason is also the one JSON line on
        stdout, shaped as ``python -m profiler.bench --json`` says a failure (a script that
        reads stdout got nothing at all)."""
        if as_json:
            error = {"code": code or run.error_code or run.status, "message": message}
            self.stdout.write(json.dumps({"run": run.pk, "status": run.status, "error": error}))
        raise CommandError(message)

    def _wait(self, run_id: int, timeout_s: float) -> MeasurementRun:
        started = time.monotonic()
        deadline = started + timeout_s
        # a queued run that no worker claimed by then gets a hint, once (as the page says it)
        hint_after_s = settings.PROFILER_QUEUED_HINT_AFTER_S
        last = None
        hinted = False
        while True:
            run = MeasurementRun.objects.get(pk=run_id)
            shown = (run.status, run.stage, run.progress_pct)
            if shown != last:
                bar = "#" * (run.progress_pct // 5)
                self.stderr.write(
                    f"[{bar:<20}] {run.progress_pct:3d}% {run.status} {run.stage}".rstrip()
                )
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
                    f"still queued after {hint_after_s:g} s: is a worker consuming queue gpu? "
                    "(celery -A mechanic worker -Q gpu --concurrency 1); waiting on."
                )
                hinted = True
            if time.monotonic() > deadline:
                raise CommandError(
                    f"run {run_id} is still {run.status} after {timeout_s:.0f} s; it goes on. "
                    "Is a worker consuming queue gpu? (celery -A mechanic worker -Q gpu ...)"
                )
            time.sleep(0.5)
