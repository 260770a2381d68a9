"""Korean, German and English: every msgid translated, the switcher, Accept-Language, formats.

Technical terms (backbone, post-training, inference, product, GQA, MoE, RLHF, KV cache) stay in
English inside Korean and German sentences, as the course writes them.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.template import Context, Template
from django.utils import translation

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("ko", "de")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|\{\{\s*\w+\s*\}\}")


def po(lang: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / lang / "LC_MESSAGES" / "django.po"))


def untranslated(catalog: polib.POFile) -> list[str]:
    bad = []
    for entry in catalog:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            bad.append(f"fuzzy: {entry.msgid!r}")
        elif entry.msgid_plural:
            if not entry.msgstr_plural or not all(v.strip() for v in entry.msgstr_plural.values()):
                bad.append(f"untranslated plural: {entry.msgid!r}")
        elif not entry.msgstr.strip():
            bad.append(f"untranslated: {entry.msgid!r}")
    return bad


@pytest.mark.parametrize("lang", LANGS)
def test_committed_catalog_is_complete_and_not_fuzzy(lang):
    catalog = po(lang)
    assert len(catalog) > 100
    assert untranslated(catalog) == []


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_survive_translation(lang):
    for entry in po(lang):
        want = sorted(PLACEHOLDER.findall(entry.msgid))
        got = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in got:
            assert sorted(PLACEHOLDER.findall(text)) == want, entry.msgid


# One word per term on a page: the course keeps technical terms in English, and where a catalog
# says a term in its own language, it says it one way. (pattern, glosses allowed: an axis
# title names the English term with its translation next to it).
GLOSSARY = {
    "de": [
        # a network's layer is a "Layer" ("Layer-Mix", "52 Layer"), never "Schicht" next to it;
        # the product axis's application layer is no network layer
        (r"\w*[Ss]chicht\w*(?<!Anwendungsschicht)", ()),
        (r"\b[Dd]ichte[rsn]?\b", ()),  # "Dense MLP", "Dense-Decoder", as the decoder type reads
        (r"\bKV [Cc]ache", ()),  # "KV-Cache", a German compound
    ],
    "ko": [
        (r"백본", ("Backbone (백본)",)),
        (r"포스트 ?트레이닝|사후 학습", ("Post-training (사후 학습)",)),
        (r"추론", ("Inference (추론)",)),  # also "reasoning", which stays in English as well
        (r"제품", ("Product (제품)",)),
        (r"순환 상태", ()),  # "recurrent state"
        (r"컨텍스트 윈도(?!우)|토큰 창", ()),  # "컨텍스트 윈도우"
        (r"베이스 모델", ()),  # "기반 모델", the fact kind's label
        (r"전문가", ()),  # "expert"
        # a network's layer is "레이어" ("레이어 32개"); config keys (layer_types) stay
        (r"(?<![A-Za-z_])[Ll]ayers?(?![A-Za-z_])", ()),
    ],
}


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_says_each_term_one_way(lang):
    bad = []
    for entry in po(lang):
        texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in texts:
            for pattern, glosses in GLOSSARY[lang]:
                for gloss in glosses:
                    text = text.replace(gloss, "")
                if re.search(pattern, text):
                    bad.append((pattern, entry.msgid[:60], text[:80]))
    assert bad == []


# German speaks to the learner with "du", as the pages do ("Versuche es ...", "Füge ... ein"):
# a formal imperative ("korrigieren Sie") or a capitalised "Ihr" in the middle of a sentence
# reads as another voice. "Sie" as "they" after a colon ("Sie stammen aus ...") is allowed.
FORMAL_DE = re.compile(
    r"\b(korrigieren|prüfen|setzen|versuchen|wählen|senden|geben|laden|öffnen|nutzen|"
    r"verwenden|fügen|starten|führen|nehmen|ergänzen|warten|lesen|messen|wandeln|"
    r"aktualisieren|erhöhen|übergeben|holen|stöbern|probieren)\s+Sie\b"
    r"|(?<![.:!?]\s)(?<!^)(?<!\()\b(Ihr|Ihre|Ihren|Ihrem|Ihrer|Ihres|Ihnen)\b"
)


def test_german_catalog_says_du_not_sie():
    bad = []
    for entry in po("de"):
        texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in texts:
            if FORMAL_DE.search(text):
                bad.append((entry.msgid[:60], text[:100]))
    assert bad == []


# Korean speaks in the polite formal 합니다체 ("…없습니다", "…입니까?"), with "-세요" for what to do;
# no plain 한다체 ("…한다.") and no 해요체 statement or question ("…인가요?", "…해요.") among them.
# A standalone answer word ("아니요") is no sentence. What to do is said one way: "-하십시오"
# among the catalog's "-하세요" read as another voice (the exercise's "선택하십시오").
PLAIN_KO = re.compile(r"(?<!니)다(?=[.!?]|$)")
HAEYO_KO = re.compile(r"(?<!세)(?<!니)요(?=[.!?)]|$)")
COMMAND_KO = re.compile(r"십시오")


def test_korean_catalog_keeps_one_speech_level():
    bad = []
    for entry in po("ko"):
        texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in texts:
            if text == "아니요":
                continue
            if PLAIN_KO.search(text) or HAEYO_KO.search(text) or COMMAND_KO.search(text):
                bad.append((entry.msgid[:60], text[:100]))
    assert bad == []


def test_every_msgid_in_templates_and_python_is_translated(tmp_path):
    """Run makemessages on a copy of the sources: a new string without ko/de fails here."""
    work = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "data", "node_modules")
    for name in ("axes", "catalog", "mechanic", "profiler", "templates", "locale"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, work / name, ignore=ignore)
    shutil.copy(ROOT / "manage.py", work / "manage.py")
    env = {"DEBUG": "1", "MECHANIC_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext is missing: apt-get install -y gettext")
    run = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ko", "-l", "de", "--no-obsolete"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    for lang in LANGS:
        po = work / "locale" / lang / "LC_MESSAGES" / "django.po"
        catalog = polib.pofile(str(po))
        assert untranslated(catalog) == [], f"{lang}: run makemessages and translate these"
        # Django's compilemessages checks formats (msgfmt --check-format): a literal "50% c"
        # in a msgid xgettext flags python-format stopped it ("# xgettext:no-python-format")
        check = subprocess.run(
            ["msgfmt", "--check-format", "-o", os.devnull, str(po)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert check.returncode == 0, check.stderr


def test_i18n_module_lists_every_taxonomy_and_verdict_string():
    from axes.taxonomy import AXIS_QUESTIONS, AXIS_TITLES, KINDS
    from catalog import i18n

    assert i18n.AXIS_TITLE_MSGIDS == list(AXIS_TITLES.values())
    assert i18n.AXIS_QUESTION_MSGIDS == list(AXIS_QUESTIONS.values())
    assert i18n.KIND_MSGIDS == list(KINDS.values())
    # Every reason axes.verdict can write is a msgid.
    tree = ast.parse((ROOT / "axes" / "verdict.py").read_text())
    reasons: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "reason":
                    reasons |= {
                        c.value
                        for c in ast.walk(value)
                        if isinstance(c, ast.Constant) and isinstance(c.value, str)
                    }
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            sub = node.targets[0].slice
            if isinstance(sub, ast.Constant) and sub.value == "reason":
                reasons |= {
                    c.value
                    for c in ast.walk(node.value)
                    if isinstance(c, ast.Constant) and isinstance(c.value, str)
                }
    reasons = {r for r in reasons if r.endswith(".")}  # sentences, not the keys compared
    assert len(reasons) >= 10
    assert reasons <= set(i18n.VERDICT_REASON_MSGIDS), reasons - set(i18n.VERDICT_REASON_MSGIDS)


# ---------------------------------------------------------------------------------------------
# The running site


@pytest.mark.django_db
def test_accept_language_ko_gives_korean_page(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ko-KR,ko;q=0.9,en;q=0.5")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ko">' in html
    assert "카탈로그" in html  # "Catalog"
    assert "세 가지 수업" in html  # "Three lessons"


@pytest.mark.django_db
def test_accept_language_de_and_default_english(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9").content.decode()
    assert '<html lang="de">' in html and "Drei Lektionen" in html
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR").content.decode()
    assert '<html lang="en">' in html and "Three lessons" in html


@pytest.mark.django_db
def test_the_german_home_page_names_the_axes_as_the_rest_of_the_german_pages(client):
    """German capitalizes its nouns, and the axis headings read "Backbone", "Post-Training",
    "Inference (Inferenz)": the home page's lede wrote them in English lower case."""
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    lede = html[html.index('class="lede"') :]
    lede = lede[: lede.index("</p>")]
    for axis in ("Backbone", "Post-Training", "Inference", "Product"):
        assert f"<strong>{axis}</strong>" in lede
    assert "aus der er stammt" in lede  # der Fakt


@pytest.mark.django_db
def test_the_home_page_reads_naturally_in_korean_and_german(client):
    """Korean hung its particle off a dash ("네 축 — backbone, …, product — 으로 분류하며"),
    and the first German lesson began its second half with a capital "Sie" that reads as the
    formal "you" the German pages never use ("…: Sie unterscheiden sich nur im
    Post-Training")."""
    ko = client.get("/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    lede = ko[ko.index('class="lede"') :].split("</p>")[0]
    assert "— 으로" not in lede
    assert "네 축(<strong>backbone</strong>" in lede and "<strong>product</strong>)으로" in lede
    de = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    lessons = de[de.index('data-testid="lessons"') :].split("</section>")[0]
    assert "Sie unterscheiden" not in lessons
    assert "die beiden unterscheiden sich nur im Post-Training" in lessons


@pytest.mark.django_db
def test_switcher_sets_the_cookie_and_it_wins_over_accept_language(client):
    response = client.post("/i18n/setlang/", {"language": "de", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["mechanic_language"].value == "de"
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert '<html lang="de">' in html


@pytest.mark.django_db
def test_unsupported_language_code_is_ignored_without_error(client):
    client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert response.status_code == 302  # back to the page, nothing broken
    assert "mechanic_language" not in response.cookies  # the earlier choice is kept
    html = client.get("/").content.decode()
    assert '<html lang="ko">' in html


@pytest.mark.django_db
def test_a_shared_link_carries_its_language(client):
    """?lang=ko on any page: Korean for that request, and remembered like the switcher's
    choice; an unknown code changes nothing."""
    response = client.get("/", {"lang": "ko"}, HTTP_ACCEPT_LANGUAGE="de")
    assert '<html lang="ko">' in response.content.decode()
    assert response.cookies["mechanic_language"].value == "ko"
    assert '<html lang="ko">' in client.get("/compare/").content.decode()  # remembered
    for spelled in ("DE", "de-DE", "de_AT"):
        assert '<html lang="de">' in client.get("/", {"lang": spelled}).content.decode()
    client.get("/", {"lang": "ko"})
    ignored = client.get("/", {"lang": "xx"})
    assert '<html lang="ko">' in ignored.content.decode()
    assert "mechanic_language" not in ignored.cookies


@pytest.mark.django_db
def test_the_switcher_on_a_page_opened_with_lang_goes_to_the_language_picked(client):
    """A page opened from a shared ``?lang=en`` link sent the switcher back to that same
    address, whose ``lang`` then won over the choice: picking 한국어 showed English again.
    The switcher's return address keeps the page's other parameters, not its ``lang``."""
    import html as _html
    import re as _re

    page = client.get("/compare/", {"models": "a/b,c/d", "lang": "en"}).content.decode()
    found = _re.search(r'<input name="next" type="hidden" value="([^"]*)">', page)
    assert found
    back = _html.unescape(found.group(1))
    assert "lang=" not in back and "models=a%2Fb%2Cc%2Fd" in back
    response = client.post("/i18n/setlang/", {"language": "ko", "next": back})
    assert response.status_code == 302
    assert '<html lang="ko">' in client.get(response["Location"]).content.decode()


def test_numbers_are_formatted_for_the_locale():
    template = Template("{% load mechanic %}{{ b|bytes_h }} · {{ t|tokens_h }}")
    context = Context({"b": 8_030_261_248, "t": 1_000_000})
    with translation.override("de"):
        assert template.render(context) == "7,48 GiB · 1.000.000"
    with translation.override("ko"):
        assert template.render(context) == "7.48 GiB · 1,000,000"
    with translation.override("en"):
        assert template.render(context) == "7.48 GiB · 1,000,000"


def test_fact_values_read_in_the_locale():
    """A structured fact value: integers from 1,000 on grouped and yes/no in the page's
    language; floats as the config writes them."""
    template = Template("{% load mechanic %}{{ v|json_value }}")
    context = Context(
        {"v": {"gated": True, "intermediate_size": 18432, "hidden_size": 7168, "eps": 1e-06}}
    )
    with translation.override("de"):
        assert (
            template.render(context)
            == "gated: ja · intermediate_size: 18\u202f432 · hidden_size: 7\u202f168 · eps: 1e-06"
        )
    with translation.override("ko"):
        assert (
            template.render(context)
            == "gated: 예 · intermediate_size: 18,432 · hidden_size: 7,168 · eps: 1e-06"
        )
    with translation.override("en"):
        assert (
            template.render(context)
            == "gated: yes · intermediate_size: 18,432 · hidden_size: 7,168 · eps: 1e-06"
        )


def test_four_digit_counts_are_grouped_as_the_longer_ones_and_years_or_ids_are_not():
    """gpt-oss's "hidden_size: 2880" stood beside "intermediate_size: 14,336", a "8192" beside
    "131,072": integers were grouped from 10,000 on only. Counts and sizes are grouped from
    1,000 on, in the page's language; a year, a version or an ID is not (it is no quantity)."""
    value = {
        "hidden_size": 2880,
        "intermediate_size": 14336,
        "sliding_window": 128,
        "max_position_embeddings": 131072,
        "release_year": 2024,
        "bos_token_id": 128000,
        "transformers_version": 4055,
        "layers": [1024, 2048],
    }
    template = Template("{% load mechanic %}{{ v|json_value }}|{{ f|fact_value_h }}")
    fact = {"kind": "backbone.hidden_size", "value": value}
    want = {
        "en": "hidden_size: 2,880 · intermediate_size: 14,336 · sliding_window: 128 · "
        "max_position_embeddings: 131,072 · release_year: 2024 · bos_token_id: 128000 · "
        "transformers_version: 4055 · layers: 1,024, 2,048",
        # German's point reads as a decimal point among config values: a narrow space there
        "de": "hidden_size: 2\u202f880 · intermediate_size: 14\u202f336 · sliding_window: 128 · "
        "max_position_embeddings: 131\u202f072 · release_year: 2024 · bos_token_id: 128000 · "
        "transformers_version: 4055 · layers: 1\u202f024, 2\u202f048",
    }
    want["ko"] = want["en"]
    for lang, text in want.items():
        with translation.override(lang):
            assert template.render(Context({"v": value, "f": fact})) == f"{text}|{text}", lang
    # the CLI reads the same (in English)
    from axes.readable import fact_value_text

    assert fact_value_text("backbone.hidden_size", value) == want["en"]


def test_verdict_sentence_keeps_axis_names_in_english():
    from axes.verdict import axes_verdict, verdict_sentence

    spec = {"family": "deepseek_v3", "layers": 61}
    v = axes_verdict(
        {
            "spec": spec,
            "facts": [
                {
                    "axis": "post_training",
                    "kind": "post_training.stage",
                    "value": "chat",
                    "evidence": {"source": "README.md", "locator": "L1", "text": "chat"},
                }
            ],
        },
        {
            "spec": spec,
            "facts": [
                {
                    "axis": "post_training",
                    "kind": "post_training.stage",
                    "value": "reasoning",
                    "evidence": {"source": "README.md", "locator": "L1", "text": "reasoning"},
                }
            ],
        },
    )
    with translation.override("ko"):
        ko = verdict_sentence(
            v, ["V3", "R1"], gettext=translation.gettext, ngettext=translation.ngettext
        )
    with translation.override("de"):
        de = verdict_sentence(
            v, ["V3", "R1"], gettext=translation.gettext, ngettext=translation.ngettext
        )
    # inference and product are unknown: no "only" (axes.verdict.verdict_sentence)
    assert ko.startswith("두 모델은 post-training에서 다르고 backbone에서는 같습니다")
    # German capitalizes its nouns, English loanwords too, as its axis headings right under
    # the sentence read ("Backbone", "Post-Training"): "bei post-training" read as a slip
    assert de.startswith(
        "Die beiden unterscheiden sich bei Post-Training und sind bei Backbone gleich"
    )
    # named in English, and once for both axes ("sind", not "ist ...; ... ist")
    assert ko.endswith("inference 및 product 정보는 두 모델 모두 알 수 없습니다.")
    assert de.endswith("; Inference und Product sind für beide unbekannt.")


def test_the_bundled_catalogs_evidence_words_are_translated():
    template = Template("{% load mechanic %}{{ a|evidence_l10n }} · {{ b|evidence_l10n }}")
    context = Context({"a": "published source", "b": "config.json"})
    with translation.override("de"):
        assert template.render(context) == "veröffentlichte Quelle · config.json"
    with translation.override("en"):
        assert template.render(context) == "published source · config.json"


def test_every_bundled_summary_is_listed_for_translation():
    import json

    from catalog.demo_i18n import DEMO_SUMMARY_MSGIDS, summary_l10n

    root = Path(__file__).resolve().parents[1] / "catalog" / "demo"
    summaries = {
        json.loads(p.read_text())["summary"]
        for p in [*root.glob("*.json"), *(root / "closed").glob("*.json")]
    }
    assert len(summaries) >= 18
    assert summaries == set(DEMO_SUMMARY_MSGIDS)
    sample = sorted(summaries)[0]
    for lang in ("de", "ko"):
        with translation.override(lang):
            assert summary_l10n(sample) != sample
    assert summary_l10n("an uploaded model's own words") == "an uploaded model's own words"


@pytest.mark.django_db
@pytest.mark.parametrize("lang, theta", [("de", "500\u202f000"), ("en", "500,000")])
def test_a_whole_float_reads_grouped_like_the_integers_beside_it(client, lang, theta):
    """German showed "rope_theta: 500000.0" raw beside "128.256": a config float that is a whole
    number is written as the integer it is, in the page's format; the evidence keeps the
    config's own text."""
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    page = client.get(
        "/models/meta-llama/Meta-Llama-3-8B", HTTP_ACCEPT_LANGUAGE=lang, follow=True
    ).content.decode()
    assert f"rope_theta: {theta}</div>" in page
    assert "<blockquote>rope_theta = 500000.0</blockquote>" in page  # the evidence as written
    compare = client.get(
        "/compare/",
        {"models": "meta-llama/Meta-Llama-3-8B,nvidia/Nemotron-H-8B-Base-8K"},
        HTTP_ACCEPT_LANGUAGE=lang,
    ).content.decode()
    row = compare.split('<th scope="row"><code>rope_theta</code>', 1)[1].split("</tr>", 1)[0]
    assert f'data-label="Meta-Llama-3-8B">{theta}</td>' in row, row
    assert "500000.0" not in compare.replace("rope_theta = 500000.0", "")


# " x " between two operands ("4 x hidden_size", "Elemente x Elementgröße"): a multiplication
# written with a letter
_LETTER_TIMES = re.compile(r"[\w)] x [\w(]")


def test_multiplication_is_written_with_the_times_sign_in_every_language():
    """A run page said "Elemente x Elementgröße": every user-facing text, its msgid and both
    translations, and the engine's notes the pages translate, write "×"."""
    letter = [
        (lang, text[:80])
        for lang in LANGS
        for entry in po(lang)
        if not entry.obsolete
        for text in (entry.msgid, entry.msgstr, *entry.msgstr_plural.values())
        if _LETTER_TIMES.search(text)
    ]
    assert not letter, letter
    templates = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "templates").rglob("*.html")
        if _LETTER_TIMES.search(re.sub(r"\{#.*?#\}", "", p.read_text()))
    ]
    assert not templates, templates
    from axes.backbone.report import analyze_config

    unknown = {"model_type": "somethingnew", "hidden_size": 64, "num_hidden_layers": 2}
    notes = analyze_config({**unknown, "vocab_size": 10, "num_attention_heads": 4})["notes"]
    assert "no intermediate_size: assumed 4 × hidden_size" in notes, notes
