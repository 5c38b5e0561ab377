"""The hostile corpus: bad scenarios, data overlays and arguments, run through the real
command in a process of its own.

Every case must end in one line on stderr and exit 2, with no traceback, within a guard of
30 s and 500 MB (guards against hangs and runaway memory, not speed targets), and leave
nothing stored or half-written in its working folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from umbrella.model.scenario import flagship_path

FLAGSHIP = flagship_path().read_text(encoding="utf-8")
GUARD_SECONDS = 30
GUARD_MB = 500


def _scenario(old: str, new: str) -> str:
    assert old in FLAGSHIP, old
    return FLAGSHIP.replace(old, new, 1)


def _assume(line: str) -> str:
    return _scenario("assumptions: {}", "assumptions:\n  " + line)


def _option(entry: str) -> str:
    return _scenario("  - expanded-umbrella       # French and British guarantees", entry + " #")


ACTOR = """- id: POL
  name: Poland
  region: europe
  nuclear_status: non_nuclear
  memberships: [{org: NATO, since: 1999}]
"""
FORCE = """- id: GBR-2025
  state: GBR
  year: 2025
  stockpile: {value: 225, year: 2025, sources: [sipri-milex-2024]}
  inventory: {value: 225, year: 2025, sources: [sipri-milex-2024]}
  legs: [sea]
  ssbns: {value: 4, year: 2025, sources: [sipri-milex-2024]}
  summary: A test record.
  sources: [sipri-milex-2024]
"""


def _estimate(field_name: str, value: str) -> str:
    return ACTOR + f"  {field_name}: {{value: {value}, year: 2024, sources: [sipri-milex-2024]}}\n"


def _nested_list(depth: int) -> str:
    return "a: " + "[" * depth + "]" * depth + "\n"


def _nested_map(depth: int) -> str:
    return "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "x: 1\n"


def _alias_bomb(levels: int = 9, fanout: int = 9) -> str:
    """Each level lists the one before ``fanout`` times: ``fanout ** levels`` values if
    anything walks it."""
    lines = ["l0: &l0 [" + ",".join(['"x"'] * fanout) + "]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ",".join([f"*l{level - 1}"] * fanout) + "]")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Case:
    """A hostile input: files to write in the working folder, and the command's arguments."""

    name: str
    args: tuple[str, ...]
    files: dict[str, str | bytes | Callable[[Path], None]] = field(default_factory=dict)
    expect: str = ""  # a fragment the one line must contain


def _link(target: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.symlink_to(target)

    return make


def _folder(path: Path) -> None:
    path.mkdir()


SCENARIOS = [
    Case("nul-byte", ("assess", "s.yaml"), {"s.yaml": "name: x\x00\n"}, "NUL"),
    Case("control-char", ("assess", "s.yaml"), {"s.yaml": "name: x\n\x1b\n"}, "U+001B"),
    Case("dev-zero", ("assess", "/dev/zero"), {}, "larger than"),
    Case("huge-file", ("assess", "s.yaml"), {"s.yaml": "# " + "x" * 1_200_000 + "\n"}, "larger"),
    Case("invalid-utf8", ("assess", "s.yaml"), {"s.yaml": b"name: \xff\xfe\n"}, "UTF-8"),
    Case("binary", ("assess", "s.yaml"), {"s.yaml": bytes(range(1, 256)) * 4}, ""),
    Case("deep-list", ("assess", "s.yaml"), {"s.yaml": _nested_list(100_000)}, "nested"),
    Case("deep-map", ("assess", "s.yaml"), {"s.yaml": _nested_map(200)}, "nested"),
    Case("alias-bomb", ("assess", "s.yaml"), {"s.yaml": _alias_bomb()}, "aliases"),
    Case("self-alias", ("assess", "s.yaml"), {"s.yaml": "&a [*a]\n"}, ""),
    Case(
        "many-keys",
        ("assess", "s.yaml"),
        {"s.yaml": FLAGSHIP + "".join(f"k{i}: {i}\n" for i in range(40_000))},
        "",
    ),
    Case(
        "many-unknown-assumptions",
        ("assess", "s.yaml"),
        {"s.yaml": _assume("".join(f"trust.x{i}: 1\n  " for i in range(5_000)))},
        "unknown assumption",
    ),
    Case("empty", ("assess", "s.yaml"), {"s.yaml": ""}, "mapping"),
    Case("a-list", ("assess", "s.yaml"), {"s.yaml": "- 1\n- 2\n"}, "mapping"),
    Case("python-tag", ("assess", "s.yaml"), {"s.yaml": "a: !!python/object:os.system x\n"}, ""),
    Case("syntax", ("assess", "s.yaml"), {"s.yaml": "a: [1, 2\nb: }\n"}, "YAML syntax"),
    Case("missing", ("assess", "no-such.yaml"), {}, "not found"),
    Case("a-folder", ("assess", "d"), {"d": _folder}, "folder"),
    Case("duplicate-key", ("assess", "s.yaml"), {"s.yaml": FLAGSHIP + "horizon: 2040\n"}, "twice"),
    Case("nan", ("assess", "s.yaml"), {"s.yaml": _assume("crisis.rate_nato: .nan")}, "finite"),
    Case("inf", ("assess", "s.yaml"), {"s.yaml": _assume("crisis.rate_nato: .inf")}, "finite"),
    Case("minus-inf", ("assess", "s.yaml"), {"s.yaml": _assume("belief.shift: -.inf")}, "finite"),
    Case("1e300", ("assess", "s.yaml"), {"s.yaml": _assume("crisis.rate_nato: 1.0e+300")}, ""),
    Case(
        "negative-half-life",
        ("assess", "s.yaml"),
        {"s.yaml": _assume("trust.half_life_months: -36")},
        "trust.half_life_months",
    ),
    Case(
        "probability-above-one",
        ("assess", "s.yaml"),
        {"s.yaml": _assume("trust.prior_mean_usa: 1.5")},
        "outside",
    ),
    Case(
        "range-beyond-limits",
        ("assess", "s.yaml"),
        {"s.yaml": _assume("game.challenger_gain: {default: 2, low: 1, high: 1.0e+200}")},
        "high",
    ),
    Case(
        "capex-1e308",
        ("assess", "s.yaml"),
        {"s.yaml": _option("  - {id: expanded-umbrella, capex_eur_bn: 1.0e+308}")},
        "capex",
    ),
    Case(
        "opex-1e200",
        ("assess", "s.yaml"),
        {"s.yaml": _option("  - {id: expanded-umbrella, opex_eur_bn_per_year: 1.0e+200}")},
        "opex",
    ),
    Case(
        "start-year-1e9",
        ("assess", "s.yaml"),
        {"s.yaml": _option("  - {id: expanded-umbrella, start_year: 1000000000}")},
        "",
    ),
    Case(
        "horizon-1e30",
        ("assess", "s.yaml"),
        {"s.yaml": _scenario("horizon: 2040", "horizon: 1000000000000000000000000000000")},
        "",
    ),
    Case("string-number", ("assess", "s.yaml"), {"s.yaml": _assume("crisis.rate_nato: lots")}, ""),
    Case(
        "future-date",
        ("assess", "s.yaml"),
        {"s.yaml": _scenario("as_of:", "as_of: 2999-01-01\nold_as_of:")},
        "",
    ),
    Case(
        "option-not-in-catalogue",
        ("assess", "s.yaml"),
        {"s.yaml": _option("  - no-such-option")},
        "",
    ),
    Case(
        "data-folder-missing",
        ("assess", "s.yaml"),
        {"s.yaml": _scenario("data: null", "data: nowhere")},
        "",
    ),
    Case(
        "data-folder-hostile",
        ("assess", "s.yaml"),
        {
            "s.yaml": _scenario("data: null", "data: overlay"),
            "overlay/actors.yaml": _estimate("population_m", ".nan"),
        },
        "finite",
    ),
]

_TABLES: list[tuple[str, str, str | bytes, str]] = [
    ("population-nan", "actors", _estimate("population_m", ".nan"), "finite"),
    ("population-inf", "actors", _estimate("population_m", ".inf"), "finite"),
    ("population-in-people", "actors", _estimate("population_m", "36000000"), "million"),
    ("defence-share-150", "actors", _estimate("defence_pct_gdp", "150"), "per cent"),
    ("gdp-negative", "actors", _estimate("gdp_usd_bn", "-5"), ">= 0"),
    ("membership-2099", "actors", ACTOR.replace("1999", "2099"), "future"),
    ("stockpile-nan", "forces", FORCE.replace("value: 225, year", "value: .nan, year", 1), ""),
    (
        "deployed-above-stockpile",
        "forces",
        FORCE + "  deployed: {value: 300, year: 2025, sources: [sipri-milex-2024]}\n",
        "stockpile",
    ),
    (
        "inventory-below-stockpile",
        "forces",
        FORCE.replace("inventory: {value: 225", "inventory: {value: 100"),
        "stockpile",
    ),
    ("submarines-5000", "forces", FORCE.replace("value: 4,", "value: 5000,"), "submarines"),
    ("nul-byte", "actors", ACTOR + "\x00", "NUL"),
    ("control-char", "actors", ACTOR + "\x1b\n", "special characters"),
    ("invalid-utf8", "actors", ACTOR.encode() + b"\xff\n", "UTF-8"),
    ("deep-nesting", "actors", "- " + "[" * 50_000 + "]" * 50_000 + "\n", "nested"),
    (
        "alias-bomb",
        "actors",
        "- " + _alias_bomb(16, 20).replace("\n", "\n  ").rstrip() + "\n",
        "aliases",
    ),
    ("not-a-list", "actors", "id: POL\n", "list"),
    ("huge", "actors", "# " + "x" * 9_000_000 + "\n", "larger"),
    ("syntax", "actors", "- id: POL\n  name: [\n", "YAML syntax"),
    (
        "event-in-future",
        "events",
        "- id: 2999-01-01-later\n  date: 2999-01-01\n  actors: [USA]\n  kind: statement\n"
        "  summary: x\n  effects: []\n  coding: x\n  sources: [sipri-milex-2024]\n",
        "future",
    ),
]
OVERLAYS = [
    Case(name, ("data", "check", "--data", "o"), {f"o/{table}.yaml": text}, expect)
    for name, table, text, expect in _TABLES
] + [
    Case("csv-table", ("data", "check", "--data", "o"), {"o/actors.csv": "id\nPOL\n"}, "YAML"),
    Case("unknown-table", ("data", "check", "--data", "o"), {"o/people.yaml": "[]\n"}, "table"),
    Case(
        "folder-named-as-table",
        ("data", "check", "--data", "o"),
        {"o/actors.yaml": _folder},
        "regular file",
    ),
    Case(
        "table-links-to-dev-zero",
        ("data", "check", "--data", "o"),
        {"o/actors.yaml": _link("/dev/zero")},
        "regular file",
    ),
    Case("overlay-missing", ("data", "check", "--data", "nowhere"), {}, "does not exist"),
]

ARGUMENTS = [
    Case(name, args, {}, expect)
    for name, args, expect in [
        ("workers-negative", ("run", "-n", "10", "--workers", "-2"), "--workers"),
        ("workers-zero", ("run", "-n", "10", "--workers", "0"), "--workers"),
        ("samples-zero", ("run", "-n", "0"), "--samples"),
        ("samples-1e23", ("run", "-n", "100000000000000000000000"), "--samples"),
        ("samples-text", ("run", "-n", "many"), "--samples"),
        ("seed-negative", ("run", "-n", "10", "--seed", "-1"), "--seed"),
        ("seed-1e40", ("run", "-n", "10", "--seed", "1" + "0" * 40), "--seed"),
        ("chunk-zero", ("run", "-n", "10", "--chunk-size", "0"), "--chunk-size"),
        ("chunk-1e9", ("run", "-n", "10", "--chunk-size", "1000000000"), "--chunk-size"),
        ("scheduler-nonsense", ("run", "-n", "10", "--scheduler", "not an address"), "scheduler"),
        ("sampler-unknown", ("run", "-n", "10", "--sampler", "magic"), "sampler"),
        ("resume-unknown", ("run", "--resume", "no-such-run"), ""),
        ("unknown-option", ("assess", "--bogus"), "No such option"),
        ("assess-samples-text", ("assess", "-n", "x"), "--samples"),
        ("assess-samples-few", ("assess", "-n", "5"), "--samples"),
        ("assess-stress-unknown", ("assess", "--stress", "nothing:2030"), "stress"),
        ("assess-out-is-a-file", ("assess", "-n", "100", "--out", "/etc/hostname"), "folder"),
        ("assess-out-in-proc", ("assess", "-n", "100", "--out", "/proc/umbrella-out"), ""),
        ("explore-unknown-run", ("explore", "no-such-run"), ""),
        ("assess-samples-1e9", ("assess", "-n", "1000000000"), "--samples"),
        ("brief-samples-1e9", ("brief", "-n", "1000000000"), "--samples"),
        ("backtest-samples-1e9", ("backtest", "-n", "1000000000"), "--samples"),
        ("calibrate-samples-1e9", ("calibrate", "trust", "-n", "1000000000"), "--samples"),
        ("export-into-proc", ("data", "export", "--out", "/proc/umbrella-export"), ""),
        ("cite-unknown", ("data", "cite", "no-such-record"), ""),
        ("cite-format", ("data", "cite", "--format", "latex"), "--format"),
        ("backtest-date", ("backtest", "--date", "2008-13-01"), "--date"),
        ("backtest-future", ("backtest", "--date", "2999-01-01"), "full year"),
        ("calibrate-until", ("calibrate", "trust", "--until", "soon"), "--until"),
        ("data-show-unknown", ("data", "show", "people"), ""),
        ("trust-unknown-guarantor", ("trust", "--guarantor", "XXX"), ""),
        ("runs-show-unknown", ("runs", "show", "no-such-run"), ""),
        ("game-unknown", ("game", "solve", "no-such-game"), ""),
    ]
]

RUN_ID = "damaged"


def _damaged_store(how: str) -> Callable[[Path], None]:
    """A store holding one finished run of 300 futures, then damaged in one way."""

    def make(path: Path) -> None:
        from umbrella.explore.ensemble import run_ensemble
        from umbrella.store import RunStore

        store = RunStore(path)
        summary = run_ensemble(None, 300, 3, chunk_size=100, store=store)
        store.flush()
        folder = next(p for p in path.rglob("outcomes-00001.parquet")).parent
        (path / "run-id").write_text(str(summary.run_id))
        target = folder / "outcomes-00001.parquet"
        if how == "bit-flip":
            data = bytearray(target.read_bytes())
            data[len(data) // 2] ^= 0x10
            target.write_bytes(bytes(data))
        elif how == "swapped":
            target.write_bytes((folder / "outcomes-00002.parquet").read_bytes())
        elif how == "truncated":
            target.write_bytes(target.read_bytes()[:100])

    return make


STORES = [
    Case(
        f"store-{how}",
        ("runs", "verify", "@run-id", "--store", "s"),
        {"s": _damaged_store(how)},
        "damaged",
    )
    for how in ("bit-flip", "swapped", "truncated")
] + [
    Case(
        "explore-on-a-damaged-run",
        ("explore", "@run-id", "--store", "s"),
        {"s": _damaged_store("bit-flip")},
        "damaged",
    ),
]

CORPUS = SCENARIOS + OVERLAYS + ARGUMENTS + STORES


def test_the_corpus_is_large() -> None:
    assert len(CORPUS) >= 60
    ids = [_id(c) for c in CORPUS]
    assert len(set(ids)) == len(ids)


def _write(folder: Path, files: dict[str, str | bytes | Callable[[Path], None]]) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            content(path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def _listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def _high_water_kb(pid: int) -> int:
    """The peak resident memory of a running process so far (``VmHWM``, which starts afresh
    when the process executes the command; a child's rusage would count the test runner's
    own memory, inherited at the fork)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _run(args: tuple[str, ...], cwd: Path, logs: Path) -> tuple[int, str, str, float, float]:
    """Run ``umbrella ARGS`` in ``cwd``: exit code, stderr, seconds and the child's own peak
    resident memory in MB (from its rusage), killed at the guard."""
    environment = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    err_path = logs / "stderr.txt"
    with (logs / "stdout.txt").open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "umbrella", *args],
            cwd=cwd,
            stdout=out,
            stderr=err,
            env=environment,
        )
        peak_kb = 0
        while True:
            peak_kb = max(peak_kb, _high_water_kb(process.pid))
            pid, status, _ = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > GUARD_SECONDS:
                process.kill()
                pid, status, _ = os.wait4(process.pid, 0)
                break
            time.sleep(0.02)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    return (
        process.returncode,
        (logs / "stdout.txt").read_text("utf-8", "replace"),
        err_path.read_text("utf-8", "replace"),
        seconds,
        peak_kb / 1024,
    )


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str
    seconds: float
    peak_mb: float
    before: frozenset[str]
    after: frozenset[str]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Every case run once, three at a time (each in its own process and folder)."""

    # Folders and files first, one at a time (temporary folders are not made safely from
    # several threads); then the commands, three at a time.
    prepared = []
    for case in CORPUS:
        work = tmp_path_factory.mktemp("case")
        _write(work, case.files)
        run_id = work / "s" / "run-id"
        args = tuple(
            run_id.read_text() if a == "@run-id" and run_id.exists() else a for a in case.args
        )
        prepared.append(
            (case, work, args, frozenset(_listing(work)), tmp_path_factory.mktemp("logs"))
        )

    def one(item: tuple[Case, Path, tuple[str, ...], frozenset[str], Path]) -> tuple[str, Outcome]:
        case, work, args, before, logs = item
        code, out, err, seconds, peak = _run(args, work, logs)
        return _id(case), Outcome(code, out, err, seconds, peak, before, frozenset(_listing(work)))

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(pool.map(one, prepared))


def _id(case: Case) -> str:
    return f"{case.args[0]}-{case.name}"


@pytest.mark.parametrize("case", CORPUS, ids=[_id(c) for c in CORPUS])
def test_hostile_input_is_one_line_and_exit_2(case: Case, outcomes: dict[str, Outcome]) -> None:
    result = outcomes[_id(case)]
    lines = [line for line in result.err.splitlines() if line.strip()]
    if case.args[:2] == ("data", "check") and lines == ["1 problem(s) found"]:
        # `data check` lists the problems on stdout, one a line, and counts them on stderr.
        lines = [line for line in result.out.splitlines() if line.strip()]
    assert result.code == 2, (case.name, result.code, lines[-5:])
    assert "Traceback" not in result.err, (case.name, lines[-5:])
    assert len(lines) == 1, (case.name, lines[:5])
    assert case.expect in lines[0], (case.name, lines[0])
    assert result.seconds < GUARD_SECONDS
    assert 0 < result.peak_mb < GUARD_MB, (case.name, result.peak_mb)
    # Nothing stored, nothing half-written: the working folder is as it was.
    assert result.after == result.before, (case.name, result.after - result.before)
