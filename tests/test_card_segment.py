"""segment_card: sentences, bullets, table rows with their header, headings as context, code and
HTML skipped, and line numbers exact against the real cards in ../shared/axes/cards."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from axes.classify.segment import Statement, row_other_model, segment_card

SHARED = Path(
    os.environ.get("MECHANIC_SHARED_DIR", Path(__file__).resolve().parents[1].parent / "shared")
)
CARDS = SHARED / "axes" / "cards"

CARD = """---
license: mit
base_model: org/base
---
# Tiny-7B

## Overview

Tiny-7B is a small model. It uses GQA
with 8 KV heads, e.g. like Llama.

- Context length: 32K tokens
- Vocabulary: 32,000 tokens

```python
model = load("tiny")  # not a statement
```

<table>
  <tr><td>html is skipped</td></tr>
</table>

<!-- a comment
spanning lines -->

| Benchmark | Tiny-7B | Other |
|---|---|---|
| MMLU | 61.2 | 58.0 |
| GSM8K | 40.1 | 38.9 |

**Training:**
Trained on 2T tokens.
"""


def test_synthetic_card_statements_lines_and_context() -> None:
    got = [
        (s.text, s.line_start, s.line_end, s.heading, s.table_header) for s in segment_card(CARD)
    ]
    assert got == [
        ("Tiny-7B is a small model.", 9, 9, "Overview", ""),
        ("It uses GQA\nwith 8 KV heads, e.g. like Llama.", 9, 10, "Overview", ""),
        ("- Context length: 32K tokens", 12, 12, "Overview", ""),
        ("- Vocabulary: 32,000 tokens", 13, 13, "Overview", ""),
        ("| MMLU | 61.2 | 58.0 |", 28, 28, "Overview", "| Benchmark | Tiny-7B | Other |"),
        ("| GSM8K | 40.1 | 38.9 |", 29, 29, "Overview", "| Benchmark | Tiny-7B | Other |"),
        ("Trained on 2T tokens.", 32, 32, "Training", ""),
    ]


def test_locator_and_context_text() -> None:
    rows = [s for s in segment_card(CARD) if s.table_header]
    assert rows[0].locator == "L28"
    assert rows[0].context_text == "| Benchmark | Tiny-7B | Other |\n| MMLU | 61.2 | 58.0 |"
    multi = [s for s in segment_card(CARD) if s.line_start != s.line_end][0]
    assert multi.locator == "L9-L10"


def _real_cards() -> list[Path]:
    return sorted(CARDS.glob("*.md"))


@pytest.mark.skipif(not CARDS.is_dir(), reason="shared cards not present")
@pytest.mark.parametrize("path", _real_cards(), ids=lambda p: p.stem)
def test_real_card_quotes_match_their_lines(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    statements = segment_card(text)
    assert statements, "every real card has prose"
    for st in statements:
        quoted = st.text.split("\n")
        assert len(quoted) == st.line_end - st.line_start + 1
        for offset, piece in enumerate(quoted):
            assert piece in lines[st.line_start - 1 + offset], (st.locator, piece)
        assert "```" not in st.text
        assert not st.text.lstrip().startswith("<")


@pytest.mark.skipif(not CARDS.is_dir(), reason="shared cards not present")
def test_real_card_table_and_code_and_front_matter() -> None:
    granite = (CARDS / "ibm-granite--granite-3.1-1b-a400m-instruct.md").read_text(encoding="utf-8")
    statements = segment_card(granite)
    experts = [s for s in statements if "Number of experts" in s.text]
    assert len(experts) == 1
    assert experts[0].table_header.startswith("| Model")
    line = granite.splitlines()[experts[0].line_start - 1]
    assert "Number of experts" in line
    # front matter (license: apache-2.0) and code (import torch) are not statements
    assert not any(s.text.startswith("license:") for s in statements)
    assert not any("import torch" in s.text for s in statements)
    qwen = (CARDS / "Qwen--Qwen3-235B-A22B-FP8.md").read_text(encoding="utf-8")
    qs = segment_card(qwen)
    layers = next(s for s in qs if s.text == "- Number of Layers: 94")
    assert qwen.splitlines()[layers.line_start - 1] == "- Number of Layers: 94"
    assert layers.heading == "Model Overview"
    # the python block's "enable_thinking=True # Switches between ..." line is code, not prose
    assert not any("# Switches between thinking" in s.text for s in qs)
    assert any(
        s.text.startswith("For example, when explicitly setting `enable_thinking=True`") for s in qs
    )


def test_images_badges_and_contents_links_are_not_statements() -> None:
    """An image's alt text ("image/png"), a row of badges or a table-of-contents entry is
    nothing to classify; a sentence with an image or a link in it still is, whole."""
    card = (
        "# Model\n"
        "\n"
        "1. [Model Summary](#model-summary)\n"
        "2. [Limitations](#limitations)\n"
        "\n"
        "![image/png](https://cdn.example/arch.png)\n"
        "\n"
        "[![License](https://img.shields.io/l.svg)](https://x.example) "
        "[![Paper](https://img.shields.io/p.svg)](https://arxiv.org/abs/1)\n"
        "\n"
        "- ![](figures/bench.png)\n"
        "- The model uses GQA with 8 KV heads. ![diagram](figures/gqa.png)\n"
        "\n"
        "License: [Apache 2.0](https://www.apache.org/licenses/LICENSE-2.0)\n"
        "\n"
        "See [Training](#training) for the data.\n"
    )
    statements = segment_card(card)
    assert [(s.text, s.line_start) for s in statements] == [
        ("- The model uses GQA with 8 KV heads. ![diagram](figures/gqa.png)", 11),
        ("License: [Apache 2.0](https://www.apache.org/licenses/LICENSE-2.0)", 13),
        ("See [Training](#training) for the data.", 15),
    ]


def _row(text: str, header: str) -> Statement:
    return Statement(text, 1, 1, "", header)


@pytest.mark.parametrize(
    "row,header,repo_id,other",
    [
        # a sibling in the card's model table
        (
            "| DeepSeek-R1-Zero | 671B | 37B | 128K |",
            "| **Model** | **#Total Params** | **#Activated Params** | **Context Length** |",
            "deepseek-ai/DeepSeek-R1",
            "DeepSeek-R1-Zero",
        ),
        # this model's own row, however its words are ordered or marked up
        ("| DeepSeek-R1   | 671B | 37B |", "| Model | Total | Active |", "org/DeepSeek-R1", None),
        (
            "| **OLMo-2-13B-1124-Instruct** | 62.0 |",
            "| Model | Avg |",
            "x/OLMo-2-1124-13B-Instruct",
            None,
        ),
        (
            "| Llama 3 8B Instruct | 68.4 |",
            "| Model | MMLU |",
            "meta-llama/Meta-Llama-3-8B-Instruct",
            None,
        ),
        # a competitor's benchmark row: the header's first cell says "Model"
        ("| o1-mini | 63.6 |", "| Model | AIME 2024 |", "deepseek-ai/DeepSeek-R1", "o1-mini"),
        # a linked sibling, family shared, no "Model" header
        (
            "| [Qwen2.5-72B](https://hf.co/Qwen/Qwen2.5-72B) | 86.1 |",
            "| | MMLU |",
            "Qwen/Qwen2.5-7B",
            "Qwen2.5-72B",
        ),
        # attributes of a transposed table are no model names
        (
            "| Embedding size | 2048 | 1024 |",
            "| Model | 2B Dense | 1B MoE |",
            "ibm/granite-1b",
            None,
        ),
        (
            "| English | MMLU (Pass@1) | 88.3 |",
            "| Category | Benchmark | R1 |",
            "x/DeepSeek-R1",
            None,
        ),
        # no model to compare with, or no table
        ("| DeepSeek-R1-Zero | 671B |", "| Model | Params |", None, None),
        ("DeepSeek-R1-Zero has 671B parameters.", "", "deepseek-ai/DeepSeek-R1", None),
    ],
)
def test_row_other_model(row: str, header: str, repo_id: str | None, other: str | None) -> None:
    statement = _row(row, header) if header else Statement(row, 1, 1)
    assert row_other_model(statement, repo_id) == other


LABELS_CARD = """# Card

### Limitations

* Training Data
  * The quality and diversity of the training data shape the model.
  * The scope of the dataset sets the subjects it handles.
* Factual Accuracy
  * Models may generate incorrect statements.

**Model Release Date:**

* **70B Instruct: December 6, 2024**

| Task and metric | Base | Tuned |
|---|---|---|
| **Medical image classification** | | |
| MIMIC CXR - macro F1 | 81.2 | 88.9 |
"""


def test_a_list_title_over_its_sub_list_and_a_table_group_row_are_not_statements() -> None:
    """ "* Training Data" titling its nested items says nothing by itself (it was classified as
    supervised fine-tuning on gemma-2b-it's page); "| **Medical image classification** | | |"
    only names the rows below it. A short item without a sub-list still says something."""
    texts = [s.text for s in segment_card(LABELS_CARD)]
    assert "* Training Data" not in texts and "* Factual Accuracy" not in texts
    assert "* The quality and diversity of the training data shape the model." in texts
    assert "* Models may generate incorrect statements." in texts
    assert "* **70B Instruct: December 6, 2024**" in texts
    assert not any("Medical image classification" in t for t in texts)
    assert "| MIMIC CXR - macro F1 | 81.2 | 88.9 |" in texts


@pytest.mark.skipif(not CARDS.is_dir(), reason="shared cards not present")
def test_real_cards_list_titles_and_group_rows() -> None:
    gemma = segment_card((CARDS / "google--gemma-2b-it.md").read_text(encoding="utf-8"))
    texts = [s.text.strip() for s in gemma]
    for title in ("* Training Data", "* Research and Education", "* Context and Task Complexity"):
        assert title not in texts
    assert any(t.startswith("* The quality and diversity of the training data") for t in texts)
    medgemma = segment_card((CARDS / "google--medgemma-27b-it.md").read_text(encoding="utf-8"))
    assert not any(s.text.startswith("| **Medical image classification**") for s in medgemma)
    assert any(s.text.startswith("| MIMIC CXR") for s in medgemma)


def test_a_piece_without_a_letter_is_no_statement() -> None:
    """A citation "Bowen Zhou. 2025\\. "MedXpertQA..."" split at its full stops left "2025\\."
    as a statement (medgemma-27b-it's page showed it as a fact)."""
    card = (
        '# Refs\n\nErmo Hua and Bowen Zhou. 2025\\. "MedXpertQA: Benchmarking." arXiv.\n\n- 2048\n'
    )
    texts = [s.text for s in segment_card(card)]
    assert texts == ["Ermo Hua and Bowen Zhou.", '"MedXpertQA: Benchmarking." arXiv.']


def test_inline_plain_reads_backslash_escapes_as_their_character() -> None:
    from axes.classify.segment import inline_plain

    assert inline_plain(r"Szolovits. 2020\. \*literal\* **bold** `a\.b`") == (
        "Szolovits. 2020. *literal* bold a\\.b"
    )
