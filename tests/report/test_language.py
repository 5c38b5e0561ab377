"""The brief in another language: Ukrainian words, the same figures, English unchanged."""

from __future__ import annotations

import configparser
import io
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from umbrella.cli.app import app
from umbrella.errors import UsageError
from umbrella.explore.run import run as run_ensemble
from umbrella.model.scenario import flagship_path, load_scenario
from umbrella.report.build import SECTIONS, Brief, _environment, scenario_texts, write_brief
from umbrella.report.locale import FINDINGS_TEXTS, FOLDER, LANGUAGES, catalogue, language
from umbrella.report.numbers import estimate, money, number, percent
from umbrella.settings import DEFAULT_SEED

OTHERS = LANGUAGES[1:]

# Sentences of the templates and the wording code, as the English brief prints them.
ENGLISH_PHRASES = (
    "The question this brief answers",
    "Every quantity above is defined in plain words",
    "does most to keep deterrence of",
    "Its lead over",
    "It costs EUR",
    "What would change the answer",
    "The guarantors are the three nuclear-armed members of NATO",
    "Trust is the perceived reliability of each guarantor",
    "Each option reaches Ukraine through two channels",
    "The options on the table, each assessed in the same",
    "Who is protected",
    "Deterrence holds by year",
    "Value for money",
    "The map shows each state in",
    "The model's stress axes are events no European option controls",
    "Scenario discovery (PRIM)",
    "The box holds",
    "It does not forecast war",
    "For Ukraine, support averages",
    "**The model.**",
    "**Provenance.**",
    "**Assumptions.**",
    "**Sources.**",
    "| Option |",
    "| Assumption |",
    "points (",
    " as assumed.",
)


@pytest.fixture(scope="module")
def briefs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Brief]:
    """The English and the Ukrainian brief of one stored run."""
    root = tmp_path_factory.mktemp("languages")
    store = root / "runs"
    run = run_ensemble(load_scenario(flagship_path()), 2_000, DEFAULT_SEED, store=store)
    assert run.run_id is not None
    return {
        code: write_brief(run_id=run.run_id, store=store, out=root / code, lang=code, sobol_base=32)
        for code in ("en", "uk")
    }


def _text(brief: Brief, kind: str) -> str:
    return brief.files[kind].read_text(encoding="utf-8")


def test_the_ukrainian_brief_is_in_ukrainian(briefs: dict[str, Brief]) -> None:
    uk = language("uk")
    markdown, html = _text(briefs["uk"], "md"), _text(briefs["uk"], "html")
    assert briefs["uk"].lang == "uk"
    assert '<html lang="uk">' in html
    assert "Розділи" in html  # the navigation's label
    for section_id, title in SECTIONS:
        translated = uk.gettext(title)
        assert translated != title
        assert f"## {translated}\n" in markdown
        assert f"## {title}\n" not in markdown
        assert f'<section id="{section_id}">\n<h2>{translated}</h2>' in html
    assert markdown.startswith("# Хто захистить Європу?")
    prose = _prose(markdown)
    for phrase in ENGLISH_PHRASES:
        assert phrase not in prose, phrase
    # Every sentence of the code and the templates is in the catalogue: none of them is left.
    left = [fragment for fragment in _fragments() if fragment in prose]
    assert not left, left[:5]
    # The conclusion, worded in code, comes back in the brief's language.
    names = {o.id: o.name for o in load_scenario(flagship_path()).options}
    leading = uk.text(str(names[briefs["uk"].leading]))
    assert leading != names[briefs["uk"].leading]
    assert briefs["uk"].conclusion[0].startswith(f"**{leading}**")
    assert "вірогідність стримування" in briefs["uk"].conclusion[0]


def test_the_charts_are_in_ukrainian(briefs: dict[str, Brief]) -> None:
    """Every chart's title, text alternative and caption, and the words around the charts
    on the page, are Ukrainian: none of the English brief's is left."""
    english = {kind: _text(briefs["en"], kind) for kind in ("md", "html")}
    ukrainian = {kind: _text(briefs["uk"], kind) for kind in ("md", "html")}
    everything = ukrainian["md"] + ukrainian["html"]
    titles = {
        code: _chart_titles(text["html"]) for code, text in (("en", english), ("uk", ukrainian))
    }
    assert len(titles["en"]) == len(titles["uk"]) >= 8
    for title in titles["en"]:
        assert title not in everything, title
    assert all(re.search("[\u0400-\u04ff]", title) for title in titles["uk"]), titles["uk"]
    charts = {code: _charts(text["md"]) for code, text in (("en", english), ("uk", ukrainian))}
    assert len(charts["en"]) == len(charts["uk"]) == len(titles["en"])
    for (alt, caption), (uk_alt, uk_caption) in zip(charts["en"], charts["uk"], strict=True):
        assert alt not in everything, alt
        assert caption not in everything, caption
        assert re.search("[\u0400-\u04ff]{4}", uk_alt), uk_alt
        assert re.search("[\u0400-\u04ff]{4}", uk_caption), uk_caption
    # The words the page puts around the charts and tables.
    html = ukrainian["html"]
    assert " Data: <a" not in html  # plotly.js has "Data:" of its own
    assert f'{language("uk").gettext("Data:")} <a href="data/' in html
    assert "Option in the lower map" not in html
    assert 'aria-label="Table; scrolls' not in html
    # The interactive charts write their numbers and months the Ukrainian way.
    assert html.count('"locale": "uk"') == len(titles["uk"])
    assert '"showSendToCloud": false, "locale"' not in english["html"]


def _chart_titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="chart-title" id="title-[^"]+">([^<]+)</h3>', html)


def _charts(markdown: str) -> list[tuple[str, str]]:
    """Each chart's text alternative and caption, as the Markdown brief prints them."""
    return re.findall(r"^!\[(.+)\]\(charts/[^)]+\)\n\n\*(.+)\* \S+ \[data/", markdown, re.M)


def test_ukrainian_numbers_dates_and_plurals(briefs: dict[str, Brief]) -> None:
    markdown = _text(briefs["uk"], "md")
    nbsp = "\u00a0"
    assert f"2{nbsp}000 сценаріїв майбутнього" in markdown  # plural of many, grouped
    assert "1 листопада 2026\u202f" in markdown  # CLDR's long date, the month's genitive
    assert re.search(r"\d+,\d млрд євро", markdown)  # decimal comma
    assert re.search(r"[+−]\d+,\d в\. п\.", markdown)
    assert number(1234.5, 1, "uk") == f"1{nbsp}234,5"
    assert percent(0.714, 1, "uk") == "71,4%"
    assert money(4.9, 2.3, 7.9, "uk") == "4,9 млрд євро (2,3–7,9)"
    uk = language("uk")
    plural = "A brief from run {run_id}: {n} futures, evidence to {as_of}, options assessed "
    plural += "{start}–{horizon} {mark}."
    singular = plural.replace("{n} futures", "{n} future")
    words = [uk.ngettext(singular, plural, n).split(":")[1].split(",")[0] for n in (1, 3, 2000)]
    assert words == [
        " {n} сценарій майбутнього",
        " {n} сценарії майбутнього",
        " {n} сценаріїв майбутнього",
    ]


def test_both_languages_print_the_same_figures(briefs: dict[str, Brief]) -> None:
    english = _numbers(_text(briefs["en"], "md"), "en")
    ukrainian = _numbers(_text(briefs["uk"], "md"), "uk")
    assert sum(english.values()) > 1_000
    assert english == ukrainian, (english - ukrainian, ukrainian - english)
    # The tables behind the charts and tables do not depend on the language.
    for table in sorted((briefs["en"].folder / "data").glob("*.csv")):
        twin = briefs["uk"].folder / "data" / table.name
        assert table.read_bytes() == twin.read_bytes(), table.name


def test_the_english_brief_is_unchanged(briefs: dict[str, Brief]) -> None:
    markdown, html = _text(briefs["en"], "md"), _text(briefs["en"], "html")
    assert briefs["en"].lang == "en"
    assert '<html lang="en">' in html
    assert not re.search("[\u0400-\u04ff]", markdown + html)
    for _, title in SECTIONS:
        assert f"## {title}\n" in markdown
    assert (
        "Every quantity above is defined in plain words under [What the numbers mean]"
        "(#definitions); the ranges are the 10th–90th percentiles over the futures explored"
    ) in markdown
    assert "futures, evidence to 1 November 2026, options assessed 2026–2040" in markdown
    assert "2,000 futures" in markdown
    # The phrases the Ukrainian brief must not print are the English brief's own.
    prose = _prose(markdown)
    assert all(phrase in prose for phrase in ENGLISH_PHRASES)
    assert sum(fragment in prose for fragment in _fragments()) > 100
    # English is the source language: every message is its own translation.
    english = language("en")
    for message in _catalogue(OTHERS[0]):
        ids = _forms(message.id)
        if len(ids) == 2:
            assert english.ngettext(ids[0], ids[1], 1) == ids[0]
            assert english.ngettext(ids[0], ids[1], 2) == ids[1]
        elif ids and ids[0]:
            assert english.gettext(ids[0]) == ids[0]
    assert estimate(0.0234, -0.005, 0.041, "points") == "+2.3 points (−0.5 to +4.1)"


@pytest.mark.parametrize("code", OTHERS)
def test_every_message_is_translated(code: str) -> None:
    catalog = _catalogue(code)
    assert len(catalog) > 200
    assert not list(catalog.check()), list(catalog.check())[:3]
    for message in catalog:
        if not message.id:
            continue
        strings, ids = _forms(message.string), _forms(message.id)
        assert strings, message.id
        assert all(s.strip() for s in strings), message.id
        assert "fuzzy" not in message.flags, message.id
        for string in strings:
            assert _placeholders(string) <= _placeholders(ids[-1]), message.id
            # A translation words the same figures: it adds or drops no number.
            assert sorted(re.findall(r"\d+", string)) == sorted(re.findall(r"\d+", ids[-1]))
    # The texts the flagship scenario and the findings bring to the brief are there too.
    translated = {_forms(m.id)[0]: _forms(m.string)[0] for m in catalog if m.id}
    for text in [*scenario_texts(load_scenario(flagship_path())), *FINDINGS_TEXTS]:
        assert translated.get(text), text


@pytest.mark.parametrize("code", OTHERS)
def test_the_catalogue_holds_every_message_of_the_code(code: str) -> None:
    """The catalogue is up to date with the code, the templates and the flagship scenario:
    what ``pybabel extract`` finds with babel.cfg is what the catalogue holds."""
    root = Path(__file__).resolve().parents[2]
    config = configparser.ConfigParser()
    config.read(root / "babel.cfg", encoding="utf-8")
    extractors = dict(config["extractors"]) if config.has_section("extractors") else {}
    methods = []
    for section in config.sections():
        if section != "extractors":
            method, pattern = (part.strip() for part in section.split(":", 1))
            methods.append((pattern, extractors.get(method, method)))
    found = {
        _forms(message)[0]
        for _, _, message, _, _ in extract_from_dir(str(root), methods, {})
        if message
    }
    held = {_forms(m.id)[0] for m in _catalogue(code) if m.id}
    assert found == held, (sorted(found - held)[:3], sorted(held - found)[:3])


@pytest.mark.parametrize("code", OTHERS)
def test_the_shipped_catalogue_is_compiled_from_the_po(code: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, _catalogue(code))
    assert compiled.getvalue() == catalogue(code).read_bytes(), (
        f"{catalogue(code)} is stale: run pybabel compile (docs/brief.md, Languages)"
    )


def test_languages_do_not_mix_across_threads() -> None:
    """Each brief carries its own language: nothing global that another brief changes."""

    def render(code: str) -> str:
        tongue = language(code)
        template = _environment(code).get_template("limits.md.j2")
        text = template.render(limits=[tongue.gettext("Conclusion")])
        return f"{text}|{estimate(0.5, 0.25, 0.75, 'percent', tongue)}|{money(1234.5, lang=code)}"

    expected = {code: render(code) for code in LANGUAGES}
    assert len(set(expected.values())) == len(LANGUAGES)
    codes = [LANGUAGES[i % len(LANGUAGES)] for i in range(400)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        done = list(pool.map(render, codes))
    assert done == [expected[code] for code in codes]


def test_an_unknown_language_is_refused_before_the_run(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--lang: unknown language fr; choose from en, uk"):
        write_brief(out=tmp_path / "brief", store=None, lang="fr")
    assert not (tmp_path / "brief").exists()
    result = CliRunner().invoke(app, ["brief", "--lang", "fr", "--out", str(tmp_path / "b")])
    assert result.exit_code == 2
    assert "--lang" in result.output


def _catalogue(code: str) -> Catalog:
    with (FOLDER / code / "LC_MESSAGES" / "brief.po").open("rb") as po:
        return read_po(po)


def _forms(value: object) -> tuple[str, ...]:
    """A message's id or string as a tuple: one text, or its plural forms."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, tuple | list):
        return tuple(str(v) for v in value)
    return ()


def _placeholders(text: str) -> set[str]:
    return {"".join(names) for names in re.findall(r"\{(\w+)\}|%\((\w+)\)s", text)}


def _fragments(words: int = 5) -> list[str]:
    """The English runs of words between the placeholders of the code's and templates'
    messages (not the scenario's texts), long enough to be a sentence's and not a name's."""
    fragments = []
    for message in _catalogue(OTHERS[0]):
        if not message.id or not _from_code(message):
            continue
        for text in _forms(message.id):
            for part in re.split(r"\{\w+\}|%\(\w+\)s|\*\*", text.replace("%%", "%")):
                part = part.strip(" .,;:()")
                if len(part.split()) >= words:
                    fragments.append(part)
    return fragments


def _from_code(message: Message) -> bool:
    return any(not path.endswith(".yaml") for path, _ in message.locations)


def _prose(markdown: str) -> str:
    """The brief's own words, its charts' text alternatives and captions among them: without
    the quotations, the bibliography and the references, which keep their original
    language."""
    lines = []
    for line in markdown.splitlines():
        if line.startswith("!["):
            lines.append(line[2 : line.rindex("](charts/")])  # without the image's address
        elif not line.startswith(("> ", "- [", "[")):
            lines.append(line)
    return "\n".join(lines)


_NUMBER = {
    "en": re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?"),
    "uk": re.compile(r"\d+(?:[\u00a0\u202f]\d{3})*(?:[.,]\d+)?"),
}


def _numbers(markdown: str, code: str) -> Counter[str]:
    """Every number of a brief, written the same way whatever the language: no thousands
    separator, a decimal point. Texts of the dataset keep their English numbers in every
    brief (``11,900 troops``): a comma before exactly three digits is a thousands separator
    there, since the brief prints no number to three decimals."""
    found: Counter[str] = Counter()
    for match in _NUMBER[code].finditer(markdown):
        text = re.sub("[\u00a0\u202f]", "", match.group())
        if code != "en" and re.fullmatch(r"\d{1,3}(?:,\d{3})+", text):
            text = text.replace(",", "")
        found[text.replace(",", "") if code == "en" else text.replace(",", ".")] += 1
    return found
