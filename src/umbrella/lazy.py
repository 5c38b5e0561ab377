"""Packages whose heavy members load on first use.

``umbrella --version`` and a scenario check must not compile the model's kernels or load
SciPy: :func:`lazy_members` makes a package resolve the listed names from their modules
when first asked for. Some of those names are functions that share their module's name
(``umbrella.model.layout`` defines ``layout``); importing such a module would make the
import system replace the function on the package with the module, so the package also
keeps its functions in place.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from types import ModuleType
from typing import Any

__all__ = ["lazy_members"]


class _LazyPackage(ModuleType):
    """A package that keeps a lazily loaded function where a submodule of the same name
    would otherwise be set."""

    _homes: Mapping[str, str] = {}

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._homes and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


def lazy_members(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """Make ``package`` load each name of ``homes`` (name -> module) on first use; returns
    the package's module ``__getattr__``."""

    def member(name: str) -> Any:
        if name in homes:
            return getattr(import_module(homes[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    module = sys.modules[package]
    module.__class__ = _LazyPackage
    object.__setattr__(module, "_homes", dict(homes))
    return member
