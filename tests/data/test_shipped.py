"""The shipped dataset: valid, sourced, and covering what the analysis needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from pydantic import BaseModel

from umbrella.data import World, check_world
from umbrella.data.schema import DATASET_YEAR, Estimate, Event, Option

EUROPE = [
    *("AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC"),
    *("HUN", "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK"),
    *("SVN", "ESP", "SWE", "ALB", "ISL", "MNE", "MKD", "NOR", "TUR", "GBR", "CHE", "UKR"),
    *("MDA", "GEO"),
]
OTHERS = ["USA", "RUS", "BLR", "CHN"]


def _estimates(model: BaseModel, path: str) -> Iterator[tuple[str, Estimate]]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            where = f"{path}.{name}" + (f"[{index}]" if isinstance(value, list) else "")
            if isinstance(item, Estimate):
                yield where, item
            elif isinstance(item, BaseModel):
                yield from _estimates(item, where)


def test_shipped_data_is_valid() -> None:
    assert check_world() == []


def test_every_figure_cites_a_known_source(world: World) -> None:
    known = set(world.records["sources"])
    figures = [
        (f"{table}:{record_id}{where}", estimate)
        for table, records in world.records.items()
        for record_id, record in records.items()
        for where, estimate in _estimates(record, "")
    ]
    assert len(figures) > 100
    for where, estimate in figures:
        assert estimate.sources, where
        assert set(estimate.sources) <= known, where


def test_every_event_cites_a_known_source(world: World) -> None:
    known = set(world.records["sources"])
    for event in world.records["events"].values():
        assert isinstance(event, Event)
        assert event.sources, event.id
        assert set(event.sources) <= known, event.id
        assert {q.source for q in event.quotes} <= known, event.id


def test_actor_coverage(world: World) -> None:
    assert set(EUROPE + OTHERS) <= set(world.actors.index)
    assert set(world.members("EU")) >= {"FRA", "DEU", "POL", "SWE", "IRL", "AUT"}
    assert len(world.members("NATO")) == 32


def test_forces_cover_the_nuclear_armed_states(world: World) -> None:
    assert set(world.forces["state"]) == {"USA", "RUS", "GBR", "FRA", "CHN"}
    hosts = {h for hosts in world.deployments["hosts"] for h in hosts}
    assert {"BEL", "DEU", "ITA", "NLD", "TUR"} <= hosts


def test_timeline_has_the_key_evidence(world: World) -> None:
    events = world.events
    assert len(events) >= 25
    assert events["date"].min().year <= 2014
    assert events["date"].max().year >= 2026
    text = (events["summary"] + " " + events.index.to_series()).str.lower()
    dates = {d.isoformat() for d in events["date"]}
    assert "2025-03-11" in dates  # resumption of intelligence sharing
    assert "2025-07-10" in dates  # Northwood Declaration
    assert "2025-03-05" in dates  # Macron's address / the pause confirmed
    assert any(d.startswith("2025-06-2") for d in dates)  # The Hague summit
    assert any(d.startswith("2026-02-1") for d in dates)  # Munich Security Conference
    assert text.str.contains("intelligence").sum() >= 2
    quotes = " ".join(world.quotes["text"])
    assert "continues to extend its nuclear deterrence" in quotes


def test_options_catalogue(world: World) -> None:
    assert {
        "status-quo",
        "uk-france-coordination",
        "expanded-umbrella",
        "shared-responsibility",
        "european-arsenal",
        "isr-autonomy",
        "ukraine-conventional",
    } <= set(world.options.index)


def test_every_option_names_the_governments_that_must_agree(world: World) -> None:
    """What the implementation-risk model reads (docs/options.md): each option's agreement,
    and the elections of every government it names."""
    agreements = {}
    for option in world.records["options"].values():
        assert isinstance(option, Option)
        assert option.agreement.note, option.id
        assert option.agreement.sources, option.id
        agreements[option.id] = option.agreement.governments
    talks = {"FRA", "GBR", "DEU", "POL", "NLD", "BEL", "GRC", "SWE", "DNK"}
    assert agreements["status-quo"] == []
    assert set(agreements["uk-france-coordination"]) == {"GBR", "FRA"}
    assert set(agreements["expanded-umbrella"]) == {"FRA", "GBR", "DEU", "POL"}
    assert set(agreements["shared-responsibility"]) == talks
    assert set(agreements["european-arsenal"]) == talks
    assert set(agreements["isr-autonomy"]) == {"FRA", "DEU", "ITA", "ESP"}
    assert 1 <= len(agreements["ukraine-conventional"]) <= 7
    named = {code for governments in agreements.values() for code in governments}
    assert named == talks | {"ITA", "ESP", "NOR"}
    for code in sorted(named):
        elections = world.actor(code).elections
        assert elections is not None, code
        assert DATASET_YEAR <= elections.next <= DATASET_YEAR + elections.every_years + 1, code
        for source_id in elections.sources:
            assert world.source(source_id).kind == "primary", (code, source_id)
    france = world.actor("FRA").elections
    assert france is not None
    assert france.office == "President of the Republic"


def test_commitments_cover_the_guarantee_types(world: World) -> None:
    kinds = set(world.commitments["kind"])
    assert {
        "collective_defence",
        "extended_nuclear_deterrence",
        "nuclear_sharing",
        "eu_mutual_assistance",
        "bilateral_security_agreement",
        "nuclear_coordination",
        "security_assurance",
    } <= kinds


def test_polls_cover_publishers_countries_and_years(world: World) -> None:
    polls = world.polls
    assert len(polls) >= 40
    assert polls["publisher"].nunique() >= 4
    national = polls[polls["scope"] == "national"]
    assert national["country"].nunique() >= 6
    years = {int(str(f)[:4]) for f in polls["fieldwork"]}
    assert set(range(2015, 2027)) <= years
    known = set(world.records["sources"])
    for poll_id, row in polls.iterrows():
        assert set(row["sources"]) <= known, poll_id
        # The excerpt carries the number: as digits, or as a word that the note spells out.
        share = row["share_pct"]
        digits = f"{share:g}"
        assert digits in row["excerpt"] or "written as a word" in str(row["note"]), poll_id


def test_a_poll_series_is_one_pollster_asking_one_question(world: World) -> None:
    """Points compare within a series and answer: one publisher, one question (as worded
    in at most two reports of it)."""
    polls = world.polls
    for name, rows in polls.groupby("series"):
        assert rows["publisher"].nunique() == 1, name
    for pair, rows in polls.groupby(["series", "answer"]):
        assert rows["question"].nunique() <= 2, pair


def test_every_re_report_names_its_original_or_says_it_could_not(world: World) -> None:
    from urllib.parse import urlparse

    from umbrella.data.cite import UNVERIFIED, format_source
    from umbrella.data.schema import Source

    verified = 0
    for source in world.records["sources"].values():
        assert isinstance(source, Source)
        if source.kind != "secondary":
            continue
        assert source.primary in ("verified", "not verified"), source.id
        assert source.primary_checked, source.id
        text = format_source(source)
        assert text.startswith(f'{source.publisher}, "{source.title}", {source.published}')
        if source.primary == "verified":
            verified += 1
            assert source.primary_url is not None
            # The original's own address, printed before where it was read.
            assert urlparse(source.primary_url).netloc != urlparse(source.url).netloc, source.id
            assert text.index(source.primary_url) < text.index("Read in:"), source.id
        else:
            assert UNVERIFIED in text.split("Read in:")[0], source.id
    assert verified >= 50


def test_every_guarantor_has_coded_evidence_in_every_two_years(world: World) -> None:
    """The coding protocol's coverage rule (docs/trust.md): every guarantor has evidence
    before the first as-of date of the backtests (2008-07-01); from 2014 at least one event
    with a non-zero effect in every two consecutive years, and both positive and negative
    evidence; every event says why it is coded so."""
    from collections import defaultdict

    years: dict[str, set[int]] = defaultdict(set)
    signs: dict[str, set[int]] = defaultdict(set)
    early: set[str] = set()
    for event in world.records["events"].values():
        assert isinstance(event, Event)
        assert event.coding.strip(), event.id
        for effect in event.effects:
            if effect.sign != 0:
                years[effect.guarantor].add(event.date.year)
                if event.date < dt.date(2008, 7, 1):
                    early.add(effect.guarantor)
                if event.date.year >= 2014:
                    signs[effect.guarantor].add(effect.sign)
    assert early == {"USA", "GBR", "FRA"}
    for guarantor in ("USA", "GBR", "FRA"):
        for first in range(2014, 2026):
            window = {first, first + 1}
            assert years[guarantor] & window, (guarantor, first)
        assert signs[guarantor] == {-1, 1}, guarantor


def test_crises_record_the_cases_the_backtests_score(world: World) -> None:
    crises = world.crises
    challenged = crises[crises["challenge"]]
    for year, target in ((2008, "GEO"), (2014, "UKR"), (2022, "UKR")):
        rows = challenged[(challenged["year"] == year) & (challenged["target"] == target)]
        assert len(rows) >= 1, (year, target)
    mid = crises[crises["dataset"] == "MID"]
    assert mid["year"].max() == 2014  # MID 5.0 ends in 2014
    assert len(mid) >= 70
    assert not crises[crises.index.str.contains("przewodow")]["challenge"].any()
    known = set(world.records["sources"])
    for crisis_id, row in crises.iterrows():
        assert set(row["sources"]) <= known, crisis_id
