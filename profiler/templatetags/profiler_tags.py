"""Template helpers of the profiler partials."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext, gettext_noop

from catalog.templatetags.mechanic import bytes_h, duration_h, num_l10n  # the pages' formats

register = template.Library()
register.filter("duration_h", duration_h)  # "running for 2 min 5 s", as the model pages say it


@register.filter
def memory_h(value: Any) -> str:
    """Bytes in the binary unit that fits them, as the model page writes them (a 34M model's
    weights "65.76 MiB", not "0.06 GiB"); empty for missing values."""
    if value is None or value == "" or isinstance(value, bool):
        return ""
    try:
        float(value)
    except (TypeError, ValueError):
        return ""
    return bytes_h(value)


def _percent(value: float, *, signed: bool) -> str:
    """0.02 -> "+2.0%" (en, ko) or "+2,0 %" (de: comma, and a space before the sign)."""
    from django.utils.translation import get_language

    number = num_l10n(abs(value) * 100, 1)
    sign = ("+" if value >= 0 else "-") if signed else ""
    space = "\u00a0" if (get_language() or "").startswith("de") else ""
    return f"{sign}{number}{space}%"


@register.filter
def signed_percent(value: Any) -> str:
    if value is None or value == "":
        return ""
    try:
        return _percent(float(value), signed=True)
    except (TypeError, ValueError):
        return ""


@register.filter
def unsigned_percent(value: Any) -> str:
    """0.02 -> "2.0%" (a tolerance, written after "±")."""
    if value is None or value == "":
        return ""
    try:
        return _percent(float(value), signed=False)
    except (TypeError, ValueError):
        return ""


@register.filter
def measured_value(value: Any, unit: str) -> str:
    """A cell of the results table with its unit; "—" where there is no figure."""
    if value is None or value == "" or isinstance(value, bool):
        return "—"
    if unit == "bytes":
        return memory_h(value) or "—"
    number = plain_number(value)
    if unit in ("tok/s", "ms"):
        try:
            n = float(value)
        except (TypeError, ValueError):
            return str(value)
        # one decimal from 1 on; under 1 (a CPU's decode rate) one decimal read 0.16 as 0.2
        # and 0.04 as 0.0, as if no token had been made
        decimals = 1 if n == 0 or abs(n) >= 1 else 2 if abs(n) >= 0.01 else 3
        return f"{num_l10n(n, decimals)} {unit}"
    return number


@register.filter
def plain_number(value: Any) -> str:
    """Integers with thousands separators, floats with two decimals."""
    if value is None or value == "":
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return num_l10n(value, 0)
    try:
        return num_l10n(float(value), 2)
    except (TypeError, ValueError):
        return str(value)


@register.simple_tag
def runs_panel(revision: Any) -> dict[str, Any]:
    """``{% runs_panel revision as panel %}``: the context of profiler/_panel.html."""
    from profiler.services import runs_panel_context

    return runs_panel_context(revision)


# What the worker is doing (MeasurementRun.stage, written by profiler.core and services in
# English ids), in the page's language; an unknown stage is shown as written.
RUN_STAGES = {
    "claimed": gettext_noop("taken by a worker"),
    "prepare": gettext_noop("preparing the files"),
    "download": gettext_noop("downloading the weights from the Hub"),
    "inspect": gettext_noop("reading the config"),
    "estimate": gettext_noop("estimating"),
    "build": gettext_noop("building the model"),
    "load": gettext_noop("loading the weights"),
    "warmup": gettext_noop("warming up"),
    "measure": gettext_noop("measuring"),
    "finishing": gettext_noop("saving the result"),
    "done": gettext_noop("done"),
    "requeued": gettext_noop("queued again"),
    "cancelled": gettext_noop("cancelled"),
}


@register.filter
def run_stage(stage: Any) -> str:
    """A run's stage in the active language: the run page's status line and ``manage.py
    profile --wait``'s progress line say the same words."""
    text = str(stage or "")
    return gettext(RUN_STAGES[text]) if text in RUN_STAGES else text
