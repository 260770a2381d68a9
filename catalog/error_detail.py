"""A failure's detail in the page's language, with the failure's own specifics.

A failed ingestion or measurement keeps its message as it was written (``error``: English
from the framework-free cores and the worker, which the API, the CLI and the logs read) and,
next to it, ``error_detail``: the message's key and its parameters (the numbers, the file
names, the GPU, the model id), ``{"key": ..., "params": {...}}``. A page renders the key's
template (a gettext msgid with named placeholders, so ko and de can reorder them) in its own
language with those parameters. A key without a template, or parameters that do not fill it
(a row stored before the detail existed), renders as None: the page shows the stored message.

A parameter may itself be a detail: a phrase the failure chose (why a process ended, how long
to wait), rendered the same way before it fills its place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_noop, ngettext_lazy

Detail = dict[str, Any]


def detail(key: str, **params: Any) -> Detail:
    """The stored form: a template key and the values of its placeholders (JSON-able)."""
    return {"key": key, "params": params}


# a size the worker wrote as text ("262.8 GiB"): its number in the page's own digits
# (German 262,8 GiB)
_SIZE = re.compile(r"(\d+)\.(\d+) ([KMGT]i?B|s)")


# Parameters that are whole seconds, said as a duration in the page's language ("3 min",
# "1 h 2 min", ko "3분"; catalog.templatetags.mechanic.duration_h), by the key of their template.
# The Hub's timeout keeps its seconds: it names HF_TIMEOUT_S, set in seconds.
DURATION_PARAMS: dict[str, tuple[str, ...]] = {
    "hub.try_again_in": ("s",),
    "run.worker_lost": ("s",),
    "run.time_limit": ("limit",),
}


def _size_l10n(text: str) -> str:
    return _SIZE.sub(lambda m: f"{number_format(float(m[1] + '.' + m[2]), len(m[2]))} {m[3]}", text)


def detail_render(value: Any, templates: Mapping[str, Any]) -> str | None:
    """``value`` (a stored detail) in the active language, or None when it cannot be rendered
    faithfully: no such key, a parameter missing or of the wrong kind, a malformed row.

    A template is a msgid (``gettext_noop``, translated here) or a lazy translation
    (``gettext_lazy``; ``ngettext_lazy(singular, plural, "name")`` picks its form from the
    parameter ``name``), or a tuple of them: sentences translated one by one, joined."""
    if not isinstance(value, dict):
        return None
    template = templates.get(value.get("key"))  # type: ignore[arg-type]
    params = value.get("params", {})
    if template is None or not isinstance(params, dict):
        return None
    values: dict[str, Any] = {}
    durations = DURATION_PARAMS.get(value.get("key"), ())  # type: ignore[arg-type]
    for name, param in params.items():
        if name in durations and isinstance(param, int | float) and not isinstance(param, bool):
            from catalog.templatetags.mechanic import duration_h

            param = duration_h(param)
        elif isinstance(param, dict):
            param = detail_render(param, templates)
            if param is None:
                return None
        elif isinstance(param, str) and _SIZE.fullmatch(param):
            param = _size_l10n(param)
        values[name] = param
    parts = template if isinstance(template, tuple) else (template,)
    texts = []
    for part in parts:
        text = gettext(part) if isinstance(part, str) else part
        if not isinstance(text, str | Promise):
            return None
        try:
            texts.append(str(text % values))
        except (KeyError, TypeError, ValueError):
            return None
    return " ".join(texts)


# ---------------------------------------------------------------------------------------------
# The catalog's failures: the Hub (catalog.hub raises them with these keys; a measurement in
# checkpoint mode carries them too) and the ingest job's own. The msgids are the ones the
# messages were always written with, so their translations serve both.

CATALOG_DETAILS: dict[str, Any] = {
    "hub.gated": gettext_noop(
        "%(id)s is gated: its files need an access token of an account that accepted "
        "the licence at %(url)s (HF_TOKEN, set by whoever runs this server). Or "
        "upload its config.json under “Upload a config.json”."
    ),
    "hub.revision_not_found": gettext_noop(
        "%(id)s has no revision '%(rev)s'. Check the branch, tag or commit sha on "
        "%(url)s, or leave the revision empty for 'main'."
    ),
    "hub.repo_not_found": gettext_noop(
        "No model '%(id)s' on the Hub. Check the spelling (IDs are 'org/name'). A "
        "private model needs a token that can read it (HF_TOKEN, set by whoever runs "
        "this server)."
    ),
    "hub.access_refused": gettext_noop(
        "The Hub refused access to %(id)s (%(status)s). If the model is gated or "
        "private, accept its licence at %(url)s; this server then needs a token of "
        "that account (HF_TOKEN, set by whoever runs it)."
    ),
    "hub.try_again_in": gettext_noop("Try again in about %(s)s"),
    "hub.try_again_in_a_minute": gettext_noop("Try again in a minute"),
    "hub.rate_limited": gettext_noop(
        "The Hub rate-limited us while reading %(what)s of %(id)s (waited and "
        "retried %(n)s times). %(after)s; an HF_TOKEN raises the limit."
    ),
    "hub.server_error": gettext_noop(
        "The Hub answered %(status)s for %(what)s of %(id)s after %(n)s tries. "
        "It is probably a temporary problem on the Hub: try again later."
    ),
    "hub.http_refused": gettext_noop("The Hub refused %(what)s of %(id)s: HTTP %(status)s."),
    "hub.timeout": gettext_noop(
        "The Hub did not answer within %(s)s s for %(what)s of %(id)s (%(n)s "
        "tries). Try again later, or raise HF_TIMEOUT_S."
    ),
    "hub.unreachable": (  # two sentences, each translated on its own (catalog.hub)
        gettext_noop("The Hub at %(url)s cannot be reached (offline?)."),
        gettext_noop(
            "Browse the models already in the catalog (the list on the home page), or upload "
            "the model's config.json under “Upload a config.json”."
        ),
    ),
    "hub.connection_broke": gettext_noop(
        "The connection to the Hub broke while reading %(what)s of %(id)s: "
        "%(error)s. Try again later."
    ),
    "hub.no_sha": gettext_noop("The Hub did not say which commit %(id)s is at. Try again later."),
    # what was being read (the ``what`` above), where it is not a file name
    "hub.model_information": gettext_noop("the model information"),
    # checkpoint downloads (a measurement in checkpoint mode)
    "hub.pickle_only": gettext_noop(
        "pickle-only checkpoint refused: %(id)s@%(rev)s has weights only as pickle files "
        "(%(names)s), and Mechanic never unpickles weights. Measure it in synthetic mode "
        "(random weights, same shapes), or use a revision with safetensors."
    ),
    "hub.no_safetensors": gettext_noop(
        "%(id)s@%(rev)s has no safetensors weights. Measure it in synthetic mode instead."
    ),
    "hub.shard_not_a_name": gettext_noop(
        "%(id)s: %(where)s names a shard that is not a file name: %(name)s."
    ),
    "hub.shard_unsafe": gettext_noop(
        "%(id)s: %(where)s names the shard %(name)s, which is not a safe path inside the "
        "repo (no '..', no absolute paths). The checkpoint was refused; measure it in "
        "synthetic mode instead."
    ),
    "hub.index_invalid": gettext_noop("%(id)s: %(index)s is not valid JSON: %(error)s"),
    "hub.index_no_weight_map": gettext_noop("%(id)s: %(index)s has no weight_map."),
    "hub.shard_missing": gettext_noop(
        "%(id)s: %(index)s names %(name)s, which the repo does not have. The checkpoint is "
        "incomplete; measure it in synthetic mode instead."
    ),
    "hub.the_file_list": gettext_noop("the file list"),
    # the ingest job's own
    "ingest.worker_lost": ngettext_lazy(
        "The worker reading %(id)s from the Hub stopped without finishing (no progress for "
        "%(n)s minute; it was probably restarted or ran out of memory). Try again.",
        "The worker reading %(id)s from the Hub stopped without finishing (no progress for "
        "%(n)s minutes; it was probably restarted or ran out of memory). Try again.",
        "n",
    ),
    # a job no worker took, run by a thread of the web process (IngestJob.in_web_process)
    "ingest.web_process_lost": ngettext_lazy(
        "The web server reading %(id)s from the Hub stopped without finishing (no progress "
        "for %(n)s minute; it was probably restarted). Try again.",
        "The web server reading %(id)s from the Hub stopped without finishing (no progress "
        "for %(n)s minutes; it was probably restarted). Try again.",
        "n",
    ),
    "ingest.unexpected": gettext_noop("Unexpected error (%(error)s); see the logs."),
}
