"""CITATION.cff: valid Citation File Format 1.2.0, in step with pyproject.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _cff() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _project() -> dict[str, Any]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert isinstance(project, dict)
    return project


def test_has_the_required_keys() -> None:
    cff = _cff()
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title"):
        assert isinstance(cff[key], str)
        assert cff[key].strip()
    authors = cff["authors"]
    assert isinstance(authors, list)
    assert authors
    for author in authors:
        # A person has family-names; an entity (a group) has a name.
        assert isinstance(author, dict)
        assert author.get("name") or author.get("family-names")
    assert {"name": "umbrella contributors"} in authors


def test_matches_pyproject() -> None:
    cff, project = _cff(), _project()
    assert cff["version"] == project["version"]
    assert cff["license"] == project["license"]
    urls = project.get("urls", {})
    if urls:
        assert cff["repository-code"] in urls.values()
    else:
        assert "repository-code" not in cff


def test_uses_only_known_keys() -> None:
    known = {
        "abstract", "authors", "cff-version", "commit", "contact", "date-released", "doi",
        "identifiers", "keywords", "license", "license-url", "message", "preferred-citation",
        "references", "repository", "repository-artifact", "repository-code", "title", "type",
        "url", "version",
    }  # fmt: skip
    cff = _cff()
    assert set(cff) <= known
    assert cff.get("type", "software") in ("software", "dataset")
