"""``umbrella game``: list, show, solve and export the credibility games."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import typer

from umbrella.cli.output import (
    Format,
    chosen_format,
    echo_records,
    format_option,
    json_alias,
    reports_errors,
)
from umbrella.cli.tables import Column, print_table
from umbrella.errors import UsageError

app = typer.Typer(
    help="Deterrence games: list, show, solve, export to Gambit.", no_args_is_help=True
)

SET_OPTION = typer.Option(
    [], "--set", "-s", help="A parameter as NAME=VALUE (fractions such as 1/4 allowed); repeat."
)


@app.command("list")
@reports_errors
def list_command(fmt: Format = format_option("family, title, classes")) -> None:
    """List the game families."""
    from umbrella.games import FAMILIES

    chosen = chosen_format(fmt)
    records: list[dict[str, Any]] = [
        {"family": f.name, "title": f.title, "classes": list(f.classes)} for f in FAMILIES.values()
    ]
    if chosen is Format.json:
        typer.echo(json.dumps(records, indent=2))
        return
    if chosen is Format.csv:
        echo_records(records)
        return
    print_table(
        [
            Column("family"),
            Column("title", kind="text", narrowest=20),
            Column("equilibrium classes", kind="text", narrowest=16, drop=1),
        ],
        [[r["family"], r["title"], ", ".join(r["classes"])] for r in records],
        title="Game families",
    )


@app.command("show")
@reports_errors
def show_command(family_name: str = typer.Argument(..., metavar="FAMILY")) -> None:
    """Describe a family: the tree, parameters and orderings, classes, citation, examples."""
    from umbrella.games import get_family

    family = get_family(family_name)
    lines = [
        f"{family.name}: {family.title}",
        "",
        "Tree:",
        *_indent(family.tree),
        "",
        "Parameters:",
    ]
    lines += [f"  {p.name:<12} {p.meaning}" for p in family.parameters]
    lines += ["", "Required orderings:", *(f"  {o.text}" for o in family.orderings), ""]
    lines += [f"Equilibrium classes (default selection): {', '.join(family.classes)}", ""]
    lines += ["Worked examples:"]
    for example in family.examples:
        sets = " ".join(f"--set {k}={v}" for k, v in example.parameters.items())
        lines.append(
            f"  {example.name} ({example.default_class}): umbrella game solve {family.name} {sets}"
        )
    lines += ["", f"Citation: {family.citation}"]
    typer.echo("\n".join(lines))


@app.command("solve")
@reports_errors
def solve_command(
    family_name: str | None = typer.Argument(None, metavar="[FAMILY]"),
    settings: list[str] = SET_OPTION,
    efg: Path | None = typer.Option(None, "--efg", help="Solve this Gambit file with pygambit."),
    method: str = typer.Option(
        "lcp", "--method", help="With --efg: lcp, enummixed, logit or enumpure."
    ),
    fmt: Format = typer.Option(
        Format.table,
        "--format",
        help="table (the equilibria in words) or json; the result is nested, so no csv.",
        case_sensitive=False,
    ),
    as_json: bool = json_alias("the result"),
) -> None:
    """Solve a family at the given parameters, or any Gambit game with --efg."""
    chosen = chosen_format(fmt, as_json)
    if chosen is Format.csv:
        raise UsageError("--format csv: an equilibrium is nested; use --format json")
    as_json = chosen is Format.json
    if efg is not None:
        _solve_efg(efg, method, as_json)
        return
    if family_name is None:
        raise UsageError("name a game family (umbrella game list) or give --efg FILE")
    from umbrella.games import get_family
    from umbrella.games.family import check_instance

    family = get_family(family_name)
    values = _parse_settings(settings)
    check_instance(family, {k: float(v) for k, v in values.items()})
    result = family.solve(**{k: float(v) for k, v in values.items()}).instance()
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(_describe_solution(result))


@app.command("export")
@reports_errors
def export_command(
    family_name: str = typer.Argument(..., metavar="FAMILY"),
    settings: list[str] = SET_OPTION,
    output: Path = typer.Option(..., "--output", "-o", help="The .efg file to write."),
) -> None:
    """Write a family's game at the given parameters as a Gambit .efg file."""
    from umbrella.games import get_family
    from umbrella.games.family import check_instance

    family = get_family(family_name)
    values = _parse_settings(settings)
    check_instance(family, {k: float(v) for k, v in values.items()})
    game = family.to_gambit(**values)
    if output.parent and not output.parent.is_dir():
        raise UsageError(f"{output}: folder {output.parent} does not exist")
    temporary = output.with_name(output.name + ".part")
    temporary.write_text(game.to_efg(), encoding="utf-8")
    temporary.replace(output)  # never leave a half-written file under the real name
    typer.echo(f"wrote {output}")


def _parse_settings(settings: list[str]) -> dict[str, Fraction]:
    values: dict[str, Fraction] = {}
    for setting in settings:
        name, sep, text = setting.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set '{setting}': write NAME=VALUE, e.g. --set p_hard=0.4")
        try:
            values[name.strip()] = Fraction(text.strip())
        except (ValueError, ZeroDivisionError):
            raise UsageError(
                f"--set '{setting}': '{text}' is not a number (use 0.25 or 1/4)"
            ) from None
    return values


def _describe_solution(result: dict[str, Any]) -> str:
    default = result["default"]
    lines = [
        f"{result['family']}: default equilibrium '{default['class']}'",
        "  outcome:   " + _pairs(default["outcome"]),
        "  behaviour: " + _pairs(default["behaviour"]),
        "  thresholds: " + _pairs(result["thresholds"]),
        f"All equilibria ({len(result['equilibria'])}):",
    ]
    for eq in result["equilibria"]:
        lines.append(f"  {eq['name']} ({eq['label']}): outcome {_pairs(eq['outcome'])}")
        lines.append(f"      behaviour {_pairs(eq['behaviour'])}")
    return "\n".join(lines)


def _solve_efg(path: Path, method: str, as_json: bool) -> None:
    from umbrella.games.gambit import read_game, solve_game

    methods = ("lcp", "enummixed", "logit", "enumpure")
    if method not in methods:
        raise UsageError(f"--method '{method}': one of {', '.join(methods)}")
    game = read_game(path)
    found = solve_game(game, method)  # type: ignore[arg-type]
    if as_json:
        rows = [
            {
                "outcome": {k: float(v) for k, v in eq.outcome.items()},
                "behaviour": eq.behaviour,
                "max_regret": eq.max_regret,
            }
            for eq in found
        ]
        typer.echo(json.dumps({"file": str(path), "method": method, "equilibria": rows}, indent=2))
        return
    lines = [f"{path}: {len(found)} Nash equilibri{'um' if len(found) == 1 else 'a'} ({method})"]
    for index, eq in enumerate(found, 1):
        lines.append(
            f"  [{index}] outcome: " + _pairs({k: float(v) for k, v in eq.outcome.items()})
        )
        for infoset, actions in eq.behaviour.items():
            lines.append(f"      {infoset}: {_pairs(actions)}")
    typer.echo("\n".join(lines))


def _pairs(mapping: dict[str, float]) -> str:
    return ", ".join(f"{k}={_number(v)}" for k, v in mapping.items())


def _number(value: float) -> str:
    fraction = Fraction(value).limit_denominator(1000)
    if abs(float(fraction) - value) < 1e-12 and fraction.denominator != 1:
        return f"{value:.6g} ({fraction})"
    return f"{value:.6g}"


def _indent(text: str) -> list[str]:
    return [f"  {line}" for line in text.splitlines()]
