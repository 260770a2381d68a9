"""Facts from generation_config.json and from the chat template (Jinja source, read as text).

The template is never rendered: we only look for the markers each format and switch leaves in
its source (``<|im_start|>``, ``enable_thinking``, a loop over ``tools``). Rendering untrusted
Jinja in the web process is not worth the risk for facts this visible in the text.
"""

from __future__ import annotations

import re
from typing import Any

from axes.facts import Evidence, Fact

SAMPLING_KEYS: tuple[str, ...] = (
    "temperature",
    "top_p",
    "top_k",
    "min_p",
    "repetition_penalty",
    "max_new_tokens",
    "max_length",
    "do_sample",
)

# (format name, marker regex), first match wins: harmony before ChatML since both use <|...|>
CHAT_FORMATS: tuple[tuple[str, str], ...] = (
    ("harmony", r"<\|start\|>|<\|channel\|>|<\|message\|>"),
    ("llama3", r"<\|start_header_id\|>"),
    ("chatml", r"<\|im_start\|>"),
    ("gemma", r"<start_of_turn>"),
    ("deepseek", r"<｜User｜>|<｜Assistant｜>"),
    ("phi3", r"<\|user\|>|<\|assistant\|>|<\|end\|>"),
    ("mistral", r"\[INST\]|\[/INST\]|\[SYSTEM_PROMPT\]"),
    ("glm", r"\[gMASK\]|<\|observation\|>"),
    ("alpaca", r"### Instruction|### Response"),
)
THINKING_MARKERS: tuple[tuple[str, str], ...] = (
    ("enable_thinking", r"\benable_thinking\b"),
    ("/think", r"/no_think|/think\b"),
    ("<think>", r"<think>|</think>"),
    ("reasoning_effort", r"\breasoning_effort\b|Reasoning:\s*"),
    ("thinking", r"\bthinking\b"),
)
TOOL_MARKERS = r"\btools\b|tool_calls|<tools>|\[AVAILABLE_TOOLS\]|<tool_call>|\bfunctions\b"


def generation_facts(gen: dict[str, Any]) -> list[Fact]:
    facts = []
    for key in SAMPLING_KEYS:
        if key in gen and gen[key] is not None:
            facts.append(
                Fact(
                    "inference",
                    "inference.sampling",
                    {key: gen[key]},
                    Evidence("generation_config.json", key, f"{key} = {gen[key]!r}"),
                    confidence=1.0,
                    extractor="generation_config",
                )
            )
    return facts


def _first_line(template: str, pattern: str) -> tuple[str, str] | None:
    rx = re.compile(pattern)
    for n, line in enumerate(template.splitlines(), 1):
        m = rx.search(line)
        if m:
            return f"L{n}", line.strip()[:200]
    return None


def chat_template_facts(template: str, *, source: str = "chat_template.jinja") -> list[Fact]:
    facts: list[Fact] = []
    for name, pattern in CHAT_FORMATS:
        found = _first_line(template, pattern)
        if found:
            facts.append(
                Fact(
                    "inference",
                    "inference.chat_format",
                    name,
                    Evidence(source, *found),
                    confidence=0.95,
                    extractor="chat_template",
                )
            )
            break
    switches = []
    evidence = None
    for name, pattern in THINKING_MARKERS:
        found = _first_line(template, pattern)
        if found and not (name == "thinking" and switches):
            switches.append(name)
            evidence = evidence or found
    if switches and evidence:
        facts.append(
            Fact(
                "inference",
                "inference.reasoning_mode",
                {"switches": switches},
                Evidence(source, *evidence),
                confidence=0.9 if switches != ["thinking"] else 0.6,
                extractor="chat_template",
            )
        )
    found = _first_line(template, TOOL_MARKERS)
    if found:
        facts.append(
            Fact(
                "product",
                "product.tool_use",
                "the chat template renders tool definitions",
                Evidence(source, *found),
                confidence=0.9,
                extractor="chat_template",
            )
        )
    return facts
