"""Scenario files: the flagship loads, each broken file gets one clear line, values resolve."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import umbrella
from umbrella.cli.output import reports_errors
from umbrella.data import World
from umbrella.data.schema import Actor
from umbrella.errors import ScenarioError
from umbrella.model import scenario as scenario_module
from umbrella.model.scenario import flagship_path, load_scenario, parse_scenario
from umbrella.types import PathLike

CORPUS = sorted((Path(__file__).parent / "broken").glob("*.yaml"))
REPOSITORY = Path(__file__).parents[2]
runner = CliRunner()

VALID = """\
name: test
title: A valid scenario
as_of: 2026-01-01
start_year: 2026
horizon: 2040
challenger: RUS
guarantors: [USA, GBR, FRA]
proteges: [POL, DEU]
"""


def _expected(case: Path) -> str:
    first = case.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{case.name} lacks its '# expect:' line"
    return first.removeprefix("# expect: ")


def _command() -> typer.Typer:
    """A one-command app that loads a scenario the way umbrella's commands do."""
    app = typer.Typer()

    @app.command()
    @reports_errors
    def check(path: Path) -> None:
        load_scenario(path)

    return app


@pytest.fixture
def shipped_world(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reuse the session's shipped world where a scenario names no data folder (speed)."""

    def load(data_dir: PathLike | None = None) -> World:
        return world if data_dir is None else umbrella.load_world(data_dir)

    monkeypatch.setattr(scenario_module, "load_world", load)


# The broken corpus ------------------------------------------------------------------------


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 18


@pytest.mark.parametrize("case", CORPUS, ids=[c.stem for c in CORPUS])
@pytest.mark.usefixtures("shipped_world")
def test_broken_scenario_raises_one_line(case: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(case)

    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{case}:{_expected(case)}"), message


@pytest.mark.parametrize("case", CORPUS, ids=[c.stem for c in CORPUS])
@pytest.mark.usefixtures("shipped_world")
def test_broken_scenario_on_the_command_line(case: Path) -> None:
    result = runner.invoke(_command(), [str(case)])

    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: {case}:{_expected(case)}"), lines[0]


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    with pytest.raises(ScenarioError, match=r"nowhere\.yaml: file not found$"):
        load_scenario(missing)
    result = runner.invoke(_command(), [str(missing)])
    assert result.exit_code == 2
    assert result.stderr == f"error: {missing}: file not found\n"


def test_error_names_file_line_and_field() -> None:
    text = VALID.replace("horizon: 2040", "horizon: 2040\nstep_years: 0")
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text + "options: [status-quo]\n", "mine.yaml")
    error = caught.value
    assert (error.file, error.line, error.field) == ("mine.yaml", 6, "step_years")
    assert error.reason.startswith("must be >= 1")


# The flagship -----------------------------------------------------------------------------


def test_flagship_loads() -> None:
    scenario = load_scenario()

    assert scenario.name == "europe-2026"
    assert scenario.path == flagship_path()
    assert (scenario.challenger, scenario.guarantors) == ("RUS", ("USA", "GBR", "FRA"))
    assert scenario.years == tuple(range(2026, 2041))
    assert scenario.game == "extended"
    assert scenario.data_dir is None
    assert [o.id for o in scenario.options] == [
        "status-quo",
        "uk-france-coordination",
        "expanded-umbrella",
        "shared-responsibility",
        "european-arsenal",
        "isr-autonomy",
        "ukraine-conventional",
    ]
    for option in scenario.options:
        for lever in option.levers:
            assert f"option.{option.id}.{lever}" in scenario.registry
        assert f"option.{option.id}.capex_eur_bn" in scenario.registry


def test_repository_copy_matches_the_packaged_flagship() -> None:
    copy = REPOSITORY / "scenarios" / "europe-2026.yaml"
    assert copy.read_bytes() == flagship_path().read_bytes()


def test_europe_is_every_european_actor_but_russia_and_belarus(world: World) -> None:
    europe = {
        a.id
        for a in world.records["actors"].values()
        if isinstance(a, Actor) and a.region == "europe"
    }

    proteges = set(load_scenario().proteges)

    assert proteges == europe - {"RUS", "BLR"}
    assert {"UKR", "GBR", "FRA", "POL", "MDA"} <= proteges


def test_frontline_is_the_nato_and_eu_members_bordering_russia_belarus_or_ukraine() -> None:
    scenario = load_scenario()
    frontline = {p for p in scenario.proteges if scenario.exposure_of(p) == "frontline"}

    # Kaliningrad makes Poland and Lithuania neighbours of Russia; Moldova borders Ukraine
    # but is a candidate of the EU, not a member, so it stays non-aligned.
    assert frontline == {"NOR", "FIN", "EST", "LVA", "LTU", "POL", "SVK", "HUN", "ROU"}
    assert scenario.exposure_of("MDA") == "non-aligned"
    assert scenario.exposure_of("DEU") == "other-nato"


def test_a_group_rule_needs_every_condition_it_states(tmp_path: Path) -> None:
    text = (
        flagship_path()
        .read_text(encoding="utf-8")
        .replace("alliance: [NATO, EU]\n    borders: [RUS, BLR, UKR]", "borders: [BLR]")
    )
    path = tmp_path / "borders-only.yaml"
    path.write_text(text, encoding="utf-8")
    scenario = load_scenario(path)

    frontline = {p for p in scenario.proteges if scenario.exposure_of(p) == "frontline"}

    assert frontline == {"LVA", "LTU", "POL"}  # UKR is taken by the group before


# Resolution -------------------------------------------------------------------------------


def test_status_quo_is_added_first_when_missing() -> None:
    scenario = parse_scenario(VALID + "options: [uk-france-coordination]\n", "s.yaml")
    assert [o.id for o in scenario.options] == ["status-quo", "uk-france-coordination"]


def test_status_quo_is_moved_first() -> None:
    text = VALID + "options: [isr-autonomy, status-quo]\n"
    assert [o.id for o in parse_scenario(text, "s.yaml").options] == ["status-quo", "isr-autonomy"]


def test_years_end_at_the_horizon() -> None:
    text = VALID.replace("horizon: 2040", "horizon: 2040\nstep_years: 5")
    scenario = parse_scenario(text + "options: [status-quo]\n", "s.yaml")
    assert scenario.years == (2026, 2031, 2036, 2040)


def test_assumption_overrides_change_default_and_widen_range() -> None:
    text = VALID + (
        "options: [status-quo]\n"
        "assumptions:\n"
        "  trust.half_life_months: 72\n"
        "  discount_rate: {default: 0.02, low: 0.01, high: 0.05}\n"
    )
    base = load_scenario().registry
    registry = parse_scenario(text, "s.yaml").registry

    half_life = registry["trust.half_life_months"]
    assert (half_life.default, half_life.low, half_life.high) == (
        72.0,
        base["trust.half_life_months"].low,
        72.0,
    )
    rate = registry["discount_rate"]
    assert (rate.default, rate.low, rate.high) == (0.02, 0.01, 0.05)
    assert registry["game.challenger_gain"] == base["game.challenger_gain"]


def test_inline_option_and_changed_catalogue_option() -> None:
    text = VALID + (
        "options:\n"
        "  - id: nordic-umbrella\n"
        "    name: A Nordic umbrella arrangement\n"
        "    category: nuclear\n"
        "    start_year: 2027\n"
        "    years_to_first_effect: 1\n"
        "    years_to_full_effect: 4\n"
        "    capex_eur_bn: 2.0\n"
        "    opex_eur_bn_per_year: 0.5\n"
        "    levers: {depth_fra: 0.1, proliferation: 0.2}\n"
        "  - id: uk-france-coordination\n"
        "    start_year: 2028\n"
        "    capex_eur_bn: 5\n"
        "    levers: {isr_autonomy: 0.1}\n"
    )
    scenario = parse_scenario(text, "s.yaml")
    specs = {o.id: o for o in scenario.options}
    registry = scenario.registry

    assert list(specs) == ["status-quo", "nordic-umbrella", "uk-france-coordination"]
    assert specs["nordic-umbrella"].levers == ("depth_fra", "proliferation")
    nordic = registry["option.nordic-umbrella.depth_fra"]
    assert (nordic.default, nordic.low, nordic.high) == (0.1, 0.1, 0.1)
    assert registry["option.nordic-umbrella.start_year"].default == 2027
    assert specs["uk-france-coordination"].levers == (
        "coordination",
        "proliferation",
        "isr_autonomy",
    )
    start = registry["option.uk-france-coordination.start_year"]
    assert (start.default, start.low, start.high) == (2028, 2028, 2033)
    capex = registry["option.uk-france-coordination.capex_eur_bn"]
    assert (capex.default, capex.low, capex.high) == (5.0, 0.1, 5.0)
    assert registry["option.uk-france-coordination.isr_autonomy"].default == 0.1


def test_data_folder_next_to_the_scenario_is_laid_over(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "actors.yaml").write_text(
        "- id: AND\n  name: Andorra\n  region: europe\n  nuclear_status: non_nuclear\n",
        encoding="utf-8",
    )
    path = tmp_path / "andorra.yaml"
    text = VALID.replace("[POL, DEU]", "[AND]") + "data: data\noptions: [status-quo]\n"
    path.write_text(text, encoding="utf-8")

    scenario = load_scenario(path)

    assert scenario.data_dir == data
    assert scenario.proteges == ("AND",)
    assert scenario.world.actor("AND").name == "Andorra"
    path.write_text(text.replace("[AND]", "europe"), encoding="utf-8")
    assert "AND" in load_scenario(path).proteges


def test_broken_data_folder_is_reported_at_the_data_line(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "actors.yaml").write_text("- id: XXX\n", encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(VALID + "data: data\noptions: [status-quo]\n", encoding="utf-8")

    with pytest.raises(ScenarioError, match=r"s\.yaml:9: data: the data folder is invalid: "):
        load_scenario(path)
