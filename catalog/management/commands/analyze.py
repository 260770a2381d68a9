"""``manage.py analyze PATH_OR_MODEL_ID [--json] [--context N] [--batch N] [--kv-dtype bf16|fp8]
[--gpu H100-SXM]``: the four-axis analysis of a local folder or a catalog model.

A PATH (a folder holding config.json) is analyzed offline without touching the database.
A MODEL_ID (org/name) is read from the catalog's latest stored revision; when it is not in
the catalog the command says so and suggests ``manage.py ingest``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Analyze a model folder (offline) or a catalog model: parameters, memory, compute, facts."
    )
    # System checks import every URLconf (django-ninja, ...): skipping them keeps the offline
    # PATH case well under a second. Nothing here depends on them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", help="a folder with config.json, or org/name")
        parser.add_argument("--json", action="store_true", help="print the full JSON report")
        parser.add_argument("--context", type=int, default=None, help="context length in tokens")
        parser.add_argument("--batch", type=int, default=1, help="sequences in the batch")
        parser.add_argument("--kv-dtype", default="bf16", choices=["bf16", "fp16", "fp8", "fp32"])
        parser.add_argument("--gpu", default=None, help="GPU for the headline figures (H100-SXM)")

    def handle(self, *args: Any, **options: Any) -> None:
        from axes.analysis import ArtifactError, analyze_artifacts, artifacts_from_dir
        from axes.backbone import gpu_get

        target: str = options["target"]
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1")
        if options["context"] is not None and options["context"] < 1:
            raise CommandError("--context must be at least 1")
        gpu = None
        if options["gpu"]:
            try:
                gpu = gpu_get(options["gpu"])
            except KeyError as exc:
                raise CommandError(str(exc.args[0])) from exc
        path = Path(target)
        if path.is_dir():
            name = path.resolve().name
            repo_id = name.replace("--", "/", 1) if "--" in name else None
            try:
                arts = artifacts_from_dir(path, repo_id=repo_id)
            except ArtifactError as exc:
                raise CommandError(str(exc)) from exc
            if arts.config is None:
                raise CommandError(f"{path} has no config.json; point at a model folder.")
            try:
                result = analyze_artifacts(
                    arts,
                    context_len=options["context"],
                    batch=options["batch"],
                    kv_dtype=options["kv_dtype"],
                )
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            if result.get("params") is None:
                raise CommandError(f"{path / 'config.json'}: {result.get('backbone_error')}")
        else:
            result = self._from_catalog(target, options)
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2, default=str))
            return
        self.stdout.write(render_summary(result, gpu_key=gpu.key if gpu else None))

    def _from_catalog(self, target: str, options: dict[str, Any]) -> dict[str, Any]:
        if target.count("/") != 1 or target.startswith(("/", ".")):
            raise CommandError(
                f"{target!r} is neither a folder nor an org/name model ID. Pass a folder that "
                "holds config.json, or a model ID such as meta-llama/Llama-3.1-8B."
            )
        from django.db import DatabaseError

        from catalog.models import CatalogModel

        try:
            model = (
                CatalogModel.objects.filter(repo_id=target)
                .select_related("latest_revision")
                .first()
            )
        except DatabaseError as exc:
            raise CommandError(
                f"the catalog database is not ready ({exc}); run `python manage.py migrate`, "
                f"then `python manage.py ingest {target}`."
            ) from exc
        if model is None or model.latest_revision is None:
            raise CommandError(
                f"{target} is not in the catalog. Fetch it first with "
                f"`python manage.py ingest {target}`, or pass a local folder."
            )
        revision = model.latest_revision
        wants_default = (
            options["context"] is None and options["batch"] == 1 and (options["kv_dtype"] == "bf16")
        )
        if wants_default and revision.analysis and "params" in revision.analysis:
            return revision.analysis
        from axes.analysis import analyze_artifacts
        from catalog import services

        arts = services.revision_artifacts(revision)
        return analyze_artifacts(
            arts,
            context_len=options["context"],
            batch=options["batch"],
            kv_dtype=options["kv_dtype"],
        )


def _fmt_int(n: Any) -> str:
    return f"{n:,}" if isinstance(n, int) else "-"


def _fmt_bytes(n: Any) -> str:
    if not isinstance(n, int | float):
        return "-"
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if abs(n) >= size:
            return f"{n / size:.2f} {unit}"
    return f"{int(n)} B"


def _fmt_max_context(tokens: Any, gpu_key: str) -> str:
    """0 means the weights (plus any recurrent state) alone exceed the GPU's memory."""
    if tokens is None:
        return "unbounded"
    if tokens == 0:
        from axes.backbone import gpu_get

        try:
            gb = gpu_get(gpu_key).memory_bytes / 1e9  # the table holds the vendor's decimal GB
        except (KeyError, ValueError):
            return "does not fit (weights exceed the GPU's memory)"
        return f"does not fit (weights exceed {gb:g} GB)"
    return _fmt_int(tokens)


def render_summary(result: dict[str, Any], *, gpu_key: str | None = None) -> str:
    lines: list[str] = [f"Model: {result.get('repo_id') or '-'}"]
    if result.get("params") is None:
        lines.append(f"Backbone: not analyzed ({result.get('backbone_error', 'no config')})")
    else:
        p, m, c, b = result["params"], result["memory"], result["compute"], result["backbone"]
        gpus = list(m["max_context_by_gpu"])
        gpu = gpu_key if gpu_key in gpus else "H100-SXM"
        rows = [
            (
                "family",
                f"{b['family']} ({b['decoder_type']})"
                + (" [estimated]" if result.get("estimated") else ""),
            ),
            ("layers", f"{b['layers']['num_layers']}: {b['layers']['summary']}"),
            (
                "attention",
                f"{b['attention']['variant']}, {b['attention']['num_attention_heads']} heads, "
                f"{b['attention']['num_kv_heads']} KV heads, head_dim {b['attention']['head_dim']}",
            ),
            ("params total", _fmt_int(p["total"])),
            ("params active", _fmt_int(p["active"])),
            ("active w/o input emb.", _fmt_int(p["active_excluding_input_embedding"])),
            ("weights bf16", _fmt_bytes(m["weights_bytes"]["bf16"])),
            ("weights stored", _fmt_bytes(m["weights_bytes"]["stored"])),
            ("KV / token (bf16)", f"{_fmt_int(m['kv_bytes_per_token'])} B"),
            (
                f"KV @ {m['kv_bytes']['context']:,} x {m['kv_bytes']['batch']}",
                _fmt_bytes(m["kv_bytes"]["bytes"]),
            ),
            ("state / sequence", _fmt_bytes(m["state_bytes_per_sequence"])),
            ("context (native)", _fmt_int(b["context_length"])),
            (f"max context {gpu}", _fmt_max_context(m["max_context_by_gpu"].get(gpu), gpu)),
            ("FLOPs / token", f"{c['flops_per_token']:.3e}"),
            (f"decode roofline {gpu}", f"{c['roofline'].get(gpu)} tok/s"),
        ]
        width = max(len(k) for k, _ in rows)
        lines += [f"  {k.ljust(width)}  {v}" for k, v in rows]
        ck = result.get("checkpoint")
        if ck and ck.get("stored_total") is not None:
            lines.append(
                f"Checkpoint: stored {_fmt_int(ck['stored_total'])} vs analytic "
                f"{_fmt_int(ck['analytic_total'])} ({'explained' if ck['explained'] else 'NOT explained'})"
            )
            for e in ck["explanations"]:
                lines.append(f"  {_fmt_int(e['params']):>18}  {e['reason']}")
    facts = result.get("facts") or []
    if facts:
        lines.append(f"Facts ({len(facts)}):")
        for f in facts:
            value = (
                f["value"]
                if not isinstance(f["value"], dict)
                else json.dumps(f["value"], default=str)
            )
            value = str(value)
            lines.append(
                f"  {f['kind']:<28} {value[:90]}  [{f['evidence']['source']}: {f['evidence']['locator'][:40]}]"
            )
    for note in result.get("notes") or []:
        lines.append(f"note: {note}")
    return "\n".join(lines)
