"""Reading dataset tables from YAML files, with user overlays.

The shipped tables are read first; the files of a user's data directory are laid over
them: a record whose id already exists replaces it whole, a new id adds a record. Every
problem found on the way is collected (never raised one at a time), so a user sees all of
them in one pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from umbrella.data import cache
from umbrella.data.safeyaml import OVERLAY_LIMITS, YamlLimitError, limited_loader, read_limited
from umbrella.data.schema import TABLES, Record
from umbrella.errors import Problem, UsageError
from umbrella.types import PathLike

__all__ = ["TABLE_SUFFIXES", "Tables", "read_tables", "shipped_dir"]

TABLE_SUFFIXES = (".yaml", ".yml")
"""The file endings of the YAML tables of a data folder."""
R = TypeVar("R", bound=Record)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_LIMITED = limited_loader(OVERLAY_LIMITS)  # for a user's files: bounded time and memory


def shipped_dir() -> Path:
    """The folder of the dataset that ships with the package."""
    return Path(str(resources.files("umbrella.data") / "world"))


@dataclass
class Tables:
    """Records of every table by id, where each came from, and what was wrong."""

    records: dict[str, dict[str, Record]] = field(
        default_factory=lambda: {name: {} for name in TABLES}
    )
    origins: dict[tuple[str, str], str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def of(self, table: str, kind: type[R]) -> list[R]:
        """The records of ``table``, typed as ``kind``."""
        return [r for r in self.records[table].values() if isinstance(r, kind)]


def read_tables(data_dir: PathLike | None = None) -> Tables:
    """Read the shipped tables and lay ``data_dir``'s files over them.

    Raises
    ------
    UsageError
        If ``data_dir`` is given but is not a folder.
    """
    tables = Tables()
    shipped = shipped_dir()
    for name in TABLES:
        _read_file(shipped / f"{name}.yaml", name, f"world/{name}.yaml", tables)
    if data_dir is not None:
        for path, name in _overlay_files(Path(data_dir), tables):
            _read_file(path, name, str(path), tables, trusted=False)
    return tables


def _overlay_files(folder: Path, tables: Tables) -> Iterator[tuple[Path, str]]:
    if not folder.is_dir():
        what = "does not exist" if not folder.exists() else "is not a folder"
        raise UsageError(f"{folder}: {what}; --data must name a folder of YAML tables")
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue  # hidden files (editor backups, .DS_Store) are no one's table
        if path.suffix not in TABLE_SUFFIXES:
            # A table written as CSV (or anything else) would otherwise be ignored without
            # a word, and the shipped table used in its place.
            tables.problems.append(
                Problem(
                    str(path),
                    "-",
                    "-",
                    "not a YAML table; an overlay folder holds only .yaml files named after "
                    "tables (" + ", ".join(TABLES) + "); move this file elsewhere",
                )
            )
            continue
        if not path.is_file():
            tables.problems.append(
                Problem(str(path), "-", "-", "is not a regular file; give a YAML file")
            )
            continue
        if path.stem in TABLES:
            yield path, path.stem
        else:
            tables.problems.append(
                Problem(
                    str(path),
                    "-",
                    "-",
                    f"'{path.stem}' is not a table; name the file after one of: "
                    + ", ".join(TABLES),
                )
            )


def _read_file(path: Path, table: str, label: str, tables: Tables, *, trusted: bool = True) -> None:
    items = _parse_yaml(path, label, tables.problems, trusted)
    if items is None:
        return
    model = TABLES[table]
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            tables.problems.append(
                Problem(label, f"[{index}]", "-", "each record must be a mapping of field: value")
            )
            continue
        raw_id = item.get("id")
        record_label = str(raw_id) if raw_id is not None else f"[{index}]"
        if raw_id is not None:
            if str(raw_id) in seen:
                tables.problems.append(
                    Problem(
                        label,
                        record_label,
                        "id",
                        f"duplicate id (records [{seen[str(raw_id)]}] and [{index}]); "
                        "ids must be unique within a table",
                    )
                )
                continue
            seen[str(raw_id)] = index
        try:
            record = model.model_validate(item)
        except ValidationError as error:
            tables.problems.extend(
                Problem(label, record_label, _field_path(e["loc"]), _message(e))
                for e in error.errors()
            )
            continue
        tables.records[table][record.id] = record
        tables.origins[(table, record.id)] = label


def _parse_yaml(path: Path, label: str, problems: list[Problem], trusted: bool) -> list[Any] | None:
    data = b""
    try:
        if trusted:
            data = path.read_bytes()
            cached = cache.load(path.stem, data)
            if cached is not None:
                return cached
            # As read_text does: UTF-8, and every line break as "\n".
            text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        else:
            text = read_limited(path, OVERLAY_LIMITS)
    except FileNotFoundError:
        problems.append(Problem(label, "-", "-", "file not found"))
        return None
    except YamlLimitError as error:
        where = f"line {error.line}" if error.line else "-"
        problems.append(Problem(label, where, "-", str(error)))
        return None
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(label, "-", "-", f"cannot be read as UTF-8 text ({error})"))
        return None
    try:
        content = yaml.load(text, Loader=_Loader if trusted else _LIMITED)
    except YamlLimitError as error:
        problems.append(Problem(label, f"line {error.line}", "-", str(error)))
        return None
    except RecursionError:
        problems.append(Problem(label, "-", "-", "nested too deeply to be read; flatten it"))
        return None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        problems.append(Problem(label, "-", "-", f"YAML syntax error{where}: {reason}"))
        return None
    if content is None:
        return []
    if not isinstance(content, list):
        problems.append(
            Problem(label, "-", "-", "must be a YAML list of records (each line starting '- ')")
        )
        return None
    if trusted:
        cache.store(path.stem, data, content)
    return content


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "-"


def _message(error: Any) -> str:
    kind, message = error["type"], str(error["msg"])
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field; see docs/data.md for the fields of this table"
    message = message.removeprefix("Value error, ")
    if kind in ("value_error", "assertion_error"):
        return message
    got = error.get("input")
    if isinstance(got, dict | list):
        return f"{message}"
    return f"{message} (got {got!r})"
