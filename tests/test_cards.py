"""Model cards: YAML front matter, Markdown rendering, XSS, line anchors."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from catalog.cards import card_render_html, card_split


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


class TextOutsideCode(HTMLParser):
    """The text a reader sees, less code (where a tag is meant as text)."""

    def __init__(self) -> None:
        super().__init__()
        self.code = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.code += tag in ("code", "pre")

    def handle_endtag(self, tag: str) -> None:
        self.code -= tag in ("code", "pre")

    def handle_data(self, data: str) -> None:
        if not self.code:
            self.parts.append(data)


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = TagCollector()
    parser.feed(html)
    return parser.tags


CARD = """---
license: llama3.1
base_model: meta-llama/Llama-3.1-8B
tags:
  - facebook
  - llama-3
---
# Model card

Trained with **SFT** and DPO.

- item one
- item two

| Benchmark | Score |
|---|--:|
| MMLU | 66.7 |
"""


def test_split_returns_metadata_and_body_with_its_first_line() -> None:
    parts = card_split(CARD)
    assert parts.metadata == {
        "license": "llama3.1",
        "base_model": "meta-llama/Llama-3.1-8B",
        "tags": ["facebook", "llama-3"],
    }
    assert parts.body.startswith("# Model card")
    assert parts.body_first_line == 8 and CARD.splitlines()[7] == "# Model card"
    assert parts.notes == []


def test_a_card_without_front_matter_is_all_body() -> None:
    parts = card_split("# Hello\n\ntext\n")
    assert parts.metadata == {} and parts.body_first_line == 1


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ("---\nlicense: [unclosed\n---\nbody\n", "not valid YAML at line"),
        ("---\n- a\n- b\n---\nbody\n", "not a YAML mapping"),
        ("---\nlicense: mit\nno end\n", "never closes"),
        ("---\n!!python/object/apply:os.system ['echo hi']\n---\nbody\n", "not valid YAML"),
    ],
)
def test_malformed_yaml_is_a_note_not_a_crash(text: str, note: str) -> None:
    parts = card_split(text)
    assert parts.metadata == {}
    assert any(note in n for n in parts.notes)


def test_blocks_carry_the_readme_line_they_start_on() -> None:
    html = card_render_html(CARD)
    ids = {attrs.get("id") for _, attrs in tags_of(html) if attrs.get("id")}
    lines = CARD.splitlines()
    assert "L8" in ids and lines[7].startswith("# Model card")
    assert "L10" in ids and lines[9].startswith("Trained with")
    assert "L12" in ids and "L13" in ids  # list and second item
    assert "L15" in ids and lines[14].startswith("| Benchmark")
    assert '<h1 id="L8">Model card</h1>' in html
    assert "<table" in html and "<strong>SFT</strong>" in html
    # ids are unique
    all_ids = [attrs["id"] for _, attrs in tags_of(html) if attrs.get("id")]
    assert len(all_ids) == len(set(all_ids))


def test_first_line_offset_for_a_body_rendered_alone() -> None:
    html = card_render_html("para one\n\npara two\n", first_line=20)
    assert 'id="L20"' in html and 'id="L22"' in html


XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    '<iframe src="https://evil.example"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>body{display:none}</style>",
    '<body onload="alert(1)">',
    '<a href="https://ok.example" onclick="alert(1)">ok</a>',
    "<object data=x></object><embed src=x>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "[x](vbscript:msgbox(1))",
    "<form action=//evil><input name=q></form>",
    '<video poster="https://t.example/p.png" src="https://t.example/v.mp4"></video>',
    '<table background="https://t.example/b.png"><tr><td>x</td></tr></table>',
    '<link rel="stylesheet" href="https://t.example/s.css"><meta http-equiv="refresh" content="0">',
    '<picture><source srcset="https://t.example/a.webp"><img src="https://t.example/a.png"></picture>',
    '<a href="https://ok.example" ping="https://t.example/ping">ok</a>',
    '<div align="center" onmouseover="alert(1)" class="x" id="L1">x</div>',
]
DANGEROUS_TAGS = {"script", "svg", "iframe", "style", "object", "embed", "math", "form", "input",
                  "body", "link", "meta", "base", "img", "source", "picture", "video"}  # fmt: skip


@pytest.mark.parametrize("payload", XSS)
def test_no_raw_html_or_script_survives(payload: str) -> None:
    html = card_render_html(f"# Title\n\n{payload}\n\nafter\n")
    for tag, attrs in tags_of(html):
        assert tag not in DANGEROUS_TAGS, html
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            assert name != "style", html
            # nothing the browser would fetch by itself
            assert name not in ("src", "srcset", "background", "poster", "ping"), html
            if name == "href":
                assert (value or "").lower().startswith(("http://", "https://", "mailto:")), html


def test_safe_links_keep_working_with_rel() -> None:
    html = card_render_html("[paper](https://arxiv.org/abs/2407.21783)")
    tags = dict((t, a) for t, a in tags_of(html))
    assert tags["a"]["href"] == "https://arxiv.org/abs/2407.21783"
    assert "noopener" in (tags["a"].get("rel") or "")


def test_images_become_links_and_are_never_loaded() -> None:
    """A remote image in a card would be fetched by every visitor's browser (a tracking pixel,
    and a broken box offline): it is shown as a link to the image instead."""
    html = card_render_html(
        "![Benchmark *results*](https://x.example/bench.png) "
        "![](https://pixel.example/t.gif?user=1) ![arch](figures/arch.png) "
        '<img src="https://raw.example/y.png">'
    )
    tags = tags_of(html)
    assert all(tag != "img" for tag, _ in tags), html
    links = [a for tag, a in tags if tag == "a"]
    assert [a["href"] for a in links] == [
        "https://x.example/bench.png",
        "https://pixel.example/t.gif?user=1",
        "https://raw.example/y.png",  # an <img> in the card's own HTML, the same way
    ]
    assert all(a.get("class") == "card-image" and "noopener" in a["rel"] for a in links)
    assert ">Benchmark results</a>" in html  # the alt text, as plain text
    assert ">t.gif</a>" in html  # no alt text: the file name
    # a path inside the repository is named, not linked to this app's own URL space
    assert '<span class="card-image" title="figures/arch.png">arch</span>' in html
    assert ">y.png</a>" in html


def test_an_image_inside_a_link_is_its_text_never_a_link_in_a_link() -> None:
    html = card_render_html(
        "[![Chat](https://img.shields.io/badge/chat.svg)](https://chat.example/)\n\n"
        '<a href="https://home.example/"><img alt="Homepage" src="https://badge.example/h.svg"/>'
        "</a> after"
    )
    tags = tags_of(html)
    assert [a["href"] for tag, a in tags if tag == "a"] == [
        "https://chat.example/",
        "https://home.example/",
    ]
    assert '<span class="card-image" title="https://img.shields.io/badge/chat.svg">Chat</span>' in (
        html
    )
    assert ">Homepage</span></a> after" in html


def test_tags_that_are_no_html_show_as_text() -> None:
    """Reasoning and chat cards write <think> or </s> meaning the string; a card's <s> is the
    BOS token, not strikethrough (Markdown's ~~x~~ still is)."""
    html = card_render_html("Use <think> tags; the prompt starts with <s> and ends with </s>.")
    assert "Use &lt;think&gt; tags; the prompt starts with &lt;s&gt; and ends with &lt;/s&gt;." in (
        html
    )
    assert "<s>gone</s>" in card_render_html("~~gone~~")


R1_HEAD = """---
license: mit
---
# DeepSeek-R1
<!-- markdownlint-disable first-line-h1 -->

<div align="center">
  <img src="https://github.com/x/logo.svg?raw=true" width="60%" alt="DeepSeek-V3" />
</div>
<hr>
<div align="center" style="line-height: 1;">
  <a href="https://www.deepseek.com/" target="_blank" style="margin: 2px;">
    <img alt="Homepage" src="https://github.com/x/badge.svg?raw=true" style="display: inline-block;"/>
  </a>
  <font color="red">unwrapped</font>
</div>

<p align="center">
  <a href="https://github.com/x/R1.pdf"><b>Paper Link</b>👁️</a><br><sup>1</sup>
</p>

<details>
<summary>Expand</summary

Hidden **details**.

</details>

## 1. Introduction
"""


def test_the_cards_own_layout_html_is_rendered_not_spelled_out() -> None:
    """The card's HTML (centered divs, badge links, <p align>, <details>) is layout, as on the
    Hub: rendered through the allow-list, its comments hidden, its images not loaded."""
    html = card_render_html(R1_HEAD)
    assert "markdownlint" not in html and "&lt;" not in html
    assert (
        '<div align="center">\n  <a class="card-image" href="https://github.com/x/logo.svg?raw=true"'
    ) in html
    assert '<a href="https://www.deepseek.com/" rel="noopener noreferrer nofollow">' in html
    assert '<span class="card-image" title="https://github.com/x/badge.svg?raw=true">Homepage' in (
        html
    )
    assert "  unwrapped\n</div>" in html  # <font> gone, its text kept
    assert '<p align="center">' in html and "<b>Paper Link</b>👁️</a><br><sup>1</sup>" in html
    assert "<details>\n<summary>Expand</summary>" in html  # the unclosed end tag closes
    assert "style=" not in html and "target=" not in html and "width=" not in html
    ids = re.findall(r'id="L(\d+)"', html)
    assert len(ids) == len(set(ids))
    lines = R1_HEAD.splitlines()
    assert {int(n) for n in ids} >= {n for n, line in enumerate(lines, 1) if line.strip()}
    heading = lines.index("## 1. Introduction") + 1
    assert f'<h2 id="L{heading}">1. Introduction</h2>' in html


def test_no_card_spells_out_raw_html() -> None:
    """Every real card: outside code, no tag or comment shows as text, nothing is loaded from
    elsewhere (no img, no src), no style survives."""
    from tests.conftest import shared_hub, shared_path

    cards = sorted(shared_hub().glob("*/README.md")) + sorted(
        shared_path("axes/cards").glob("*.md")
    )
    assert len(cards) >= 20
    for path in cards:
        html = card_render_html(path.read_text(encoding="utf-8"))
        text = TextOutsideCode()
        text.feed(html)
        shown = "".join(text.parts)
        assert not re.search(r"<!--|</?(div|p|img|a|br|hr|table|tr|td|details|summary|center|"
                             r"picture|source|span|b|sup|sub|strong|em|font|h\d)\b", shown), (
            path.parent.name,
            re.findall(r"<[^>]{0,60}>?", shown)[:5],
        )  # fmt: skip
        for tag, attrs in tags_of(html):
            assert tag not in DANGEROUS_TAGS, (path.name, tag)
            assert not {"src", "srcset", "style", "background"} & set(attrs), (path.name, tag)


def test_every_line_of_a_real_card_has_an_anchor():
    """A fact quotes a card line (L<n>) and the page links to #L<n>: every non-blank line of
    the real cards must have that id, front matter and lines inside paragraphs, tables and
    code included (before, only the first line of a block had one: ~40% dead links)."""
    import re

    from tests.conftest import shared_hub, shared_path

    cards = sorted(shared_hub().glob("*/README.md")) + sorted(
        shared_path("axes/cards").glob("*.md")
    )
    assert len(cards) >= 20
    for path in cards:
        text = path.read_text(encoding="utf-8")
        html = card_render_html(text)
        ids = [int(n) for n in re.findall(r'id="L(\d+)"', html)]
        assert len(ids) == len(set(ids)), path  # no id twice
        lines = text.splitlines()
        missing = [n for n, line in enumerate(lines, 1) if line.strip() and n not in set(ids)]
        assert not missing, (path.parent.name, missing[:10])


def test_front_matter_is_shown_as_text_with_line_anchors():
    html = card_render_html(
        "---\nlicense: mit\nbase_model: <script>alert(1)</script>\n---\n# Title\n\nFirst\nsecond\n"
    )
    assert '<details class="card-front-matter"><summary>Card metadata (YAML)</summary>' in html
    assert '<span id="L2">license: mit</span>' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert '<h1 id="L5">Title</h1>' in html
    assert '<span id="L8" class="card-anchor"></span><p id="L7">' in html


def test_front_matter_summary_speaks_the_page_language(db):
    from django.utils import translation

    with translation.override("ko"):
        html = card_render_html("---\nlicense: mit\n---\n# T\n")
    assert "카드 메타데이터 (YAML)" in html
