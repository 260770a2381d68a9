"""Repo-ID and revision validation: what a user may paste, and what is refused before any request."""

from __future__ import annotations

import pytest

from catalog.ids import (
    InvalidModelId,
    InvalidRevision,
    ModelRef,
    model_ref_parse,
    repo_id_validate,
    revision_validate,
)

HUB = "https://huggingface.co"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("meta-llama/Llama-3.1-8B", ModelRef("meta-llama/Llama-3.1-8B")),
        ("  Qwen/Qwen3-30B-A3B  ", ModelRef("Qwen/Qwen3-30B-A3B")),
        ("gpt2", ModelRef("gpt2")),  # legacy single-part IDs exist on the Hub
        ("state-spaces/mamba-2.8b-hf", ModelRef("state-spaces/mamba-2.8b-hf")),
        ("org/name_with.dots_and_underscores", ModelRef("org/name_with.dots_and_underscores")),
        ("https://huggingface.co/deepseek-ai/DeepSeek-R1", ModelRef("deepseek-ai/DeepSeek-R1")),
        ("https://huggingface.co/deepseek-ai/DeepSeek-R1/", ModelRef("deepseek-ai/DeepSeek-R1")),
        ("huggingface.co/openai/gpt-oss-20b", ModelRef("openai/gpt-oss-20b")),
        ("https://hf.co/openai/gpt-oss-20b", ModelRef("openai/gpt-oss-20b")),
        (
            "https://huggingface.co/meta-llama/Llama-3.1-8B/tree/main",
            ModelRef("meta-llama/Llama-3.1-8B", "main"),
        ),
        (
            "https://huggingface.co/org/name/tree/refs%2Fpr%2F12",
            ModelRef("org/name", "refs/pr/12"),
        ),
        ("https://huggingface.co/org/name?library=transformers#x", ModelRef("org/name")),
        ("https://huggingface.co/gpt2", ModelRef("gpt2")),
    ],
)
def test_accepted(text: str, expected: ModelRef) -> None:
    assert model_ref_parse(text, endpoint=HUB) == expected


BAD_IDS = [
    "",
    "   ",
    "../../etc/passwd",
    "org/../name",
    "org/..",
    "..",
    "org/name/extra",
    "/org/name",
    "org//name",
    "org/na me",
    "org/name\n",
    "org/name\nX-Injected: 1",
    "org/na\rme",
    "org/na\x00me",
    "orgé/name",
    "org/名前",
    "org/nаme",  # Cyrillic a
    "org/" + "a" * 97,
    "o" * 97 + "/name",
    "x" * 600,
    "org/na--me",
    "org/na..me",
    "-org/name",
    "org/name-",
    ".org/name",
    "org/name.",
    "org/name.git",
    "org/name%2F..",
    "datasets/squad",
    "spaces/org/app",
    "datasets/org/data",
    "https://huggingface.co/datasets/org/data",
    "https://huggingface.co/spaces/org/app",
    "https://evil.example.com/org/name",
    "https://huggingface.co.evil.com/org/name",
    "https://user:pass@huggingface.co/org/name",
    "ftp://huggingface.co/org/name",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "https://huggingface.co/org/name/blob/main/config.json",
    "https://huggingface.co/org/name/discussions",
    "https://huggingface.co/",
    "https://huggingface.co/org/../x",
    "org/name?x=1",
    "org/name#frag",
    "org/<script>",
]


@pytest.mark.parametrize("text", BAD_IDS)
def test_refused(text: str) -> None:
    with pytest.raises(InvalidModelId) as info:
        model_ref_parse(text, endpoint=HUB)
    assert "org/name" in str(info.value)  # the message shows what a valid ID looks like


def test_configured_endpoint_host_is_accepted_and_others_are_not() -> None:
    endpoint = "http://127.0.0.1:8123"
    assert model_ref_parse("http://127.0.0.1:8123/org/name", endpoint=endpoint) == ModelRef(
        "org/name"
    )
    with pytest.raises(InvalidModelId):
        model_ref_parse("http://127.0.0.1:9999/org/name", endpoint=endpoint)


def test_endpoint_defaults_to_settings(settings) -> None:
    settings.HF_ENDPOINT = "https://hub.internal.example"
    assert model_ref_parse("https://hub.internal.example/a/b").repo_id == "a/b"
    with pytest.raises(InvalidModelId):
        model_ref_parse("https://other.example/a/b")


@pytest.mark.parametrize(
    "rev", ["main", "v1.0", "refs/pr/1", "a" * 40, "release-2025_01", "feature/x.y"]
)
def test_revisions_accepted(rev: str) -> None:
    assert revision_validate(rev) == rev
    assert model_ref_parse("org/name", revision=rev, endpoint=HUB).revision == rev


@pytest.mark.parametrize(
    "rev",
    ["../main", "a..b", "/main", "main/", "-x", "ma in", "main\n", "mäin", "x" * 201,
     "a//b", "x.lock", "a/.b", "@{-1}"],
)  # fmt: skip
def test_revisions_refused(rev: str) -> None:
    with pytest.raises(InvalidRevision) as info:
        model_ref_parse("org/name", revision=rev, endpoint=HUB)
    assert "revision" in str(info.value)


def test_empty_revision_means_main() -> None:
    assert model_ref_parse("org/name", revision="", endpoint=HUB).revision is None


def test_revision_from_url_is_validated() -> None:
    with pytest.raises(InvalidRevision):
        model_ref_parse("https://huggingface.co/org/name/tree/..%2F..%2Fx", endpoint=HUB)


def test_explicit_revision_wins_over_url() -> None:
    ref = model_ref_parse("https://huggingface.co/org/name/tree/dev", revision="v2", endpoint=HUB)
    assert ref == ModelRef("org/name", "v2")


def test_repo_id_validate_keeps_the_id() -> None:
    assert repo_id_validate("meta-llama/Meta-Llama-3-8B") == "meta-llama/Meta-Llama-3-8B"
    with pytest.raises(InvalidModelId):
        repo_id_validate("datasets/x")


def test_an_organization_alone_is_no_model_id():
    """ "meta-llama/" names an organization: refused at once, like "/name", not sent to the
    Hub as the single-part ID "meta-llama" (a 404 ten seconds later)."""
    with pytest.raises(InvalidModelId, match="empty part"):
        model_ref_parse("meta-llama/")
    assert model_ref_parse("meta-llama/Llama-3.1-8B/").repo_id == "meta-llama/Llama-3.1-8B"
    assert model_ref_parse("gpt2").repo_id == "gpt2"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hf://org/name", ModelRef("org/name")),
        ("hf://org/name/", ModelRef("org/name")),
        ("hf://org/name@v1.0", ModelRef("org/name", "v1.0")),
        ("hf://models/org/name@main", ModelRef("org/name", "main")),
        ("hf://org/name@refs/pr/3", ModelRef("org/name", "refs/pr/3")),
        ("hf://org/name@refs%2Fpr%2F1", ModelRef("org/name", "refs/pr/1")),
        ("HF://gpt2", ModelRef("gpt2")),
    ],
)
def test_hf_paths_name_a_model_and_its_revision(text: str, expected: ModelRef) -> None:
    # Before: "Only http(s) Hub URLs are accepted, not 'hf:'", though the module's docstring
    # and the org/name@rev form both cite huggingface_hub's hf:// paths.
    assert model_ref_parse(text, endpoint=HUB) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("hf://datasets/org/data", "'hf://datasets/...' is not a model"),
        ("hf://spaces/org/app@main", "'hf://spaces/...' is not a model"),
        ("hf://org/name/config.json", "names a file in the repository"),
        ("hf://org/name@main/config.json", "names a file in the repository"),
        ("https://huggingface.co/org/name@v1", "/tree/<revision>"),
        ("huggingface.co/org/name@v1", "/tree/<revision>"),
    ],
)
def test_hf_paths_that_are_no_model_and_urls_with_at_say_why(text: str, says: str) -> None:
    # Before: hf:// paths all read "not 'hf:'"; a Hub URL with @rev read "'name@v1' contains
    # characters a Hub model ID cannot have", which does not say the Hub writes /tree/<rev>.
    with pytest.raises(InvalidModelId) as info:
        model_ref_parse(text, endpoint=HUB)
    assert says in str(info.value)
    assert "org/name" in str(info.value)
