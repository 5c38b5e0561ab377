"""``umbrella run`` and ``umbrella explore``: ensembles and their analysis."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich import box

from umbrella.cli.assess import STRESS_OPTION, stressed
from umbrella.cli.headline import headline_payload, print_headline
from umbrella.cli.output import (
    Format,
    chosen_format,
    console,
    echo_csv,
    echo_records,
    format_option,
    json_alias,
    paragraph,
    reports_errors,
)
from umbrella.cli.progress import progress
from umbrella.cli.tables import Column, print_table
from umbrella.errors import UsageError
from umbrella.settings import (
    CHUNK_SIZE,
    DEFAULT_SAMPLES,
    DEFAULT_SEED,
    SATISFICING,
    check_run_settings,
)

if TYPE_CHECKING:
    import pandas as pd

    from umbrella.explore.sampling import Sampler
    from umbrella.explore.search import SearchResult
    from umbrella.explore.tradeoffs import Objective
    from umbrella.explore.voi import VoiResult

STORE_OPTION = typer.Option(
    Path("umbrella-runs"), "--store", help="The run store's folder (created if missing)."
)
RUN_PHASES = ("evaluating the futures", "robustness")
# umbrella.explore.search's defaults, written out so that the CLI starts without importing
# the search (tests/explore/test_search.py checks that they agree).
SEARCH_GENERATIONS, SEARCH_POPULATION, SEARCH_FUTURES = 20, 40, 256
VOI_UNIT = "percentage points of the probability that deterrence holds through the horizon"


@reports_errors
def run_command(
    scenario: Path | None = typer.Argument(
        None, metavar="[SCENARIO]", help="A scenario file (default: the flagship)."
    ),
    samples: int = typer.Option(DEFAULT_SAMPLES, "--samples", "-n", help="Futures to sample."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Seed of every random draw."),
    workers: int | None = typer.Option(
        None, "--workers", help="Run chunks on a local Dask cluster."
    ),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        help="Use the Dask cluster at tcp://HOST:PORT (workers write to --store: put it on "
        "storage every worker shares).",
    ),
    store: Path = STORE_OPTION,
    chunk_size: int = typer.Option(CHUNK_SIZE, "--chunk-size", help="Futures per chunk."),
    sampler: str = typer.Option("lhs", "--sampler", help="lhs or sobol."),
    resume: str | None = typer.Option(None, "--resume", help="Finish an interrupted run."),
    stress: list[str] | None = STRESS_OPTION,
    quiet: bool = typer.Option(False, "--quiet", help="No progress display."),
    fmt: Format = format_option("the robustness table; json adds the headline"),
    as_json: bool = json_alias("the result"),
) -> None:
    """Run the options over sampled futures, store the run, print the robustness table."""
    chosen = chosen_format(fmt, as_json)
    check_run_settings(samples, seed, chunk_size, workers, scheduler)
    from umbrella.explore.run import run

    if sampler not in ("lhs", "sobol"):
        raise UsageError(f"--sampler '{sampler}': use lhs or sobol")
    design: Sampler = "sobol" if sampler == "sobol" else "lhs"
    if resume is not None and scenario is not None:
        raise UsageError("--resume takes the scenario from the stored run; give no SCENARIO")
    if resume is not None:
        from umbrella.explore.run import open_run

        stored = open_run(resume, store)
        scenario_obj = stored.scenario
        samples, seed = stored.n_samples, stored.seed
    else:
        from umbrella.model import load_scenario

        scenario_obj = stressed(load_scenario(scenario), stress)
    with progress("run", RUN_PHASES, quiet=quiet) as shown:
        shown.phase(RUN_PHASES[0])
        result = run(
            scenario_obj,
            samples,
            seed,
            store=store,
            chunk_size=chunk_size,
            sampler=design,
            workers=workers,
            scheduler=scheduler,
            resume=resume,
            progress=shown.count,
        )
        shown.phase(RUN_PHASES[1])
        table = result.robustness()
        best = result.most_robust(table)
        figures = result.headline()
    from umbrella.model import layout
    from umbrella.model.evaluate import summary_outcomes

    years = result.scenario.years
    settings = {
        "samples": samples,
        "seed": seed,
        "first": years[0],
        "last": years[-1],
        "n_proteges": len(result.scenario.proteges),
    }
    if chosen is Format.csv:
        echo_records(frame_records(table))
        return
    if chosen is Format.json:
        typer.echo(
            json.dumps(
                {
                    "run_id": result.run_id,
                    "samples": samples,
                    "seed": seed,
                    "robustness": frame_records(table),
                    "most_robust": best,
                    "headline": headline_payload(
                        figures,
                        scenario=result.scenario.name,
                        reports=summary_outcomes(layout(result.scenario)),
                        **settings,
                    ),
                },
                indent=2,
                default=str,
            )
        )
        return
    print_headline(figures, title=f"Run {result.run_id}: {result.scenario.title}", **settings)
    _print_robustness(table, f"Robustness on holds_europe ({samples:,} futures, seed {seed})")
    for rule, option in best.items():
        console.print(f"most robust by {rule}: {option}")
    console.print(f"Analyse it: umbrella explore {result.run_id} --prim OPTION --sobol")


@reports_errors
def explore_command(
    run_id: str = typer.Argument(..., help="A stored run (umbrella runs list)."),
    store: Path = STORE_OPTION,
    prim_option: str | None = typer.Option(
        None, "--prim", help="Find where this option fails (PRIM)."
    ),
    outcome: str = typer.Option("holds_europe", "--outcome", help="Outcome to analyse."),
    fail_below: float = typer.Option(
        SATISFICING, "--fail-below", help="With --prim: failure is the outcome below this."
    ),
    sobol: bool = typer.Option(False, "--sobol", help="Sobol sensitivity indices."),
    sobol_base: int = typer.Option(256, "--sobol-base", help="Base rows (a power of two)."),
    voi: bool = typer.Option(
        False,
        "--voi",
        help="Value of information: EVPI and EVPPI per assumption group, in percentage "
        "points of the probability that deterrence holds (docs/explore.md).",
    ),
    cost_weight: float | None = typer.Option(
        None,
        "--cost-weight",
        help="With --voi: percentage points of deterrence one bn EUR of present-value cost "
        "is worth (default 0: deterrence only).",
    ),
    pareto: bool = typer.Option(
        False,
        "--pareto",
        help="Trade-offs: each option's Pareto efficiency on deterrence, cost, proliferation "
        "risk, Ukraine and time to first effect (docs/explore.md).",
    ),
    pathway_map: bool = typer.Option(
        False,
        "--pathways",
        help="Pathways: each step of every pathway, the share of futures in which its "
        "signpost fired, when it first acts, and the pathway's deterrence and regret "
        "(docs/explore.md).",
    ),
    search_policies: bool = typer.Option(
        False,
        "--search",
        help="Search combinations of the options (each part scaled and delayed) for "
        "Pareto-efficient policies with NSGA-III, and compare them with the options "
        "(docs/explore.md).",
    ),
    generations: int | None = typer.Option(
        None, "--generations", help=f"With --search: generations [default: {SEARCH_GENERATIONS}]."
    ),
    population: int | None = typer.Option(
        None, "--population", help=f"With --search: population size [default: {SEARCH_POPULATION}]."
    ),
    search_futures: int | None = typer.Option(
        None,
        "--search-futures",
        help=f"With --search: futures every policy is evaluated on [default: {SEARCH_FUTURES}].",
    ),
    search_seed: int | None = typer.Option(
        None, "--seed", help="With --search: the search's seed [default: the run's seed]."
    ),
    quiet: bool = typer.Option(False, "--quiet", help="No progress display."),
    fmt: Format = format_option(
        "one table: the policy front with --search, the pathways' steps with --pathways, the "
        "value of information with --voi, the trade-offs with --pareto, the Sobol indices with "
        "--sobol, the PRIM box with --prim, else robustness"
    ),
    as_json: bool = json_alias("the results"),
) -> None:
    """Analyse a stored run: robustness, PRIM boxes where an option fails, Sobol indices,
    the value of information, the trade-offs between options, the pathways' steps, a search
    for policies."""
    chosen = chosen_format(fmt, as_json)
    if (
        chosen is Format.csv
        and (prim_option is not None) + sobol + voi + pareto + pathway_map + search_policies > 1
    ):
        raise UsageError(
            "--format csv prints one table: give one of --prim, --sobol, --voi, --pareto, "
            "--pathways and --search, or use --format json"
        )
    search_flags = {
        "--generations": generations,
        "--population": population,
        "--search-futures": search_futures,
        "--seed": search_seed,
    }
    given = [flag for flag, value in search_flags.items() if value is not None]
    if given and not search_policies:
        raise UsageError(f"{', '.join(given)} go{'es' * (len(given) == 1)} with --search")
    if search_policies:
        from umbrella.explore.search import check_settings

        # Before the run is read: a bad number fails at once.
        check_settings(
            SEARCH_GENERATIONS if generations is None else generations,
            SEARCH_POPULATION if population is None else population,
            SEARCH_FUTURES if search_futures is None else search_futures,
            0 if search_seed is None else search_seed,
        )
    if cost_weight is not None and not voi:
        raise UsageError("--cost-weight goes with --voi")
    weight = 0.0 if cost_weight is None else cost_weight
    if not (math.isfinite(weight) and weight >= 0):
        raise UsageError(f"--cost-weight {weight}: give a number of 0 or more")
    from umbrella.explore.run import open_run

    stored = open_run(run_id, store)
    phases = [
        "robustness",
        *(["scenario discovery (PRIM)"] * (prim_option is not None)),
        *(["sensitivity (Sobol)"] * sobol),
        *(["value of information"] * voi),
        *(["trade-offs"] * pareto),
        *(["pathways"] * pathway_map),
        *(["policy search"] * search_policies),
    ]
    box_found = indices = None
    information: VoiResult | None = None
    traded: pd.DataFrame | None = None
    staged: pd.DataFrame | None = None
    found: SearchResult | None = None
    with progress("explore", phases, quiet=quiet) as shown:
        shown.phase(phases[0])
        table = stored.robustness(outcome)
        best = stored.most_robust(table)
        if prim_option is not None:
            shown.phase("scenario discovery (PRIM)")
            box_found = stored.prim(prim_option, outcome, fail_below)
        if sobol:
            shown.phase("sensitivity (Sobol)")
            indices = stored.sobol(sobol_base, (outcome,), progress=shown.count)
        if voi:
            from umbrella.explore.voi import run_voi

            shown.phase("value of information")
            information = run_voi(stored, weight, progress=shown.count)
        if pareto:
            from umbrella.explore.tradeoffs import tradeoffs

            shown.phase("trade-offs")
            traded = tradeoffs(stored)
        if pathway_map:
            from umbrella.explore.pathways import pathways

            shown.phase("pathways")
            staged = pathways(stored)
        if search_policies:
            from umbrella.explore.search import search

            shown.phase("policy search")
            found = search(
                stored.scenario,
                generations=SEARCH_GENERATIONS if generations is None else generations,
                population=SEARCH_POPULATION if population is None else population,
                futures=SEARCH_FUTURES if search_futures is None else search_futures,
                seed=stored.seed if search_seed is None else search_seed,
                progress=shown.count,
            )
    if chosen is Format.csv:
        if found is not None:
            echo_records(frame_records(found.front))
        elif staged is not None:
            from umbrella.explore.pathways import FIELDS

            echo_records(pathway_records(staged), list(FIELDS))
        elif traded is not None:
            echo_records(tradeoff_records(traded))
        elif information is not None:
            echo_records(_voi_records(information))
        elif indices is not None:
            echo_csv(*sobol_rows(indices))
        elif box_found is not None:
            echo_records(frame_records(box_found.box))
        else:
            echo_records(frame_records(table))
        return
    payload: dict[str, object] = {
        "run_id": run_id,
        "robustness": frame_records(table),
        "most_robust": best,
    }
    if box_found is not None:
        payload["prim"] = {
            "option": prim_option,
            "coverage": box_found.coverage,
            "density": box_found.density,
            "mass": box_found.mass,
            "n_failures": box_found.n_failures,
            "box": frame_records(box_found.box),
        }
    if indices is not None:
        payload["sobol"] = frame_records(indices.reset_index())
    if information is not None:
        payload["voi"] = voi_payload(information)
    if traded is not None:
        payload["tradeoffs"] = {
            "objectives": {
                o.name: {"unit": o.unit, "direction": o.direction, "definition": o.definition}
                for o in traded.attrs["objectives"].values()
            },
            "n_futures": traded.attrs["n_futures"],
            "options": tradeoff_records(traded),
        }
    if staged is not None:
        payload["pathways"] = pathway_payload(staged)
    if found is not None:
        payload["search"] = search_payload(found)
    if chosen is Format.json:
        typer.echo(json.dumps(payload, indent=2, default=float))
        return
    _print_robustness(table, f"Run {run_id}: robustness on {outcome}")
    if box_found is not None:
        sampled = (
            f" (a seeded sample of the run's {stored.n_samples:,})"
            if box_found.n_futures < stored.n_samples
            else ""
        )
        paragraph(
            f"PRIM: {prim_option} fails ({outcome} < {fail_below}) in "
            f"{box_found.n_failures:,} of {box_found.n_futures:,} futures{sampled}; the "
            f"box holds {box_found.coverage:.0%} of them (coverage) and "
            f"{box_found.density:.0%} of its futures fail (density):"
        )
        console.print(box_found.describe(), markup=False)
    if indices is not None:
        _print_sobol(indices, outcome)
    if information is not None:
        _print_voi(information, run_id)
    if traded is not None:
        _print_tradeoffs(traded, run_id)
    if staged is not None:
        _print_pathways(staged, run_id)
    if found is not None:
        _print_search(found, run_id)


def search_payload(found: SearchResult) -> dict[str, object]:
    """A policy search as JSON: settings, summary, the front, the options beside it."""
    catalogue = frame_records(found.catalogue.drop(columns=["dominated_by", "matched_by"]))
    for row, beaten, matched in zip(
        catalogue, found.catalogue["dominated_by"], found.catalogue["matched_by"], strict=True
    ):
        row["dominated_by"] = list(beaten)
        row["matched_by"] = list(matched)
    return {
        "settings": found.settings,
        "objectives": {
            name: {"unit": o.unit, "direction": o.direction, "definition": o.definition}
            for name, o in _objectives(found).items()
        },
        "summary": found.summary,
        "front": frame_records(found.front),
        "catalogue": catalogue,
        "comparison": frame_records(found.comparison),
    }


def _objectives(found: SearchResult) -> dict[str, Objective]:
    from umbrella.explore.tradeoffs import OBJECTIVES

    return {name: OBJECTIVES[name] for name in found.objective_names}


def _print_search(found: SearchResult, run_id: str) -> None:
    objectives = list(_objectives(found).values())
    settings = found.settings
    print_table(
        [
            Column("policy", kind="name"),
            Column("parts (option x scale +delay)", kind="name", narrowest=24),
            *(Column(f"{o.label}\n{o.unit}", justify="right", drop=1) for o in objectives),
        ],
        [
            [
                str(candidate).removeprefix("candidate-"),
                str(row["parts"]),
                *(_mean(row[f"{o.name}_mean"]) for o in objectives),
            ]
            for candidate, row in found.front.iterrows()
        ],
        title=f"Run {run_id}: policies found ({settings['generations']} generations of "
        f"{settings['population']}, {settings['futures']:,} futures, seed {settings['seed']})",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    print_table(
        [
            Column("option", kind="name"),
            *(Column(f"{o.label}\n{o.unit}", justify="right", drop=1) for o in objectives),
            Column("dominated\nby policies", kind="name", drop=2),
        ],
        [
            [
                str(option),
                *(_mean(row[f"{o.name}_mean"]) for o in objectives),
                ", ".join(c.removeprefix("candidate-") for c in row["dominated_by"]) or "-",
            ]
            for option, row in found.catalogue.iterrows()
        ],
        title="The scenario's options on the same futures",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    paragraph(
        found.summary
        + " Parts below scale 0.05 are left out; a policy of one part is that option taken in "
        "part or later. Each part may stall as its option does (docs/options.md, "
        "'Implementation risk'). The front is efficient on these futures' means only; "
        "--format json gives by how much each policy beats each option it dominates."
    )


def tradeoff_records(table: pd.DataFrame) -> list[dict[str, object]]:
    rows = frame_records(table.drop(columns="dominated_on_mean_by"))
    for row, beaten in zip(rows, table["dominated_on_mean_by"], strict=True):
        row["dominated_on_mean_by"] = ";".join(beaten)
    return rows


def _print_tradeoffs(table: pd.DataFrame, run_id: str) -> None:
    objectives = list(table.attrs["objectives"].values())
    print_table(
        [
            Column("option", kind="name"),
            Column("efficient\nin futures", justify="right"),
            Column("efficient\non means", justify="right"),
            Column("efficient\nrobustly", justify="right", drop=2),
            *(Column(f"{o.label}\n{o.unit}", justify="right", drop=1) for o in objectives),
            Column("dominated on the\nmeans by", kind="name", drop=3),
        ],
        [
            [
                str(option),
                f"{row['share_efficient']:.0%}",
                "yes" if row["efficient_on_mean"] else "no",
                "yes" if row["efficient_on_robust"] else "no",
                *(_mean(row[f"{o.name}_mean"]) for o in objectives),
                ", ".join(row["dominated_on_mean_by"]) or "-",
            ]
            for option, row in table.iterrows()
        ],
        title=f"Run {run_id}: trade-offs over {table.attrs['n_futures']:,} futures",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    directions = "; ".join(f"{o.label} {o.direction}" for o in objectives)
    paragraph(
        "An option is efficient in a future when no other option is at least as good there on "
        f"every objective and better on one ({directions}). Efficient is not recommended: "
        "it says which options are not beaten outright, not which trade-off to choose."
    )


def pathway_records(table: pd.DataFrame) -> list[dict[str, object]]:
    """The steps of :func:`umbrella.explore.pathways.pathways` as JSON records, one per step
    with every column (a missing number as null): the CSV of ``umbrella explore
    --pathways``, and the ``steps`` of :func:`pathway_payload`."""
    return frame_records(table)


def pathway_payload(table: pd.DataFrame) -> dict[str, object]:
    """The pathways as ``umbrella explore --pathways --json`` prints them under ``pathways``
    (and the HTTP API returns them): the futures, every column's unit and definition, the
    single option with the least mean regret, and the steps (:func:`pathway_records`)."""
    from umbrella.explore.pathways import FIELDS

    least = float(table.attrs.get("best_single_regret", math.nan))
    return {
        "scenario": str(table.attrs.get("scenario", "")),
        "outcome": str(table.attrs.get("outcome", "holds_europe")),
        "n_futures": int(table.attrs.get("n_futures", 0)),
        "columns": {
            name: {"unit": unit, "definition": definition}
            for name, (unit, definition) in FIELDS.items()
        },
        "best_single": str(table.attrs.get("best_single", "")) or None,
        "best_single_regret": least if math.isfinite(least) else None,
        "steps": pathway_records(table),
    }


def _print_pathways(table: pd.DataFrame, run_id: str) -> None:
    if table.empty:
        console.print(
            f"Run {run_id}: the scenario {table.attrs.get('scenario', '')} has no pathways "
            '(options with a step that waits for a signpost; docs/options.md, "Pathways").',
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return
    n_futures = int(table.attrs["n_futures"])
    rows = []
    for record in table.to_dict("records"):
        waits = bool(record["assumption"])
        rows.append(
            [
                str(record["pathway"]) if record["step"] == 1 else "",
                str(record["step"]),
                str(record["option"]),
                (
                    f"{record['assumption']} {'<' if record['bound'] == 'below' else '>'} "
                    f"{record['threshold']:g} by {record['read_by']}"
                    if waits
                    else "none: from its start"
                ),
                f"{record['fired']:.0%}",
                str(record["start"]),
                str(record["first_year"]),
                f"{record['scale']:g}",
                f"{record['delay']:g}",
            ]
        )
    print_table(
        [
            Column("pathway", kind="name"),
            Column("step", justify="right"),
            Column("option", kind="name"),
            Column("signpost\n(read by)", kind="name", narrowest=16),
            Column("starts in\nfutures", justify="right"),
            Column("starts\nyear", justify="right", drop=2),
            Column("first acts\nyear", justify="right"),
            Column("scale", justify="right", drop=3),
            Column("delay\nyears", justify="right", drop=3),
        ],
        rows,
        title=f"Run {run_id}: pathway steps over {n_futures:,} futures",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    figures = table.drop_duplicates("pathway")
    print_table(
        [
            Column("pathway", kind="name"),
            Column("holds\nmean", justify="right"),
            Column("holds\np10", justify="right", drop=2),
            Column("mean\nregret", justify="right"),
            Column("max\nregret", justify="right", drop=1),
            Column("beats every\nsingle option", justify="right"),
        ],
        [
            [
                str(row["pathway"]),
                f"{row['holds_mean']:.3f}",
                f"{row['holds_p10']:.3f}",
                f"{row['mean_regret']:.3f}",
                f"{row['max_regret']:.3f}",
                "yes" if row["beats_singles"] else "no",
            ]
            for row in figures.to_dict("records")
        ],
        title=f"Run {run_id}: pathways on holds_europe",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    least = float(table.attrs.get("best_single_regret", math.nan))
    best = (
        f" The single option with the least mean regret is {table.attrs['best_single']} "
        f"({least:.3f})."
        if math.isfinite(least)
        else ""
    )
    paragraph(
        "A step with a signpost starts, in the year the signpost is read plus its delay, only "
        "in the futures where it fired (starts in futures); a step without one starts with its "
        "option, in every future. First acts: the step's start plus its option's years to "
        "first effect, at the assumptions' defaults. Holds: the probability that deterrence "
        "holds in Europe through the horizon (holds_europe). Regret, in the same unit: how "
        "far the pathway's holds_europe falls short of the best option's in each future, "
        f"every option of the run compared.{best} A signpost here reads a sampled "
        "assumption as if the evidence revealed it exactly by the year it is read."
    )


def _mean(value: float) -> str:
    """A mean as the tables print it: a probability, share or index to 0.001, a cost or
    a time to 0.1."""
    return f"{value:.3f}" if abs(value) <= 1 else f"{value:,.1f}"


def voi_payload(information: VoiResult) -> dict[str, object]:
    """The value of information as ``umbrella explore --voi --json`` prints it under
    ``voi`` (and the HTTP API returns it): the rule, the unit, EVPI and every group."""
    return {
        "unit": VOI_UNIT,
        "decision_rule": "the option with the highest mean net benefit over the futures",
        "net_benefit": "100 * holds_europe - cost_weight * npv_eur_bn",
        "cost_weight": information.cost_weight,
        "n_futures": information.n_futures,
        "best_option": information.best,
        "evpi": information.evpi,
        "groups": information.records(),
        "switches": information.switches,
        "ungrouped": information.other,
    }


def sobol_rows(indices: pd.DataFrame) -> tuple[list[str], list[list[object]]]:
    """The Sobol indices in long form: one row per uncertainty and option (the CSV of
    ``umbrella explore --sobol`` and the rows of the HTTP API)."""
    keys = list(dict.fromkeys(str(c[0]) for c in indices.columns))
    stats = list(dict.fromkeys(str(c[1]) for c in indices.columns))
    rows: list[list[object]] = []
    for name in indices.index:
        for key in keys:
            outcome, _, option = key.partition(":")
            values = [indices.loc[name, (key, stat)] for stat in stats]
            rows.append([str(name), outcome, option, *values])
    return ["uncertainty", "outcome", "option", *stats], rows


def frame_records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """``frame`` as the JSON records ``umbrella explore --json`` prints (its index, if
    named, as the first field; numbers as pandas writes them): the HTTP API's too."""
    rows = frame.reset_index() if frame.index.name else frame
    return json.loads(rows.to_json(orient="records"))  # type: ignore[no-any-return]


def _print_robustness(table: pd.DataFrame, title: str) -> None:
    wanted = [
        "mean",
        "p10",
        "p90",
        "mean_regret",
        "max_regret",
        "satisficing",
        "rank_minimax_regret",
    ]
    numeric = [c for c in wanted if c in table.columns and table[c].notna().any()]
    columns = [Column("option")]
    for number, column in enumerate(numeric):
        label = column.replace("rank_minimax_regret", "rank").replace("satisficing", "satisf.")
        columns.append(Column(label.replace("_", " "), justify="right", drop=number))
    rows = [
        [str(option), *(f"{row[c]:.3f}" if "rank" not in c else str(row[c]) for c in numeric)]
        for option, row in table.iterrows()
    ]
    print_table(columns, rows, title=title, box=box.SIMPLE_HEAD, padding=0, pad_edge=False)


def _print_sobol(indices: pd.DataFrame, outcome: str) -> None:
    import pandas as pd

    total = pd.DataFrame(indices.xs("ST", axis=1, level=1))  # columns: outcome:option
    first = pd.DataFrame(indices.xs("S1", axis=1, level=1))
    total.columns = first.columns = [str(c).split(":", 1)[1] for c in total.columns]
    peak = total.max(axis=1).sort_values(ascending=False).index[:12]
    baseline = total.columns[0]
    rows = []
    for name in peak:
        option = str(total.loc[name].idxmax())
        rows.append(
            [
                str(name),
                f"{total.loc[name, option]:.2f}",
                option,
                f"{first.loc[name, option]:.2f}",
                f"{total.loc[name, baseline]:.2f}",
            ]
        )
    print_table(
        [
            Column("uncertainty", kind="name", narrowest=16),
            Column("ST\nmax", justify="right"),
            Column("for option", kind="name", narrowest=12),
            Column("S1\nthere", justify="right", drop=1),
            Column("ST\nstatus quo", justify="right", drop=2),
        ],
        rows,
        title=f"Sobol indices of {outcome}: the 12 largest total-order effects",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )


def _voi_records(information: VoiResult) -> list[dict[str, object]]:
    """The value-of-information table, EVPI first, with the assumptions joined by spaces
    (one cell in CSV)."""
    records = information.records()
    for record in records:
        members = record["assumptions"]
        record["assumptions"] = " ".join(members) if isinstance(members, list) else members
    return records


def _print_voi(information: VoiResult, run_id: str) -> None:
    def share(value: object) -> str:
        return f"{value:.0%}" if isinstance(value, float) else ""

    def interval(record: dict[str, object]) -> str:
        low, high = record["low"], record["high"]
        if isinstance(low, float) and isinstance(high, float):
            return f"{low:.3f}-{high:.3f}"
        return ""

    rows = []
    clipped = False
    for record in information.records():
        mark = "*" if record["clipped"] else ""
        clipped = clipped or bool(record["clipped"])
        value = record["evppi"]
        rows.append(
            [
                str(record["group"]),
                str(record["n_assumptions"]),
                f"{value:.3f}{mark}" if isinstance(value, float) else "",
                interval(record),
                share(record["changed"]),
                str(record["changed_to"] or ""),
            ]
        )
    weight = information.cost_weight
    valued = "deterrence only" if weight == 0 else f"less {weight:g} points per bn EUR of cost"
    print_table(
        [
            Column("assumptions", kind="name", narrowest=14),
            Column("count", justify="right", drop=3),
            Column("EVPPI\npoints", justify="right"),
            Column("95%\ninterval", justify="right", drop=2),
            Column("decision\nchanged", justify="right"),
            Column("mostly to", kind="name", narrowest=12, drop=1),
        ],
        rows,
        title=f"Run {run_id}: value of information, {valued}",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        sections=[1],
    )
    paragraph(
        f"In {VOI_UNIT}. Decision rule: the option with the highest mean "
        f"over the {information.n_futures:,} futures of 100 x holds_europe"
        + (f" - {weight:g} x npv_eur_bn" if weight else "")
        + f": now {information.best}. EVPI (first line): what knowing every assumption "
        "before choosing would add to the chosen option's expected value; EVPPI: the same, "
        "knowing one group's assumptions. Decision changed: share of futures in which that "
        "knowledge would choose another option. Interval: regression uncertainty "
        "(Strong, Oakley & Brennan 2014)."
        + (" *: the estimate exceeded EVPI, shown clipped to it." if clipped else "")
    )
    if information.other:
        paragraph(f"In no reader group (row 'other'): {', '.join(information.other)}.")
