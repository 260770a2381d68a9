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

from catalog import i18n
from catalog import views_support as vs
from catalog.templatetags.mechanic import tokens_h


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
                y=[i18n.component_label(n) for n, _v in rows],
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


def _go_memory(series, gpu, gpu_bytes, chosen=None):
    import plotly.graph_objects as go

    fig = go.Figure()
    for i, (label, points) in enumerate(series):
        fig.add_trace(
            go.Scatter(
                name=label,
                x=[c for c, _b in points],
                y=[b / 1024**3 for _c, b in points],
                mode="lines+markers",
                line={
                    "color": vs._PALETTE[i % len(vs._PALETTE)],
                    "dash": vs._DASHES[i % len(vs._DASHES)],
                },
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
    fig.update_yaxes(rangemode="tozero")
    if chosen:
        fig.add_vline(x=chosen, line_dash="dot", line_color="#555")
    ticks = sorted({c for _label, points in series for c, _b in points})
    fig.update_xaxes(type="log", tickvals=ticks, ticktext=[tokens_h(c) for c in ticks])
    return fig


def _go_roofline(series, unfit=None):
    import plotly.graph_objects as go

    fig = go.Figure()
    for i, (label, rows) in enumerate(series):
        bad = (unfit or [set()] * len(series))[i]
        extra = {}
        if bad:
            extra = {
                "marker_pattern_shape": ["/" if g in bad else "" for g, _v in rows],
                "marker_opacity": [0.45 if g in bad else 1.0 for g, _v in rows],
                "text": [translation.gettext("does not fit") if g in bad else "" for g, _v in rows],
                "textposition": "inside",
                "insidetextanchor": "start",
                "textangle": -90,
                "constraintext": "none",
                "cliponaxis": False,
                "textfont": {"size": 11, "color": "#1f2937"},
            }
        fig.add_trace(
            go.Bar(
                name=label,
                x=[g for g, _v in rows],
                y=[v for _g, v in rows],
                marker_color=vs._PALETTE[i % len(vs._PALETTE)],
                **extra,
            )
        )
    fig.update_layout(
        vs._layout(
            translation.gettext("Decode roofline: memory-bound tokens/s, batch 1"),
            "GPU",
            translation.gettext("tokens/s"),
            barmode="group",
            meta={"narrow_bars": "across"},
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
        assert json.loads(vs.chart_memory(curves, "H100 SXM", 80e9, 163840)) == json.loads(
            _go_memory(curves, "H100 SXM", 80e9, 163840).to_json()
        )
        unfit = [{"H100-SXM"}, set()]
        assert json.loads(vs.chart_roofline(roofs, unfit)) == json.loads(
            _go_roofline(roofs, unfit).to_json()
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


def _no_csrf(html: str) -> str:
    """The page without its CSRF token (masked afresh on every response)."""
    import re

    return re.sub(r'"X-CSRFToken": "[^"]+"|name="csrfmiddlewaretoken" value="[^"]+"', "", html)


EMPTY_AXIS_EN = "Nothing found on this axis in the model's files."
EMPTY_AXIS_KO = "모델 파일에서 이 축에 대해 찾은 것이 없습니다."


@pytest.mark.django_db
def test_cached_model_page_follows_language_revision_and_analysis(client, web_model):
    from catalog.models import Revision

    def analysis(marker: str) -> dict:
        facts = [web_fact("backbone", "backbone.decoder_type", f"dense-{marker}")]
        return web_analysis(layers=["attention"] * 4, total=10**9, facts=facts)

    model = web_model("org/cached", analysis=analysis("one"), card="# card\n\nline")
    url = "/models/org/cached/"

    def page(lang: str = "en", **extra) -> str:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=lang, **extra)
        assert response.status_code == 200
        return response.content.decode()

    first = page("en")
    assert "dense-one" in first and EMPTY_AXIS_EN in first
    assert _no_csrf(page("en")) == _no_csrf(first)  # from the fragment cache, byte for byte
    korean = page("ko")
    assert EMPTY_AXIS_KO in korean and EMPTY_AXIS_EN not in korean
    assert EMPTY_AXIS_EN in page("en")  # the Korean entry did not replace the English one
    # htmx re-render of the page (the context/GPU selector) reads the same cache
    assert "dense-one" in page("en", data={"context": 8192}, HTTP_HX_REQUEST="true")

    # re-analysis of the same revision: new version, new facts
    revision = model.latest_revision
    revision.analysis = analysis("two")
    revision.analysis_version += 1
    revision.save(update_fields=["analysis", "analysis_version"])
    html = page("ko")
    assert "dense-two" in html and "dense-one" not in html

    # edited in place without a version bump (an admin fix): the analysis digest still changes
    Revision.objects.filter(pk=revision.pk).update(analysis=analysis("three"))
    assert "dense-three" in page("en")

    # a new revision becomes the latest
    newer = Revision.objects.create(
        model=model,
        sha="f" * 40,
        source=Revision.Source.BUNDLED,
        analysis=analysis("four"),
        analysis_version=revision.analysis_version,
    )
    model.latest_revision = newer
    model.save(update_fields=["latest_revision"])
    html = page("de")
    assert "dense-four" in html and "dense-three" not in html


def test_cached_fragment_keeps_card_evidence_links(client, web_model, db):
    """Cached fragments keep the evidence links that depend on the card existing."""
    web_model(
        "org/evidence",
        analysis=web_analysis(layers=["attention"] * 2, total=10**9, facts=web_llama_facts()),
        card="# card\n\nline two",
    )
    html = client.get("/models/org/evidence/").content.decode()
    assert _no_csrf(html) == _no_csrf(client.get("/models/org/evidence/").content.decode())
    assert 'class="evidence-link"' in html and 'href="#L2"' in html
