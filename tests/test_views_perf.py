"""Page speed without changing what the pages show.

- The charts are built as plain dicts (no plotly graph-object validation): their JSON must equal
  what ``plotly.graph_objects`` builds from the same inputs.
- The model page caches fragments that depend only on the stored analysis; the cache key must
  follow the language, the revision and its analysis, so a cached page never shows stale text.
"""

from __future__ import annotations

import json

import pytest
from conftest import web_analysis, web_fact, web_llama_facts
from django.utils import translation

from catalog import views_support as vs


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# The builders as they were written with plotly.graph_objects (the reference the fast builders
# must match, trace for trace and layout key for layout key).
def _go_params(series):
    import plotly.graph_objects as go

    fig = go.Figure()
    for i, (label, rows) in enumerate(series):
        fig.add_trace(
            go.Bar(
                name=label,
                x=[v / 1e9 for _n, v in rows],
                y=[n for n, _v in rows],
                orientation="h",
                marker_color=vs._PALETTE[i % len(vs._PALETTE)],
            )
        )
    fig.update_layout(
        vs._layout(
            translation.gettext("Parameters by component"),
            translation.gettext("billion parameters"),
            "",
            barmode="group",
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    return fig


def _go_memory(series, gpu, gpu_bytes):
    import plotly.graph_objects as go

    fig = go.Figure()
    for i, (label, points) in enumerate(series):
        fig.add_trace(
            go.Scatter(
                name=label,
                x=[c for c, _b in points],
                y=[b / 1024**3 for _c, b in points],
                mode="lines+markers",
                line={"color": vs._PALETTE[i % len(vs._PALETTE)]},
            )
        )
    fig.add_hline(
        y=gpu_bytes / 1024**3,
        line_dash="dash",
        line_color="#c0392b",
        annotation_text=translation.gettext("%(gpu)s capacity") % {"gpu": gpu},
        annotation_position="top left",
    )
    fig.update_layout(
        vs._layout(
            translation.gettext("Weights (as stored) + KV cache vs context, one sequence"),
            translation.gettext("context length (tokens)"),
            "GiB",
        )
    )
    fig.update_xaxes(type="log")
    return fig


def _go_roofline(series):
    import plotly.graph_objects as go

    fig = go.Figure()
    for i, (label, rows) in enumerate(series):
        fig.add_trace(
            go.Bar(
                name=label,
                x=[g for g, _v in rows],
                y=[v for _g, v in rows],
                marker_color=vs._PALETTE[i % len(vs._PALETTE)],
            )
        )
    fig.update_layout(
        vs._layout(
            translation.gettext("Decode roofline: memory-bound tokens/s, batch 1"),
            "GPU",
            translation.gettext("tokens/s"),
            barmode="group",
        )
    )
    return fig


@pytest.mark.parametrize("language", ["en", "ko", "de"])
def test_fast_charts_equal_the_graph_object_figures(language):
    breakdown = [
        ("meta-llama/Meta-Llama-3-8B", [("embed_tokens", 525_336_576.0), ("layers", 6.98e9)]),
        ("org/other", [("embed_tokens", 1.0e9), ("lm_head", 2.5e8)]),
    ]
    roofs = [("a/b", [("H100-SXM", 208.5), ("H200", 298.75)]), ("c/d", [("H200", 12.0)])]
    curves = [("a/b", [(1024, 16.1e9), (131072, 33.2e9)]), ("c/d", [(1024, 1.5e9)])]
    with translation.override(language):
        assert json.loads(vs.chart_params(breakdown)) == json.loads(_go_params(breakdown).to_json())
        assert json.loads(vs.chart_roofline(roofs)) == json.loads(_go_roofline(roofs).to_json())
        assert json.loads(vs.chart_memory(curves, "H100 SXM", 80e9)) == json.loads(
            _go_memory(curves, "H100 SXM", 80e9).to_json()
        )


def _tags(html: str) -> list[str]:
    """Markup with the whitespace between tags dropped (the renderer's options sit on lines)."""
    import re

    return [t for t in re.split(r"\s*(<[^>]+>)\s*", html) if t.strip()]


@pytest.mark.parametrize("language", ["en", "ko", "de"])
def test_hand_written_measure_form_matches_the_form_renderer(language):
    from django.template import engines

    from profiler.forms import MeasureForm

    engine = engines["django"]
    by_renderer = engine.from_string(
        "{% for field in form %}{{ field.label_tag }} {{ field }}{% endfor %}"
    )
    by_hand = engine.get_template("profiler/_measure_form.html")
    with translation.override(language):
        form = MeasureForm()
        expected = _tags(by_renderer.render({"form": form}))
        html = by_hand.render({"form": MeasureForm(), "revision": {"pk": 7}})
    fields = _tags(html)
    start = fields.index(expected[0])
    got = [t for t in fields[start:] if t not in ('<div class="field">', "</div>")]
    assert got[: len(expected)] == expected
    assert 'name="prompt_len" value="128"' in html
