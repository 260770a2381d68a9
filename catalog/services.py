"""Catalog services: ingest a model from the Hub, a folder, an upload or the bundled catalog.

Every path ends in ``_revision_store``: one transaction that creates the Revision, its
Artifacts and moves ``CatalogModel.latest_revision``, so a revision lands whole or not at all.
All network reads happen before that transaction. Ingestion is idempotent per (repo_id, sha):
a sha already stored is answered from the database with no writes.

A Hub ingest then follows the card's ``base_model`` (``lineage_follow``): parents not yet in
the catalog are ingested, each in its own transaction after the child has landed, up to
``LINEAGE_FOLLOW_DEPTH`` hops; a parent that cannot be fetched leaves a note on its child's
revision and never fails the child.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, When
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from axes import analysis as axes_analysis

from .artifact_text import (
    KNOWN_FILES,
    SAFETENSORS_MAX_SHARDS,
    ArtifactInvalid,
    FileText,
    file_text_build,
    safetensors_header_from_file,
    sha256_hex,
)
from .error_detail import CATALOG_DETAILS, Detail, detail, detail_render
from .ids import InvalidModelId, model_ref_parse, repo_id_validate
from .models import Artifact, CatalogModel, IngestJob, Revision

logger = logging.getLogger(__name__)

Progress = Callable[[str, int], None]  # (stage, percent 0-100)

DEMO_DIR = Path(__file__).resolve().parent / "demo"

# Hops of base_model followed after a Hub ingest (a model, its base, the base's base...).
LINEAGE_FOLLOW_DEPTH = 3
# Parents followed per model (a merge may name many bases).
LINEAGE_MAX_PARENTS = 3


@dataclass
class IngestResult:
    model: CatalogModel
    revision: Revision
    created: bool  # False: this (repo_id, sha) was already stored and nothing was written
    notes: list[str] = field(default_factory=list)
    lineage: list[str] = field(default_factory=list)  # base models ingested after this one

    def summary_line(self) -> str:
        state = "ingested" if self.created else "unchanged"
        n = self.revision.artifacts.count()
        return (
            f"{state} {self.model.repo_id}@{self.revision.sha[:12]} "
            f"({self.revision.source}, {n} artifact{'' if n == 1 else 's'})"
        )


def _report(progress: Progress | None, stage: str, pct: int) -> None:
    if progress is not None:
        progress(stage, max(0, min(100, pct)))


# ---------------------------------------------------------------------------------------------
# Artifacts dataclass <-> rows, and the analysis


def _artifacts_build(
    *,
    repo_id: str,
    files: list[FileText],
    headers: dict[str, dict[str, Any]],
    model_info: dict[str, Any],
) -> axes_analysis.Artifacts:
    arts = axes_analysis.Artifacts(repo_id=repo_id, model_info=model_info or None)
    by_kind = {f.kind: f for f in files}
    for kind in (
        "config",
        "generation_config",
        "tokenizer_config",
        "safetensors_index",
        "quant_config",
    ):
        f = by_kind.get(kind)
        if f is not None and isinstance(f.data, dict):
            setattr(arts, kind, f.data)
    if "chat_template" in by_kind:
        arts.chat_template = by_kind["chat_template"].text
    elif arts.tokenizer_config and isinstance(arts.tokenizer_config.get("chat_template"), str):
        arts.chat_template = arts.tokenizer_config["chat_template"]
    if "card" in by_kind:
        arts.card = by_kind["card"].text
    arts.safetensors_headers = dict(headers)
    arts.extra_facts = list((model_info or {}).get("facts") or [])
    return arts


def model_lookup(*, text: str) -> tuple[str, CatalogModel | None]:
    """What a user typed (a model ID in any casing, or a Hub URL) -> (its repo ID, its catalog
    model or None). Raises ``InvalidModelId`` for text that is no model ID. Hub IDs ignore
    case, so the catalog's own spelling is returned when the model is there."""
    repo_id = model_ref_parse(text).repo_id
    model = (
        CatalogModel.objects.select_related("latest_revision")
        .filter(repo_id__iexact=repo_id)
        .order_by(Case(When(repo_id=repo_id, then=0), default=1))  # the exact spelling first
        .first()
    )
    return (model.repo_id if model is not None else repo_id), model


def revision_artifacts(revision: Revision) -> axes_analysis.Artifacts:
    """Rebuild the ``Artifacts`` dataclass from a stored revision (no network)."""
    files: list[FileText] = []
    headers: dict[str, dict[str, Any]] = {}
    for art in revision.artifacts.all():
        if art.kind == Artifact.Kind.SAFETENSORS_HEADER:
            if isinstance(art.data, dict):
                headers[art.name] = art.data
            continue
        files.append(
            FileText(
                name=art.name,
                kind=art.kind,
                text=art.text,
                size_bytes=art.size_bytes,
                sha256=art.sha256,
                truncated=art.truncated,
                note=art.note,
                data=art.data,
            )
        )
    return _artifacts_build(
        repo_id=revision.model.repo_id,
        files=files,
        headers=headers,
        model_info=revision.model_info,
    )


def _analysis_compute(arts: axes_analysis.Artifacts) -> tuple[dict[str, Any], int, list[str]]:
    """Run ``axes.analysis.analyze_artifacts``; a failure is recorded, never fatal to ingest."""
    analyze = getattr(axes_analysis, "analyze_artifacts", None)
    if analyze is None:
        return {}, 0, ["The analysis is not available in this version; it will be computed later."]
    try:
        result = analyze(arts)
        if hasattr(result, "to_dict"):
            result = result.to_dict()
        # Stored as JSON: make sure it round-trips (dataclasses, tuples, numpy ints).
        result = json.loads(json.dumps(result, default=str))
    except Exception as exc:  # an analyzer bug must not lose the fetched artifacts
        logger.exception("analysis failed for %s", arts.repo_id)
        note = f"The analysis failed ({type(exc).__name__}: {exc}); the artifacts are stored."
        return {"error": note}, 0, [note]
    if not isinstance(result, dict):
        result = {"result": result}
    return result, int(axes_analysis.ANALYSIS_VERSION), []


def analysis_refresh(*, revision: Revision) -> Revision:
    """Recompute ``revision.analysis`` from its stored artifacts."""
    analysis, version, notes = _analysis_compute(revision_artifacts(revision))
    revision.analysis = analysis
    revision.analysis_version = version
    revision.save(update_fields=["analysis", "analysis_version"])
    return revision


# ---------------------------------------------------------------------------------------------
# The one writer


def _existing_revision(repo_id: str, sha: str) -> Revision | None:
    return Revision.objects.select_related("model").filter(model__repo_id=repo_id, sha=sha).first()


def _revision_store(
    *,
    repo_id: str,
    sha: str,
    source: str,
    model_info: dict[str, Any],
    files: list[FileText],
    headers: dict[str, dict[str, Any]],
    notes: list[str],
    display_name: str = "",
    summary: str = "",
    progress: Progress | None = None,
) -> IngestResult:
    arts = _artifacts_build(repo_id=repo_id, files=files, headers=headers, model_info=model_info)
    _report(progress, "analysis", 92)
    analysis, version, analysis_notes = _analysis_compute(arts)
    all_notes = list(notes) + [n for f in files for n in f.notes] + analysis_notes
    _report(progress, "storing", 96)
    try:
        with transaction.atomic():
            model, created_model = CatalogModel.objects.get_or_create(
                repo_id=repo_id,
                defaults={"display_name": display_name, "summary": summary},
            )
            revision = Revision.objects.create(
                model=model,
                sha=sha,
                source=source,
                model_info=model_info,
                notes=all_notes,
                analysis=analysis,
                analysis_version=version,
            )
            rows = [
                Artifact(
                    revision=revision,
                    name=f.name,
                    kind=f.kind,
                    text=f.text,
                    data=f.data,
                    size_bytes=f.size_bytes,
                    sha256=f.sha256,
                    truncated=f.truncated,
                    note=f.note,
                )
                for f in files
            ]
            rows += [
                Artifact(
                    revision=revision,
                    name=name,
                    kind=Artifact.Kind.SAFETENSORS_HEADER,
                    data=header,
                    size_bytes=len(json.dumps(header)),
                )
                for name, header in headers.items()
            ]
            Artifact.objects.bulk_create(rows)
            fields = ["latest_revision", "updated_at"]
            if display_name and model.display_name != display_name:
                model.display_name = display_name
                fields.append("display_name")
            if summary and model.summary != summary:
                model.summary = summary
                fields.append("summary")
            # A bundled revision never hides one the user fetched or uploaded.
            current = model.latest_revision
            if (
                source != Revision.Source.BUNDLED
                or current is None
                or current.source == Revision.Source.BUNDLED
            ):
                model.latest_revision = revision
            model.save(update_fields=fields)
    except IntegrityError:
        # Another worker stored the same (repo_id, sha) between our check and our insert.
        existing = _existing_revision(repo_id, sha)
        if existing is None:
            raise
        return IngestResult(model=existing.model, revision=existing, created=False)
    _report(progress, "done", 100)
    return IngestResult(model=model, revision=revision, created=True, notes=all_notes)


def _unchanged(existing: Revision, progress: Progress | None) -> IngestResult:
    """An already stored sha: no writes, unless its stored analysis is outdated."""
    if existing.analysis_version < int(axes_analysis.ANALYSIS_VERSION) and hasattr(
        axes_analysis, "analyze_artifacts"
    ):
        analysis_refresh(revision=existing)
    _report(progress, "done", 100)
    return IngestResult(model=existing.model, revision=existing, created=False)


def _content_sha(files: list[FileText], headers: dict[str, dict[str, Any]]) -> str:
    """A stable content hash for uploads and folders: sha256 over names and contents."""
    digest = hashlib.sha256()
    for f in sorted(files, key=lambda f: f.name):
        digest.update(f.name.encode() + b"\0" + sha256_hex(f.text.encode()).encode() + b"\n")
    for name in sorted(headers):
        blob = json.dumps(headers[name], sort_keys=True).encode()
        digest.update(name.encode() + b"\0" + sha256_hex(blob).encode() + b"\n")
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# From the Hub


def model_ingest(
    *,
    repo_id: str,
    revision: str | None = None,
    progress: Progress | None = None,
    follow_lineage: bool = True,
) -> IngestResult:
    """Fetch one model revision's metadata from the Hub and store it (idempotent per sha).

    Raises ``InvalidModelId`` before any request, and ``catalog.hub.HubError`` subclasses with
    user-readable messages. Reads config/card/tokenizer files and safetensors headers only.
    With ``follow_lineage`` a newly stored revision's base models are ingested too
    (``lineage_follow``); their failures become notes, never this call's error.
    """
    result = _model_ingest_hub(repo_id=repo_id, revision=revision, progress=progress)
    if follow_lineage and result.created:
        lineage_follow(result=result, progress=progress)
        _report(progress, "done", 100)  # after any "base model: ..." stage
    return result


def _model_ingest_hub(
    *, repo_id: str, revision: str | None, progress: Progress | None
) -> IngestResult:
    from . import hub  # the only importer of huggingface_hub; imported lazily for the web process

    ref = model_ref_parse(repo_id, revision=revision)
    _report(progress, "model_info", 5)
    info = hub.hub_model_info(repo_id=ref.repo_id, revision=ref.revision)
    canonical = info.get("id") or ref.repo_id
    if canonical.lower() != ref.repo_id.lower():
        canonical = ref.repo_id  # the Hub moved the repo: keep what the user asked for
    sha = info["sha"]
    existing = _existing_revision(canonical, sha)
    if existing is not None:
        return _unchanged(existing, progress)

    siblings = info.get("siblings")
    present = set(siblings) if siblings is not None else None
    notes: list[str] = []
    files: list[FileText] = []
    names = [n for n in KNOWN_FILES if present is None or n in present]
    for i, name in enumerate(names):
        _report(progress, f"files: {name}", 10 + int(30 * i / max(1, len(names))))
        fetched = hub.hub_file_fetch(repo_id=canonical, sha=sha, filename=name)
        if fetched is not None:
            files.append(fetched)
    if not any(f.name == "config.json" for f in files):
        notes.append("The repo has no config.json: the backbone cannot be read from it.")

    headers = _hub_headers(hub, canonical, sha, present, files, notes, progress)
    return _revision_store(
        repo_id=canonical,
        sha=sha,
        source=Revision.Source.HUB,
        model_info=info,
        files=files,
        headers=headers,
        notes=notes,
        progress=progress,
    )


def lineage_follow(
    *,
    result: IngestResult,
    depth: int = LINEAGE_FOLLOW_DEPTH,
    progress: Progress | None = None,
) -> list[IngestResult]:
    """Ingest the base models a stored revision names, and theirs, up to ``depth`` hops.

    Runs after the child's transaction has committed: each parent lands in its own
    transaction. A parent already in the catalog is not fetched again (nor its own bases: they
    were followed when it was ingested). A parent that cannot be fetched (not found, gated,
    the Hub unreachable, ...) is recorded as a note on the revision that names it.
    """
    from axes.classify.lineage import base_models_named

    from .hub import HubError

    ingested: list[IngestResult] = []
    seen = {result.model.repo_id.lower()}
    frontier: list[tuple[IngestResult, int]] = [(result, 1)]
    while frontier:
        child, hop = frontier.pop(0)
        if hop > depth:
            continue
        facts = (child.revision.analysis or {}).get("facts") or []
        for base_id in base_models_named(facts)[:LINEAGE_MAX_PARENTS]:
            if base_id.lower() in seen:
                continue
            seen.add(base_id.lower())
            if CatalogModel.objects.filter(repo_id=base_id, latest_revision__isnull=False).exists():
                continue
            _report(progress, f"base model: {base_id}", 100)
            try:
                repo_id_validate(base_id)
                # the job's stage stays on the parent, but each of its files counts as
                # progress (a job silent for INGEST_STALE_AFTER_S is taken for abandoned)
                beat = (
                    None
                    if progress is None
                    else partial(_lineage_beat, progress, f"base model: {base_id}")
                )
                parent = _model_ingest_hub(repo_id=base_id, revision=None, progress=beat)
            except (HubError, InvalidModelId, ArtifactInvalid) as exc:
                note = f"Base model {base_id} was not ingested: {exc}"
            except Exception as exc:  # a parent's failure must never fail its child
                logger.exception("lineage: ingest of %s failed", base_id)
                note = (
                    f"Base model {base_id} was not ingested ({type(exc).__name__}); see the logs."
                )
            else:
                ingested.append(parent)
                result.lineage.append(parent.model.repo_id)
                frontier.append((parent, hop + 1))
                continue
            _revision_note_add(child.revision, note)
            child.notes.append(note)
            if child is not result:
                result.notes.append(note)
    return ingested


def _lineage_beat(progress: Progress, stage: str, _stage: str, _pct: int) -> None:
    progress(stage, 100)


def _revision_note_add(revision: Revision, note: str) -> None:
    """Append a visible note to a stored revision (its own small transaction)."""
    with transaction.atomic():
        row = Revision.objects.select_for_update().only("id", "notes").get(pk=revision.pk)
        notes = list(row.notes or [])
        if note not in notes:
            notes.append(note)
            Revision.objects.filter(pk=revision.pk).update(notes=notes)
        revision.notes = notes


def _shard_name_ok(name: Any) -> bool:
    return isinstance(name, str) and name.endswith(".safetensors") and ".." not in name


def _shard_names(
    files: list[FileText], present: set[str] | None, notes: list[str] | None = None
) -> list[str]:
    """The shards whose headers are read: the index's (``weight_map``), else model.safetensors.
    What the index names and cannot be read is said in ``notes`` (it was skipped in silence: a
    model page without its checkpoint's figures, and no word why)."""
    notes = [] if notes is None else notes
    index = next((f for f in files if f.name == "model.safetensors.index.json"), None)
    weight_map = index.data.get("weight_map") if index is not None and index.data else None
    if index is not None and index.data and not isinstance(weight_map, dict):
        notes.append(
            "model.safetensors.index.json has no weight_map object: its shards are not read."
        )
    if isinstance(weight_map, dict):  # a list or a string here is the repo's mistake: ignored
        bad = [v for v in weight_map.values() if not _shard_name_ok(v)]
        if bad:
            notes.append(
                f"model.safetensors.index.json: {len(bad):,} of its weight_map entries name no "
                f".safetensors file (such as {str(bad[0])[:80]!r}): they are not read."
            )
        names = sorted({v for v in weight_map.values() if _shard_name_ok(v)})
        missing = [n for n in names if present is not None and n not in present]
        if missing:
            shown = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
            notes.append(
                f"model.safetensors.index.json names shards the repo does not have ({shown}): "
                "their headers are not read."
            )
        return [n for n in names if n not in missing]
    if present is None or "model.safetensors" in present:
        return ["model.safetensors"]
    return []


def _hub_headers(
    hub: Any,
    repo_id: str,
    sha: str,
    present: set[str] | None,
    files: list[FileText],
    notes: list[str],
    progress: Progress | None,
) -> dict[str, dict[str, Any]]:
    shards = _shard_names(files, present, notes)
    if len(shards) > SAFETENSORS_MAX_SHARDS:
        notes.append(
            f"{len(shards)} safetensors shards: only the first {SAFETENSORS_MAX_SHARDS} headers "
            "were read."
        )
        shards = shards[:SAFETENSORS_MAX_SHARDS]
    headers: dict[str, dict[str, Any]] = {}
    for i, name in enumerate(shards):
        _report(progress, f"headers: {name}", 40 + int(50 * i / max(1, len(shards))))
        try:
            header = hub.hub_safetensors_header(repo_id=repo_id, sha=sha, filename=name)
        except ArtifactInvalid as exc:
            notes.append(f"Safetensors header of {name} refused: {exc}")
            continue
        if header is not None and not any(key != "__metadata__" for key in header):
            # a header length past the file's end reads as "{}": no tensors, and the page had
            # no checkpoint figures and no word why
            notes.append(
                f"The safetensors header of {name} lists no tensors (a file cut short, or no "
                "checkpoint): the checkpoint's figures are not read from it."
            )
            continue
        if header is not None:
            headers[name] = header
    return headers


# ---------------------------------------------------------------------------------------------
# From a folder, an upload


def _read_capped(path: Path, limit: int) -> tuple[bytes, int]:
    size = path.stat().st_size
    with path.open("rb") as fh:
        return fh.read(limit + 1), size


def catalog_source(repo_id: str) -> str | None:
    """Where the catalog's copy of ``repo_id`` came from (any casing): the source of a Hub or
    bundled revision, or None when there is none (only uploads, or nothing). A local folder
    or an upload under such a name would become what that model's page shows."""
    return (
        Revision.objects.filter(model__repo_id__iexact=repo_id)
        .exclude(source=Revision.Source.UPLOAD)
        .values_list("source", flat=True)
        .first()
    )


def hub_snapshot_revision(path: str | Path) -> Revision | None:
    """The stored Hub revision a Hugging Face cache snapshot (``models--org--name/snapshots/
    <sha>``) holds the files of: same model, same commit. None for any other folder."""
    root = Path(path).resolve()
    if root.parent.name != "snapshots" or not re.fullmatch(r"[0-9a-f]{40}", root.name):
        return None
    repo_id = axes_analysis.folder_repo_id_named(root)
    if repo_id is None:
        return None
    return (
        Revision.objects.filter(
            model__repo_id__iexact=repo_id, source=Revision.Source.HUB, sha=root.name
        )
        .select_related("model")
        .order_by("-fetched_at")
        .first()
    )


class ModelShadowed(ValueError):
    """A folder would be stored under the ID of a model fetched from the Hub or bundled: it
    would become that model's latest revision, so its page would show the folder's files."""

    def __init__(self, repo_id: str, source: str) -> None:
        self.repo_id, self.source = repo_id, source
        # said by ingest --dir and profile PATH, in the terminal's language
        if source == Revision.Source.BUNDLED:
            message = _(
                "%(id)s is already in the catalog from the bundled demo catalog; the folder "
                "would become what its page shows."
            )
        else:
            message = _(
                "%(id)s is already in the catalog from the Hub; the folder would become what its "
                "page shows."
            )
        super().__init__(message % {"id": repo_id})


def model_ingest_dir(
    *, path: str | Path, repo_id: str | None = None, replace: bool = False
) -> IngestResult:
    """Store a local folder shaped like a Hub repo (source "upload", sha = content hash).

    Under the ID of a Hub or bundled model (``catalog_source``) it raises ``ModelShadowed``
    before anything is read or written, unless ``replace``: every caller (ingest --dir,
    profile PATH) gets the same refusal."""
    root = Path(path)
    if root.is_file():  # config.json itself, most likely: its folder is what is meant
        raise ArtifactInvalid(
            _(
                "%(path)s is not a folder: it is a file. Pass the folder that holds the "
                "model's config.json (this file's folder is %(folder)s)."
            )
            % {"path": root, "folder": root.resolve().parent}
        )
    if not root.is_dir():
        raise ArtifactInvalid(
            _(
                "%(path)s is not a folder: nothing is there. Pass the folder that holds the "
                "model's config.json, or give a model ID to read the model from the Hub "
                "(`python manage.py ingest ORG/NAME`)."
            )
            % {"path": root}
        )
    if repo_id is None:
        # org--name folders and Hub cache snapshots name their model; else .../org/name
        repo_id = axes_analysis.folder_repo_id(root)
    repo_id_validate(repo_id)
    if not replace:
        source = catalog_source(repo_id)
        if source is not None:
            raise ModelShadowed(repo_id, source)
    files: list[FileText] = []
    for name, (_kind, limit) in KNOWN_FILES.items():
        file_path = root / name
        if file_path.is_file():
            raw, size = _read_capped(file_path, limit)
            files.append(file_text_build(name=name, raw=raw, size_bytes=size, limit_bytes=limit))
    config = next((f for f in files if f.name == "config.json"), None)
    if config is None:
        raise ArtifactInvalid(f"{root} has no config.json; a model folder needs one.")
    if config.data is None:
        raise ArtifactInvalid(config.note or "config.json cannot be read.")
    notes: list[str] = []
    headers: dict[str, dict[str, Any]] = {}
    for shard in sorted(root.glob("*.safetensors"))[:SAFETENSORS_MAX_SHARDS]:
        try:
            headers[shard.name] = safetensors_header_from_file(shard)
        except ArtifactInvalid as exc:
            notes.append(f"Safetensors header of {shard.name} refused: {exc}")
    return _upload_store(
        repo_id=repo_id, origin="folder", files=files, headers=headers, notes=notes
    )


def model_upload(
    *,
    repo_id: str,
    config_text: str | bytes,
    card_text: str | bytes | None = None,
    generation_config_text: str | bytes | None = None,
) -> IngestResult:
    """Store pasted or uploaded files for a private or offline model (source "upload").

    ``config_text`` must be a JSON object; an error names the file and the line and column.
    Bytes (an uploaded file) are decoded as a file fetched from the Hub is (file_text_build).
    """
    repo_id_validate(repo_id)
    files: list[FileText] = []
    for name, text in (
        ("config.json", config_text),
        ("generation_config.json", generation_config_text),
        ("README.md", card_text),
    ):
        if text is None or (name != "config.json" and not text.strip()):
            continue
        limit = KNOWN_FILES[name][1]
        raw = text.encode("utf-8") if isinstance(text, str) else text
        f = file_text_build(name=name, raw=raw, size_bytes=len(raw), limit_bytes=limit)
        if name.endswith(".json") and f.data is None:
            raise ArtifactInvalid(f.note or f"{name} must be a JSON object.")
        if name == "config.json":
            _upload_config_check(f.data)
        files.append(f)
    return _upload_store(repo_id=repo_id, origin="upload", files=files, headers={}, notes=[])


def _upload_config_check(config: Any) -> None:
    """An uploaded config.json the engine refuses (a size of zero, a negative or missing
    one) is refused with the engine's reason, naming the key: stored, it made a catalog
    model with empty figures and the reason at the bottom of its page. (A Hub model is stored
    whatever its config says: that is what the Hub serves; its page says why.)"""
    from axes.backbone import analyze_config
    from axes.backbone.errors import ConfigError

    try:
        analyze_config(config)
    except ConfigError as exc:
        from catalog.notes_l10n import note_l10n

        raise ArtifactInvalid(
            _("config.json cannot be analyzed: %(reason)s") % {"reason": note_l10n(str(exc))}
        ) from exc


def _upload_store(
    *,
    repo_id: str,
    origin: str,
    files: list[FileText],
    headers: dict[str, dict[str, Any]],
    notes: list[str],
) -> IngestResult:
    """A folder or an upload becomes a revision with source "upload", keyed by content hash:
    the same files twice write nothing."""
    sha = _content_sha(files, headers)
    existing = _existing_revision(repo_id, sha)
    if existing is not None:
        return _unchanged(existing, None)
    return _revision_store(
        repo_id=repo_id,
        sha=sha,
        source=Revision.Source.UPLOAD,
        model_info={"id": repo_id, "sha": sha, "origin": origin},
        files=files,
        headers=headers,
        notes=notes,
    )


# ---------------------------------------------------------------------------------------------
# The bundled demo catalog


def demo_catalog_files(directory: Path | None = None) -> list[Path]:
    return sorted((directory or DEMO_DIR).glob("*.json"))


def demo_model_load(*, path: Path) -> IngestResult:
    """Load one bundled JSON (source "bundled", sha = sha256 of the file's bytes)."""
    raw = path.read_bytes()
    try:
        entry = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ArtifactInvalid(
            f"{path.name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from exc
    repo_id = repo_id_validate(entry["repo_id"])
    sha = sha256_hex(raw)
    existing = _existing_revision(repo_id, sha)
    if existing is not None:
        return _unchanged(existing, None)
    files: list[FileText] = []
    for name, key in (("config.json", "config"), ("generation_config.json", "generation_config")):
        if entry.get(key):
            blob = (json.dumps(entry[key], indent=2) + "\n").encode()
            files.append(file_text_build(name=name, raw=blob))
    if entry.get("card"):
        files.append(file_text_build(name="README.md", raw=entry["card"].encode()))
    model_info: dict[str, Any] = {
        "id": repo_id,
        "sha": sha,
        "origin": "bundled",
        "source_file": path.name,
        "facts": entry.get("facts") or [],
        "sources": entry.get("sources") or [],
    }
    if entry.get("safetensors_total"):
        model_info["safetensors"] = {"total": int(entry["safetensors_total"]), "parameters": {}}
    return _revision_store(
        repo_id=repo_id,
        sha=sha,
        source=Revision.Source.BUNDLED,
        model_info=model_info,
        files=files,
        headers={},
        notes=[],
        display_name=entry.get("display_name", ""),
        summary=entry.get("summary", ""),
    )


def demo_catalog_load(*, directory: Path | None = None) -> list[IngestResult]:
    """Load every bundled model; loading twice writes nothing the second time."""
    return [demo_model_load(path=p) for p in demo_catalog_files(directory)]


# ---------------------------------------------------------------------------------------------
# Asynchronous ingest jobs (the web page polls the IngestJob row)


def ingest_job_create(*, repo_id: str, revision: str | None = None) -> IngestJob:
    """Validate, then create a queued job. Dispatch with ``ingest_job_start`` or the task."""
    ref = model_ref_parse(repo_id, revision=revision)
    return IngestJob.objects.create(repo_id=ref.repo_id, requested_revision=ref.revision or "")


def ingest_job_start(
    *, repo_id: str, revision: str | None = None, language: str | None = None
) -> IngestJob:
    """Create the job row and dispatch the Celery task once the row is committed.

    ``language`` (default: the active one): the worker writes the job's error in it."""
    job = ingest_job_create(repo_id=repo_id, revision=revision)
    transaction.on_commit(partial(_ingest_job_dispatch, job.pk, language or get_language()))
    return job


def _ingest_job_dispatch(job_id: int, language: str | None) -> None:
    """Send the task. A broker that is down is logged, not raised: the page that polls the job
    runs one that nobody claimed (``catalog.views._job_run_inline_if_stale``)."""
    from .tasks import ingest_model

    try:
        ingest_model.delay(job_id, language)
    except Exception:
        logger.exception("could not dispatch ingest job %s; it will run inline when polled", job_id)


def ingest_job_run(*, job_id: int, in_web_process: bool = False) -> IngestJob | None:
    """Claim a queued job (conditional UPDATE), run the ingest, record the outcome.

    Returns ``None`` when someone else claimed it (a redelivered message is harmless).
    ``in_web_process``: no worker took it, a thread of the web server runs it (the page says so).
    """
    from .hub import HubError, rate_limit_waits_told

    now = timezone.now()
    claimed = IngestJob.objects.filter(id=job_id, status=IngestJob.Status.QUEUED).update(
        status=IngestJob.Status.RUNNING,
        started_at=now,
        updated_at=now,
        stage="starting",
        in_web_process=in_web_process,
    )
    if not claimed:
        return None
    job = IngestJob.objects.get(id=job_id)

    last_stage = ["starting"]  # what the job was doing, said again once a rate-limit wait ends

    def progress(stage: str, pct: int) -> None:
        last_stage[0] = stage[:100]
        IngestJob.objects.filter(id=job_id).update(
            stage=stage[:100], progress_pct=pct, updated_at=timezone.now()
        )

    def rate_limited(seconds: float) -> None:  # the stage says why nothing moves for a while
        # rounded up, and never "waiting 0 s" (a Retry-After of 0 or a fraction of a second)
        IngestJob.objects.filter(id=job_id).update(
            stage=f"rate limited: {max(1, math.ceil(seconds))}", updated_at=timezone.now()
        )

    def rate_limit_over() -> None:  # the call is tried again: back to what it was doing
        IngestJob.objects.filter(id=job_id).update(stage=last_stage[0], updated_at=timezone.now())

    try:
        with rate_limit_waits_told(rate_limited, rate_limit_over):
            result = model_ingest(
                repo_id=job.repo_id, revision=job.requested_revision or None, progress=progress
            )
    except (HubError, InvalidModelId, ArtifactInvalid) as exc:
        code = getattr(exc, "code", None) or (
            "invalid_id" if isinstance(exc, InvalidModelId) else "invalid_artifact"
        )
        _ingest_job_fail(job_id, str(exc), code, getattr(exc, "detail", None))
    except Exception as exc:
        logger.exception("ingest job %s failed", job_id)
        unexpected = detail("ingest.unexpected", error=type(exc).__name__)
        _ingest_job_fail(job_id, _detail_text(unexpected), "bug", unexpected)
    else:
        IngestJob.objects.filter(id=job_id).update(
            status=IngestJob.Status.SUCCEEDED,
            revision=result.revision,
            stage="done",
            progress_pct=100,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    return IngestJob.objects.get(id=job_id)


def ingest_job_run_in_thread(*, job_id: int, language: str | None) -> threading.Thread:
    """Run a job nobody claimed in a thread of this (web) process and return the thread.

    The request that starts it waits only a short while for it (``thread.join(timeout)``):
    run in the request itself, a slow Hub (timeouts, rate-limit waits) outlasted the web
    server's worker timeout and the user got a 502. The thread moves the row along stage by
    stage as a worker does, so the page polls it as usual; if the web process dies with it,
    the row goes silent and ``ingest_job_fail_if_abandoned`` fails it with the reason.
    """
    from django.db import connections
    from django.utils import translation

    finished = threading.Event()

    def beat() -> None:
        # The row's heartbeat while this process lives, a Hub fetch that says nothing for
        # minutes included: a job whose web process died goes silent, and is failed after
        # INGEST_WEB_STALE_AFTER_S rather than the worker's INGEST_STALE_AFTER_S.
        try:
            while not finished.wait(settings.INGEST_WEB_HEARTBEAT_S):
                IngestJob.objects.filter(
                    pk=job_id, status=IngestJob.Status.RUNNING, in_web_process=True
                ).update(updated_at=timezone.now())
        except Exception:  # a missed beat costs at most a job failed as lost, never the ingest
            logger.exception("ingest job %s: heartbeat stopped", job_id)
        finally:
            connections.close_all()

    def run() -> None:
        beater = threading.Thread(target=beat, name=f"ingest-job-{job_id}-beat", daemon=True)
        beater.start()
        try:
            with translation.override(language or None):
                ingest_job_run(job_id=job_id, in_web_process=True)
        except Exception:  # ingest_job_run records its failures; this is the row's last say
            logger.exception("ingest job %s failed in the web process", job_id)
        finally:
            finished.set()
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=run, name=f"ingest-job-{job_id}", daemon=True)
    thread.start()
    return thread


def ingest_job_fail_if_abandoned(*, job: IngestJob, stale_after_s: int) -> bool:
    """Fail a running job with no progress for ``stale_after_s``: its worker died (killed,
    restarted, out of memory), or the web process whose thread ran it, and nothing else would
    ever finish the row, so the page that polls it would say "Reading ..." for ever.
    Conditional on the row still being that silent (a worker that moves it along meanwhile
    keeps it). True when this call failed it."""
    cutoff = timezone.now() - timedelta(seconds=stale_after_s)
    if job.status != IngestJob.Status.RUNNING or job.updated_at >= cutoff:
        return False
    minutes = max(1, round(stale_after_s / 60))
    # the thread of a web process that was restarted, or a worker
    key = "ingest.web_process_lost" if job.in_web_process else "ingest.worker_lost"
    lost = detail(key, id=job.repo_id, n=minutes)
    now = timezone.now()
    return bool(
        IngestJob.objects.filter(
            pk=job.pk, status=IngestJob.Status.RUNNING, updated_at__lt=cutoff
        ).update(
            status=IngestJob.Status.FAILED,
            error=_detail_text(lost),
            error_code="worker_lost",
            error_detail=lost,
            finished_at=now,
            updated_at=now,
        )
    )


def _detail_text(found: Detail) -> str:
    """A detail's message in the active language (the language of the page that asked)."""
    text = detail_render(found, CATALOG_DETAILS)
    assert text is not None, found  # the template and its parameters are written together
    return text


def _ingest_job_fail(job_id: int, message: str, code: str, found: Detail | None = None) -> None:
    IngestJob.objects.filter(id=job_id).update(
        status=IngestJob.Status.FAILED,
        error=message,
        error_code=code[:40],
        error_detail=found,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
