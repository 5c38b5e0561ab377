"""``umbrella assess --out``: the central future's NetCDF carries the CF global attributes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xarray as xr
from typer.testing import CliRunner

import umbrella
from umbrella.cli.app import app

runner = CliRunner()


def test_netcdf_has_cf_global_attributes(tmp_path: Path) -> None:
    out = tmp_path / "results"
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    result = runner.invoke(app, ["assess", "-n", "200", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert not list(out.glob("*.part"))
    with xr.open_dataset(out / "assessment.nc", engine="scipy") as dataset:
        attrs = dict(dataset.attrs)
    assert attrs["Conventions"] == "CF-1.11"
    assert attrs["institution"] == "umbrella"
    assert attrs["source"] == f"umbrella {umbrella.__version__}, scenario europe-2026"
    assert attrs["title"].startswith("Who guards Europe?")
    stamp, _, command = attrs["history"].partition(": ")
    assert dt.datetime.fromisoformat(stamp) >= before
    assert command == f"umbrella assess --samples 200 --seed 3 --out {out}"
    assert "docs/model.md" in attrs["references"]
    assert "200 futures" in attrs["comment"]
    assert attrs["scenario"] == "europe-2026"  # the model's own attributes are kept
