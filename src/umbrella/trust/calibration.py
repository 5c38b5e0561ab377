"""Trust fitted to the polls: a Bayesian fit of the trust assumptions, with held-out scores.

The trust stage turns the events timeline into trust in each guarantor (docs/trust.md). The
polls table (docs/data.md) observes something related, but not the same thing: the share of
a country's respondents who call a guarantor a reliable ally, answering questions that differ
from series to series. The observation model links them on the logit scale:

    logit(y_i) = s_i * logit(T(c_i, t_i; theta)) + delta_j + e_i,    e_i ~ N(0, sigma^2)

for poll point i of item j (a series and the answer it counts), with T the model's trust in
the guarantor asked about, seen from the respondents' country c_i at the end of the fieldwork
month t_i; s_i = +1 for a measure of trust and -1 for a measure of distrust; delta_j an offset
per item (questions differ in how hard they set the bar); sigma the noise left. With flat
priors on the offsets and Jeffreys' prior on sigma, both integrate out in closed form: the
marginal likelihood of the trust assumptions theta is RSS(theta)^(-(n - k) / 2), RSS the sum
of squared residuals after each item's mean residual is removed, n the points and k the
items. An item with a single point carries no information about theta and is left out.

The prior on theta is the registry's: each trust assumption drawn over its hand range with
its distribution. :func:`calibrate` draws ``samples`` Latin-hypercube points from that prior,
weighs them by the marginal likelihood of the poll points fielded up to ``until`` (importance
sampling from the prior), and reports the posterior median and 5-95% range of each
assumption. It then scores the fit on the points after ``until``: each is predicted from the
posterior (its item's offset estimated on the earlier points only; points of items first
asked after ``until`` cannot be scored), against the same prediction at the defaults.

>>> import umbrella
>>> result = calibrate(umbrella.load_world(), samples=256, seed=1)
>>> result.held_out["points"] > 0
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from umbrella.data.schema import Event, Poll
from umbrella.data.world import World
from umbrella.errors import UsageError
from umbrella.trust.assumptions import HAND
from umbrella.trust.evidence import protege_views
from umbrella.trust.trajectories import trust_state

__all__ = ["EXCLUDED", "Calibration", "calibrate", "observations"]

FloatArray = npt.NDArray[np.float64]

GUARANTORS = ("USA", "GBR", "FRA")

EXCLUDED: Mapping[str, str] = {
    "pew-us-favorability": "favourable opinion of the country, not of it as an ally",
    "pew-confidence-us-president": "confidence in a person, not in the guarantee",
    "msc-munich-security-report-us-less-reliable-nato": "asks about a change, not a level",
}
"""Poll series left out of the fit, each with the reason."""

NEITHER = ("necessary partner",)
"""Answers that measure neither trust nor distrust (a middle category), left out."""

DEFAULT_UNTIL = dt.date(2022, 12, 31)
MAX_DRAWS = 2**16
"""The most draws of the prior one fit takes (the default 4,096 takes about 20 s)."""
"""Points fielded up to this date are fitted; later ones are held out and scored."""


@dataclass(frozen=True)
class Calibration:
    """The posterior of the trust assumptions given the polls, and how well it predicts."""

    posterior: pd.DataFrame  # per assumption: default, low, high (hand) and median, p05, p95
    fitted: dict[str, float]  # in-sample: points, items, correlation, rmse, coverage
    held_out: dict[str, float]  # the same on the later points, calibrated and at defaults
    points: pd.DataFrame  # every poll point used, with its predictions
    effective_samples: float
    samples: int
    seed: int
    until: dt.date

    def record(self) -> dict[str, Any]:
        """The fit as the package ships it (``umbrella calibrate trust --write``): settings,
        scores and the fitted assumptions, rounded to four significant figures."""
        return {
            "samples": self.samples,
            "seed": self.seed,
            "until": self.until.isoformat(),
            "points": int(self.fitted["points"]),
            "effective_samples": _round(self.effective_samples),
            "fitted": {k: _round(v) for k, v in self.fitted.items()},
            "held_out": {k: _round(v) for k, v in self.held_out.items()},
            "assumptions": {
                name: {k: _round(v) for k, v in values.items()}
                for name, values in self.ranges().items()
            },
        }

    def ranges(self) -> dict[str, dict[str, float]]:
        """The calibrated assumptions as ``{name: {default, low, high}}``."""
        return {
            str(name): {
                "default": float(row["median"]),
                "low": float(row["p05"]),
                "high": float(row["p95"]),
            }
            for name, row in self.posterior.iterrows()
        }


def observations(world: World) -> pd.DataFrame:
    """The poll points the fit uses: one row per point with its item, sign, country (the
    respondents' European country, or the countries an aggregate spans), month end and
    share. Points of excluded series, middle answers and non-European respondents are left
    out, and so are items with a single point."""
    rows = []
    european = [
        a.id for a in world.records["actors"].values() if getattr(a, "region", "") == "europe"
    ]
    named = set(protege_views(e for e in world.records["events"].values() if isinstance(e, Event)))
    # An aggregate whose countries the source does not list reads the general view: that
    # of a European state no event names.
    general = next(c for c in european if c not in named and c not in ("RUS", "BLR"))
    for poll in world.records["polls"].values():
        if not isinstance(poll, Poll) or poll.series in EXCLUDED:
            continue
        if poll.guarantor not in GUARANTORS or any(a in poll.answer for a in NEITHER):
            continue
        countries = [poll.country] if poll.country else list(poll.countries) or [general]
        countries = [c for c in countries if c in european and c != poll.guarantor]
        if not countries:
            continue
        rows.append(
            {
                "id": poll.id,
                "item": f"{poll.series}: {poll.answer}",
                "series": poll.series,
                "guarantor": poll.guarantor,
                "countries": tuple(countries),
                "date": _month_end(poll.fieldwork),
                "share": poll.share_pct / 100.0,
                "sign": -1.0 if poll.negative else 1.0,
            }
        )
    frame = pd.DataFrame(rows)
    counts = frame["item"].map(frame["item"].value_counts())
    return frame[counts > 1].sort_values(["item", "date"]).reset_index(drop=True)


def calibrate(
    world: World,
    *,
    samples: int = 4096,
    seed: int = 2026,
    until: dt.date = DEFAULT_UNTIL,
) -> Calibration:
    """Fit the trust assumptions to the polls (module docstring) and score the fit."""
    if not 16 <= samples <= MAX_DRAWS:
        raise UsageError(f"--samples {samples}: use 16 to {MAX_DRAWS:,} draws of the prior")
    points = observations(world)
    train = (points["date"] <= until).to_numpy()
    if train.sum() < 3 or (~train).sum() < 1:
        raise UsageError(
            f"--until {until}: needs poll points on both sides (fitted {int(train.sum())}, "
            f"held out {int((~train).sum())})"
        )
    prior = _prior(samples, seed)
    logits = _model_logits(world, points, prior)  # (sample, point)
    y = _logit(points["share"].to_numpy())
    sign = points["sign"].to_numpy()
    items = points["item"].to_numpy()
    log_weight = _log_marginal(y[train], sign[train], logits[:, train], items[train])
    weight = np.exp(log_weight - log_weight.max())
    weight /= weight.sum()
    effective = float(1.0 / np.sum(weight**2))
    posterior = _summaries(prior, weight)
    median = {name: np.array([posterior.loc[name, "median"]]) for name in posterior.index}
    defaults = {a.name: np.array([a.default]) for a in HAND}
    best = _model_logits(world, points, median)[0]
    plain = _model_logits(world, points, defaults)[0]
    scored = points.assign(
        fitted=train,
        calibrated=_predict(y, sign, best, items, train),
        at_defaults=_predict(y, sign, plain, items, train),
        calibrated_loo=_predict_loo(y, sign, best, items, ~train),
        at_defaults_loo=_predict_loo(y, sign, plain, items, ~train),
        trust_calibrated=_expit(best),
        trust_defaults=_expit(plain),
    )
    sigma = _sigma(y[train], sign[train], best[train], items[train])
    sigma_plain = _sigma(y[train], sign[train], plain[train], items[train])
    return Calibration(
        posterior=posterior,
        fitted=_scores(scored[train], "calibrated", sigma),
        held_out={
            **_scores(scored[~train], "calibrated", sigma),
            **_suffixed(_scores(scored[~train], "at_defaults", sigma_plain), "_defaults"),
            **_suffixed(_scores(scored[~train], "calibrated_loo", sigma), "_loo"),
            **_suffixed(_scores(scored[~train], "at_defaults_loo", sigma_plain), "_loo_defaults"),
        },
        points=scored,
        effective_samples=effective,
        samples=samples,
        seed=seed,
        until=until,
    )


# The model side ---------------------------------------------------------------------------


def _prior(samples: int, seed: int) -> dict[str, FloatArray]:
    """Latin-hypercube draws of every trust assumption over its hand range."""
    from umbrella.explore.sampling import draw

    varying = [a for a in HAND if a.high > a.low]
    futures = draw(varying, 0, samples, seed)
    return {a.name: futures[a.name].to_numpy() for a in varying}


def _model_logits(
    world: World, points: pd.DataFrame, params: Mapping[str, FloatArray]
) -> FloatArray:
    """logit of the model's trust for every point, (sample, point): the guarantor seen from
    the respondents' country (the mean over an aggregate's countries) at the month's end."""
    n = len(next(iter(params.values())))
    result = np.empty((n, len(points)))
    proteges = sorted({c for cs in points["countries"] for c in cs})
    for date in sorted(set(points["date"])):
        rows = points[points["date"] == date]
        state = trust_state(world, params, date, GUARANTORS, proteges)
        mean = state.mean()  # (sample, guarantor, protege)
        for index, row in rows.iterrows():
            g = GUARANTORS.index(row["guarantor"])
            columns = [proteges.index(c) for c in row["countries"]]
            value = mean[:, g, columns].mean(axis=1)
            result[:, int(str(index))] = _logit(value)
    return result


# The observation side ---------------------------------------------------------------------


def _residuals(
    y: FloatArray, sign: FloatArray, logits: FloatArray, items: npt.NDArray[Any]
) -> FloatArray:
    """Residuals after each item's mean residual (its offset) is removed, (..., point)."""
    raw = y - sign * logits
    out = np.empty_like(raw)
    for item in np.unique(items):
        at = items == item
        out[..., at] = raw[..., at] - raw[..., at].mean(axis=-1, keepdims=True)
    return out


def _log_marginal(
    y: FloatArray, sign: FloatArray, logits: FloatArray, items: npt.NDArray[Any]
) -> FloatArray:
    """log RSS^(-(n - k)/2): offsets (flat) and noise (Jeffreys) integrated out."""
    rss = np.sum(_residuals(y, sign, logits, items) ** 2, axis=-1)
    n, k = len(y), len(np.unique(items))
    log_weight: FloatArray = -0.5 * (n - k) * np.log(np.maximum(rss, 1e-300))
    return log_weight


def _sigma(y: FloatArray, sign: FloatArray, logits: FloatArray, items: npt.NDArray[Any]) -> float:
    rss = float(np.sum(_residuals(y, sign, logits, items) ** 2))
    dof = max(len(y) - len(np.unique(items)), 1)
    return float(np.sqrt(rss / dof))


def _predict(
    y: FloatArray,
    sign: FloatArray,
    logits: FloatArray,
    items: npt.NDArray[Any],
    train: npt.NDArray[np.bool_],
) -> FloatArray:
    """Predicted share per point: the model's logit (signed) plus its item's offset as
    estimated on the fitted points; NaN where the item has no fitted point."""
    offset = {
        item: float(np.mean((y - sign * logits)[train & (items == item)]))
        for item in np.unique(items[train])
    }
    shift = np.array([offset.get(item, np.nan) for item in items])
    return _expit(sign * logits + shift)


def _predict_loo(
    y: FloatArray,
    sign: FloatArray,
    logits: FloatArray,
    items: npt.NDArray[Any],
    later: npt.NDArray[np.bool_],
) -> FloatArray:
    """Predicted share per later point with its item's offset estimated on the item's other
    later points (leave one out): a test of how the model orders points in time within a
    question, for questions first asked after the fitting period too."""
    raw = y - sign * logits
    shift = np.full(len(y), np.nan)
    for item in np.unique(items[later]):
        at = np.flatnonzero(later & (items == item))
        if len(at) < 2:
            continue
        total = raw[at].sum()
        shift[at] = (total - raw[at]) / (len(at) - 1)
    return _expit(sign * logits + shift)


def _suffixed(scores: Mapping[str, float], suffix: str) -> dict[str, float]:
    return {f"{k}{suffix}": v for k, v in scores.items()}


def _scores(frame: pd.DataFrame, column: str, sigma: float) -> dict[str, float]:
    """Points, correlation, RMSE (percentage points) and coverage of the 90% band."""
    scored = frame[np.isfinite(frame[column])]
    observed, predicted = scored["share"].to_numpy(), scored[column].to_numpy()
    if len(scored) < 2:
        return {"points": float(len(scored)), "items": 0.0}
    half = 1.6449 * sigma
    low = _expit(_logit(predicted) - half)
    high = _expit(_logit(predicted) + half)
    return {
        "points": float(len(scored)),
        "items": float(scored["item"].nunique()),
        "correlation": float(np.corrcoef(observed, predicted)[0, 1]),
        "rmse_points": float(100.0 * np.sqrt(np.mean((observed - predicted) ** 2))),
        "coverage_90": float(np.mean((observed >= low) & (observed <= high))),
    }


def _summaries(prior: Mapping[str, FloatArray], weight: FloatArray) -> pd.DataFrame:
    rows = []
    for a in HAND:
        if a.name not in prior:
            continue
        order = np.argsort(prior[a.name])
        values = np.asarray(prior[a.name], dtype=np.float64)[order]
        cumulative = np.cumsum(weight[order])
        quantile = {
            q: float(values[min(int(np.searchsorted(cumulative, q)), len(values) - 1)])
            for q in (0.05, 0.5, 0.95)
        }
        rows.append(
            {
                "name": a.name,
                "meaning": a.meaning,
                "default": a.default,
                "low": a.low,
                "high": a.high,
                "median": quantile[0.5],
                "p05": quantile[0.05],
                "p95": quantile[0.95],
            }
        )
    return pd.DataFrame(rows).set_index("name")


def _round(value: float) -> float:
    return float(f"{value:.4g}")


def _month_end(fieldwork: str) -> dt.date:
    """The last day of a fieldwork month (``YYYY`` reads as the middle of the year)."""
    parts = [int(p) for p in fieldwork.split("-")]
    year, month = parts[0], parts[1] if len(parts) > 1 else 6
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _logit(p: npt.ArrayLike) -> FloatArray:
    clipped = np.clip(np.asarray(p, dtype=np.float64), 1e-4, 1 - 1e-4)
    return np.asarray(np.log(clipped) - np.log1p(-clipped))


def _expit(x: npt.ArrayLike) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64))))
