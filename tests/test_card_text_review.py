"""Review: a card's quotes and table rows read as their Markdown renders them, and nothing a
card holds reaches the page as markup (cards are untrusted)."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from axes.classify.segment import inline_plain, statement_plain, table_cells, table_row_pairs

CONFIG = (
    b'{"model_type": "llama", "hidden_size": 256, "num_attention_heads": 4, '
    b'"num_hidden_layers": 2, "vocab_size": 1000, "intermediate_size": 512}'
)
CARD = """# Probe

| Token | 5-shot | 0-shot |
|---|---|---|
| `<\\|im_start\\|>` | 42.3 | 40.1 |
| Q&amp;A \\| chat | 51.0 | 49.5 |

We trained it with DPO on Q&amp;A&nbsp;pairs from [a corpus](https://en.wikipedia.org/wiki/Corpus_(linguistics)) <script>alert(1)</script> and [x](javascript:alert(1)) &lt;img src=x onerror=alert(1)&gt; `&amp;` kept.
"""


def test_an_escaped_pipe_stays_inside_its_cell() -> None:
    """GFM: "\\|" is a pipe inside a cell. The row "| `<\\|im_start\\|>` | 42.3 |" was read as
    four cells ("Token: `<\\ · 5-shot: im_start\\ · 0-shot: >` · 42.3")."""
    row, header = "| `<\\|im_start\\|>` | 42.3 | 40.1 |", "| Token | 5-shot | 0-shot |"
    assert table_cells(row) == ["`<|im_start|>`", "42.3", "40.1"]
    assert table_row_pairs(row, header) == [
        ("Token", "<|im_start|>"),
        ("5-shot", "42.3"),
        ("0-shot", "40.1"),
    ]
    assert statement_plain("| a \\| b | 1 | 2 |", header) == "Token: a | b · 5-shot: 1 · 0-shot: 2"


def test_html_entities_read_as_their_character_outside_code_spans() -> None:
    """A card's "Q&amp;A" and "&nbsp;" render as "Q&A" and a space; they were shown as the
    entity's letters (the page escaped the "&" again). In a code span they stay as written."""
    assert (
        inline_plain("Q&amp;A&nbsp;pairs, `&amp;` kept, 5 &lt; 6") == "Q&A pairs, &amp; kept, 5 < 6"
    )


def test_a_link_whose_url_has_parentheses_reads_as_its_text() -> None:
    """[a corpus](https://en.wikipedia.org/wiki/Corpus_(linguistics)) left "a corpus)"."""
    text = "from [a corpus](https://en.wikipedia.org/wiki/Corpus_(linguistics)) and more"
    assert inline_plain(text) == "from a corpus and more"
    assert inline_plain("[x](javascript:alert(1)) y") == "x y"


@pytest.mark.django_db
def test_a_hostile_card_reads_as_text_and_injects_no_markup() -> None:
    client = Client(raise_request_exception=True)
    response = client.post(
        "/upload/",
        {
            "repo_id": "local/hostile-card",
            "config": SimpleUploadedFile("config.json", CONFIG),
            "card": SimpleUploadedFile("README.md", CARD.encode()),
        },
    )
    assert response.status_code == 303
    page = client.get("/models/local/hostile-card/").content.decode()
    # the axes' fact items (the page's own chart data lies between them in <script> elements)
    facts = "".join(re.findall(r'<li class="fact[^"]*"[^>]*>.*?</li>', page, re.S))
    # nothing the card wrote is markup on the page: no element, no javascript: link
    assert "<script" not in facts and "<img" not in facts and "javascript:" not in facts
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in facts  # shown as the text it is
    values = [
        html_lib.unescape(re.sub(r"<[^>]+>", "", v)).strip()
        for v in re.findall(r'<div class="fact-value">(.*?)</div>', facts, re.S)
    ]
    dpo = next(v for v in values if v.startswith("We trained it with DPO"))
    assert "on Q&A pairs from a corpus <script>alert(1)</script> and x" in dpo
    assert dpo.endswith("<img src=x onerror=alert(1)> &amp; kept.")  # the code span as written
    assert "(linguistics)" not in dpo
    cells = [html_lib.unescape(c) for c in re.findall(r"<td>(.*?)</td>", facts)]
    assert "&lt;|im_start|&gt;" in re.findall(r"<td>(.*?)</td>", facts)
    assert "Q&A | chat" in cells
