"""Closed model families, from their vendors' public documentation.

One JSON file per model (``<vendor>--<model>.json``): ``repo_id``, ``display_name``, ``vendor``,
``summary``, ``read_on`` (the date the pages were read), ``sources`` (url, title, read_on,
claim) and ``facts`` (``axes.facts.Fact.to_dict()`` records whose evidence ``source`` is the
page's URL and whose ``text`` quotes it). Each fact's ``extra`` says:

- ``claim``: ``documented`` (technical documentation: model pages, API guides; checkable by
  calling the API) or ``announcement`` (launch posts, marketing: not checkable);
- ``state: undisclosed``: the vendor does not publish it (the backbone of every closed model
  here). Undisclosed is a first-class state, shown as such, never an empty row.

Nothing here is invented: what no stored vendor page states is left out (``not_found`` says so).
``closed_models_load`` stores them through the bundled-catalog path and marks the model
``kind=closed``; ``manage.py load_demo`` calls it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from axes.facts import Fact

CLOSED_DIR = Path(__file__).resolve().parent
CLAIMS = ("documented", "announcement")


class ClosedEntryInvalid(ValueError):
    """A closed-model file that breaks the rules above; the message names the file and fact."""


def closed_catalog_files(directory: Path | None = None) -> list[Path]:
    return sorted((directory or CLOSED_DIR).glob("*.json"))


def closed_entry_read(path: Path) -> dict[str, Any]:
    """Read and check one file: every fact parses, is sourced by URL, dated and labelled."""
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ClosedEntryInvalid(
            f"{path.name}: not valid JSON ({exc.msg}, line {exc.lineno})"
        ) from exc
    for key in ("repo_id", "display_name", "vendor", "read_on", "sources", "facts"):
        if not entry.get(key):
            raise ClosedEntryInvalid(f"{path.name}: '{key}' is missing")
    urls = {s["url"] for s in entry["sources"]}
    for i, raw in enumerate(entry["facts"]):
        where = f"{path.name}: fact {i} ({raw.get('kind')})"
        try:
            fact = Fact.from_dict(raw)
        except (KeyError, TypeError, ValueError) as exc:
            raise ClosedEntryInvalid(f"{where}: {exc}") from exc
        if fact.evidence.source not in urls:
            raise ClosedEntryInvalid(f"{where}: its source is not listed in 'sources'")
        if not fact.evidence.text.strip():
            raise ClosedEntryInvalid(f"{where}: the evidence quotes nothing")
        if not fact.extra.get("read_on"):
            raise ClosedEntryInvalid(f"{where}: 'read_on' is missing")
        if fact.extra.get("state") != "undisclosed" and fact.extra.get("claim") not in CLAIMS:
            raise ClosedEntryInvalid(f"{where}: 'claim' must be one of {CLAIMS}")
    return entry


def closed_analysis(entry: dict[str, Any]) -> dict[str, Any]:
    """The stored analysis of a closed model: its sourced facts, the backbone undisclosed."""
    facts = [Fact.from_dict(f).to_dict() for f in entry["facts"]]
    backbone_undisclosed = any(
        f["axis"] == "backbone" and (f.get("extra") or {}).get("state") == "undisclosed"
        for f in facts
    )
    return {
        "kind": "closed",
        "vendor": entry["vendor"],
        "read_on": entry["read_on"],
        "backbone": {"state": "undisclosed"} if backbone_undisclosed else {},
        "facts": facts,
        "sources": entry["sources"],
        "not_found": entry.get("not_found") or [],
    }


def closed_models_load(*, directory: Path | None = None) -> list[Any]:
    """Store every closed model (idempotent: an unchanged file writes nothing new)."""
    from catalog.models import Artifact, CatalogModel
    from catalog.services import demo_model_load

    results = []
    for path in closed_catalog_files(directory):
        entry = closed_entry_read(path)
        result = demo_model_load(path=path)
        model, revision = result.model, result.revision
        if model.kind != CatalogModel.Kind.CLOSED:
            model.kind = CatalogModel.Kind.CLOSED
            model.save(update_fields=["kind", "updated_at"])
        analysis = closed_analysis(entry)
        if revision.analysis != analysis:
            revision.analysis = analysis
            revision.save(update_fields=["analysis"])
        for source in entry["sources"]:
            quotes = [
                f["evidence"]["text"]
                for f in entry["facts"]
                if f["evidence"]["source"] == source["url"]
            ]
            Artifact.objects.get_or_create(
                revision=revision,
                name=source["url"][:300],
                defaults={
                    "kind": Artifact.Kind.VENDOR_DOC,
                    "text": "\n\n".join(quotes),
                    "data": source,
                    "size_bytes": sum(len(q.encode()) for q in quotes),
                    "note": f"{source.get('title', '')}; read on {source.get('read_on', entry['read_on'])}",
                },
            )
        results.append(result)
    return results
