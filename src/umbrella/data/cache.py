"""A cache of the shipped dataset as read, so that each command does not read it again.

Parsing the shipped YAML (about 0.6 MB) takes longer than anything else
``umbrella data show`` does, and checking the records most of the rest. Two kinds of entry
are kept:

- each shipped table's parsed YAML, under the SHA-256 of the file's bytes (every command
  that reads the dataset uses it; the records are still checked every time);
- each table as ``umbrella data show`` prints it (:class:`umbrella.data.rows.TableView`),
  written only once the whole dataset has passed its checks, under the SHA-256 of every
  shipped table, of the source of :mod:`umbrella.data` and of the modules it reads, and of
  the versions of Python and of the libraries that parse and check (PyYAML, pydantic,
  pycountry).

Both keys change with anything that could change what they hold, so a stale entry is never
read; writing an entry removes the older ones of its kind and table. An entry that cannot
be read is ignored and written again; a cache that cannot be written (a read-only home)
only costs the time of reading.

The cache lives in ``$UMBRELLA_CACHE_DIR`` if set (empty: no cache), else in
``$XDG_CACHE_HOME/umbrella`` or ``~/.cache/umbrella``. Entries are pickles, read only from a
folder that belongs to the user and that no one else may write to (as the interpreter's
own bytecode cache is trusted). A user's overlay (``--data``) is never cached: it is always
read with its limits (:mod:`umbrella.data.safeyaml`) and checked.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from umbrella.settings import TABLE_NAMES

if TYPE_CHECKING:
    from umbrella.data.rows import TableView

__all__ = ["cache_dir", "dataset_key", "load", "load_view", "store", "store_view"]

_FORMAT = 1
"""Changes whenever what an entry holds changes."""
_LIBRARIES = ("PyYAML", "pydantic", "pydantic-core", "pycountry")
"""The libraries whose versions are part of every key."""
_CODE = ("errors.py", "settings.py", "types.py")
"""Modules outside :mod:`umbrella.data` that it reads, part of the dataset's key."""


def cache_dir() -> Path | None:
    """Where the cache lives; None where there is none."""
    configured = os.environ.get("UMBRELLA_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "umbrella"


@cache
def _versions() -> bytes:
    from importlib.metadata import PackageNotFoundError, version

    found = [sys.version, str(_FORMAT)]
    for library in _LIBRARIES:
        try:
            found.append(f"{library} {version(library)}")
        except PackageNotFoundError:
            found.append(f"{library} -")
    return "\0".join(found).encode()


def _table_name(table: str, data: bytes) -> str:
    digest = hashlib.sha256(data)
    digest.update(_versions())
    return f"{table}-{digest.hexdigest()[:32]}.pickle"


def _world() -> Path:
    """The folder of the shipped tables (:func:`umbrella.data.read.shipped_dir`, whose module
    loads the schema)."""
    return Path(str(resources.files("umbrella.data") / "world"))


def dataset_key() -> str | None:
    """The key of the shipped dataset as this code reads and checks it; None if a file
    cannot be read (the full reading reports it)."""
    package = Path(__file__).parent
    code = sorted(package.glob("*.py")) + [package.parent / name for name in _CODE]
    tables = [_world() / f"{name}.yaml" for name in TABLE_NAMES]
    digest = hashlib.sha256(_versions())
    try:
        for path in [*tables, *code]:
            data = path.read_bytes()
            digest.update(f"\0{path.name}\0{len(data)}\0".encode())
            digest.update(data)
    except OSError:
        return None
    return digest.hexdigest()[:32]


def _private(folder: Path) -> bool:
    """Whether ``folder`` is the user's own and no one else may write to it."""
    try:
        info = folder.stat()
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        return False
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    return not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _read(name: str) -> Any:
    folder = cache_dir()
    if folder is None or not _private(folder):
        return None
    try:
        return pickle.loads((folder / name).read_bytes())
    except FileNotFoundError:
        return None
    except Exception:  # a damaged or foreign entry is only a miss; it is written again
        return None


def _write(prefix: str, name: str, content: Any) -> None:
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(folder):
            return
        handle, temporary = tempfile.mkstemp(prefix=f".{prefix}", dir=folder)
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump(content, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, folder / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        for older in folder.glob(f"{prefix}*.pickle"):
            if older.name != name:
                older.unlink(missing_ok=True)
    except OSError:
        return


def load(table: str, data: bytes) -> list[Any] | None:
    """The parsed content of ``table`` whose file holds ``data``; None if not cached."""
    content = _read(_table_name(table, data))
    return content if isinstance(content, list) else None


def store(table: str, data: bytes, content: list[Any]) -> None:
    """Keep the parsed ``content`` of ``table`` whose file holds ``data``; drop its older
    entries. Does nothing where the cache cannot be written."""
    _write(f"{table}-", _table_name(table, data), content)


def load_view(table: str, key: str) -> TableView | None:
    """The view of ``table`` kept under the dataset's ``key``; None if not cached."""
    from umbrella.data.rows import TableView

    view = _read(f"view-{table}-{key}.pickle")
    return view if isinstance(view, TableView) else None


def store_view(table: str, key: str, view: TableView) -> None:
    """Keep the view of ``table`` of the checked dataset of ``key``; drop its older ones."""
    _write(f"view-{table}-", f"view-{table}-{key}.pickle", view)
