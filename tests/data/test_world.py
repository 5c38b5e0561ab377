"""Loading, overlays and the labelled views of the dataset."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import umbrella
from umbrella.data import World, check_world
from umbrella.errors import DataError, UsageError

NEW_ACTOR = """\
- id: JPN
  name: Japan
  region: asia
  nuclear_status: non_nuclear
  gdp_usd_bn: {value: 4000, low: 3900, high: 4100, year: 2024, sources: [test-source]}
  sources: [test-source]
- id: POL
  name: Poland (edited)
  region: europe
  memberships:
    - {org: NATO, since: 1999}
    - {org: EU, since: 2004}
  nuclear_status: non_nuclear
  defence_pct_gdp: {value: 5.0, year: 2026, sources: [test-source]}
  elections:
    office: Sejm
    next: 2027
    every_years: 4
    rule: A four-year term.
    sources: [test-source]
  sources: [test-source]
"""


def test_overlay_replaces_and_adds(overlay: Path, world: World) -> None:
    (overlay / "actors.yaml").write_text(NEW_ACTOR, encoding="utf-8")

    mine = umbrella.load_world(data_dir=overlay)

    assert len(mine.actors) == len(world.actors) + 1
    assert mine.actor("JPN").gdp_usd_bn is not None
    assert mine.actors.loc["JPN", "gdp_usd_bn_high"] == 4100
    assert mine.actor("POL").name == "Poland (edited)"
    assert mine.actors.loc["POL", "defence_pct_gdp"] == 5.0
    assert mine.actor("POL").gdp_usd_bn is None  # replaced whole, not merged field by field
    elections = mine.actor("POL").elections
    assert elections is not None
    assert elections.office == "Sejm"
    assert mine.forces.equals(world.forces)  # tables not provided stay as shipped


def test_invalid_overlay_raises_data_error_listing_every_problem(overlay: Path) -> None:
    (overlay / "actors.yaml").write_text(
        NEW_ACTOR.replace("value: 4000,", "value: 5000,").replace("value: 5.0,", "value: -1,"),
        encoding="utf-8",
    )
    with pytest.raises(DataError) as caught:
        umbrella.load_world(data_dir=overlay)
    fields = [p.field for p in caught.value.problems]
    assert fields == ["gdp_usd_bn.high", "defence_pct_gdp"]
    assert "1 more problem" in str(caught.value)


def test_missing_data_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        umbrella.load_world(data_dir=tmp_path / "nowhere")


def test_frames_are_indexed_by_id_with_estimate_columns(world: World) -> None:
    forces = world.forces
    assert forces.index.name == "id"
    for column in ("stockpile", "stockpile_low", "stockpile_high", "stockpile_year"):
        assert column in forces.columns
    assert (forces["stockpile_low"] <= forces["stockpile"]).all()
    assert (forces["stockpile"] <= forces["stockpile_high"]).all()
    assert world.events["date"].is_monotonic_increasing


def test_commitment_edges_expand_organisations_from_accession(world: World) -> None:
    edges = world.commitment_edges
    article5 = edges[edges["kind"] == "collective_defence"]
    assert not (edges["guarantor"] == edges["protege"]).any()
    finland = article5[(article5["guarantor"] == "USA") & (article5["protege"] == "FIN")]
    assert len(finland) == 1
    assert finland["start"].iloc[0] >= dt.date(2023, 1, 1)
    assert set(article5["protege"]) == set(world.members("NATO"))


def test_typed_accessors_suggest_close_ids(world: World) -> None:
    assert world.actor("GBR").nuclear_status == "nuclear_weapon_state"
    with pytest.raises(UsageError, match="did you mean GBR"):
        world.actor("GBP")
    with pytest.raises(UsageError, match="unknown table"):
        world.table("nukes")


def test_cite_lists_every_source_behind_a_record(world: World) -> None:
    text = umbrella.cite(world, "GBR-2025")
    assert text.startswith("forces:GBR-2025")
    for source_id in world.record("forces", "GBR-2025").cited_sources()["sources"]:
        assert f"[{source_id}]" in text
    assert "http" in text


def test_land_borders_count_on_both_sides(world: World) -> None:
    assert world.neighbours("POL") == {"RUS", "BLR", "UKR"}
    assert world.neighbours("NOR") == {"RUS"}
    assert "MDA" in world.neighbours("UKR")
    assert world.neighbours("DEU") == frozenset()
    for code in ("RUS", "BLR", "UKR"):
        for other in world.neighbours(code):
            if other in world.records["actors"]:
                assert code in world.neighbours(other)
    assert world.actors.loc["BLR", "land_borders_sources"] == ["cia-factbook-belarus-indexmundi"]


def test_challenge_rates_count_the_crises_table_by_group_at_the_time(world: World) -> None:
    from umbrella.data.baserates import challenge_rates

    icb = challenge_rates(world, dataset="ICB", end=2017)
    # Russia triggered Turkey's 2015 crisis, Georgia's of 1992, 2002 and 2008, Ukraine's 2014.
    assert icb["challenges"].to_dict() == {"nato": 1, "other": 3, "ukraine": 1}
    assert icb.loc["ukraine", "state_years"] == 2017 - 1992 + 1
    force = challenge_rates(world, min_level=4)
    assert force["challenges"].to_dict() == {"nato": 2, "other": 8, "ukraine": 3}
    years = int(force["state_years"].to_dict()["nato"])
    assert float(force["rate"].to_dict()["nato"]) == pytest.approx(2 / years)
    everything = challenge_rates(world)
    assert (everything["challenges"] >= force["challenges"]).all()
    with pytest.raises(UsageError, match="MID or ICB"):
        challenge_rates(world, dataset="UCDP")


OPTION = """\
- id: test-option
  name: Test option
  category: non_nuclear
  description: An option for testing.
  capex_eur_bn: {value: 5, year: 2026, sources: [test-source]}
  opex_eur_bn_per_year: {value: 1, year: 2026, sources: [test-source]}
  years_to_first_effect: {value: 1, year: 2026, sources: [test-source]}
  years_to_full_effect: {value: 2, year: 2026, sources: [test-source]}
  agreement: {governments: [FRA, GBR], note: For testing., sources: [test-source]}
  rationale: For testing.
  sources: [test-source]
"""


def _problems(overlay: Path, **tables: str) -> list[tuple[str, str, str]]:
    for table, text in tables.items():
        (overlay / f"{table}.yaml").write_text(text, encoding="utf-8")
    return [(p.record, p.field, p.message) for p in check_world(overlay)]


def test_an_option_agreed_by_known_elected_governments_passes(overlay: Path) -> None:
    assert _problems(overlay, options=OPTION) == []
    mine = umbrella.load_world(data_dir=overlay)
    assert mine.record("options", "test-option").cited_sources()["agreement.sources"] == [
        "test-source"
    ]


def test_a_government_without_elections_is_reported(overlay: Path) -> None:
    problems = _problems(overlay, options=OPTION.replace("[FRA, GBR]", "[FRA, CHE, AUT]"))
    assert [(record, field) for record, field, _ in problems] == [
        ("test-option", "agreement.governments"),
        ("test-option", "agreement.governments"),
    ]
    messages = [message for _, _, message in problems]
    assert messages[0].startswith("'AUT' must agree to the option but has no elections")
    assert messages[1].startswith("'CHE' must agree to the option but has no elections")
    assert "add 'elections' (office, next, every_years, rule, sources) to CHE" in messages[1]


def test_a_shipped_government_stripped_of_its_elections_fails_every_option_naming_it(
    overlay: Path,
) -> None:
    norway = """\
- id: NOR
  name: Norway
  region: europe
  nuclear_status: non_nuclear
  sources: [test-source]
"""
    problems = _problems(overlay, actors=norway)
    assert [(record, field) for record, field, _ in problems] == [
        ("ukraine-conventional", "agreement.governments")
    ]
    assert problems[0][2].startswith("'NOR' must agree to the option but has no elections")
    with pytest.raises(DataError, match="'NOR' must agree"):
        umbrella.load_world(data_dir=overlay)


def test_an_unknown_government_is_an_unknown_actor(overlay: Path) -> None:
    problems = _problems(overlay, options=OPTION.replace("[FRA, GBR]", "[FRA, JPN]"))
    assert len(problems) == 1
    assert problems[0][:2] == ("test-option", "agreement.governments")
    assert problems[0][2].startswith("unknown actor 'JPN'")


def test_unknown_sources_of_agreements_and_elections_are_reported(overlay: Path) -> None:
    option = OPTION.replace(
        "note: For testing., sources: [test-source]", "note: For testing., sources: [no-such]"
    )
    actor = NEW_ACTOR.replace(
        "rule: A four-year term.\n    sources: [test-source]",
        "rule: A four-year term.\n    sources: [not-there]",
    )
    assert "not-there" in actor
    problems = _problems(overlay, options=option, actors=actor)
    assert [(record, field, message.split(";")[0]) for record, field, message in problems] == [
        ("POL", "elections.sources", "unknown source 'not-there'"),
        ("test-option", "agreement.sources", "unknown source 'no-such'"),
    ]
