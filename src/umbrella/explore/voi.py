"""Value of information: what perfect knowledge of an assumption would be worth to the decision.

The decision rule and its value
-------------------------------
Each option ``d`` has a *net benefit* in each sampled future ``i``::

    NB[i, d] = 100 * holds_europe[i, d] - cost_weight * npv_eur_bn[i, d]

in **percentage points of the probability that deterrence holds** through the horizon
(``holds_europe`` is a probability, 0-1). ``cost_weight`` is how many percentage points one
billion euros of present-value cost is worth: 0 (the default) values deterrence only; 0.1
says a point of deterrence is worth 10 bn EUR. The decision rule is to choose the option with
the highest expected (mean over the futures) net benefit. All values below are in the same
unit: percentage points.

- **EVPI**, the expected value of perfect information: how much the expected net benefit
  would rise if, before choosing, one learnt which future is the true one::

      EVPI = mean_i max_d NB[i, d] - max_d mean_i NB[i, d]

- **EVPPI**, the expected value of partial perfect information on a parameter or a group of
  parameters ``phi``: the same, learning ``phi`` only::

      EVPPI(phi) = E_phi max_d E[NB_d | phi] - max_d E[NB_d]

Estimator
---------
The conditional expectations ``g_d(phi) = E[NB_d | phi]`` are estimated by regression on the
futures already sampled, as Strong, Oakley and Brennan [1]_ do with generalised additive
models: no second, nested sample is needed. Here the regression is a penalised regression
spline (P-spline, Eilers and Marx [2]_): per parameter a cubic B-spline basis on knots
equally spaced in the parameter's ranks (conditioning on a parameter is conditioning on any
increasing function of it; in ranks the knots follow the futures) with a second-difference
penalty on its coefficients
(a parameter with few distinct values, such as a start year, gets one level per value with
the same penalty over the ordered levels). A group is *additive* in its parameters, except
a group of exactly two, which gets a tensor-product spline (main effects and their
interaction). Larger groups are additive and may underestimate the EVPPI when their
parameters interact. One smoothing parameter per group and option is chosen by generalised
cross-validation (GCV), over a grid, with the Demmler-Reinsch diagonalisation so that every
candidate costs no pass over the futures.

The regression is fitted to each option's *incremental* net benefit against the option that
is best on current information (``d*``), so ``g_{d*} = 0``, every other ``g_d`` has a mean
of at most 0, and ``EVPPI = mean_i max(0, max_d g_d(phi_i))``, which is invariant to adding
a constant to every option.

Uncertainty and bias. Regression noise makes ``mean_i max_d g_d`` biased upward (a max of
noisy values), so an estimate can exceed EVPI although the true EVPPI cannot; the table
reports the raw estimate, and the estimate clipped into ``[0, EVPI]`` (at 0 below, which
only rounding can reach, and at EVPI above) with a flag when clipping happened. The
interval is Strong et al.'s: draws of the regression coefficients from their approximate
posterior (``N(beta, sigma^2 (X'X + lambda P)^-1)``), the EVPPI recomputed for each, seeded
through :class:`numpy.random.SeedSequence`. It covers the regression's uncertainty, not the
Monte Carlo error of the futures themselves.

References
----------
.. [1] M. Strong, J. E. Oakley and A. Brennan, "Estimating multiparameter partial expected
   value of perfect information from a probabilistic sensitivity analysis sample: a
   nonparametric regression approach", *Medical Decision Making* 34(3), 311-326, 2014,
   doi:10.1177/0272989X13505910.
.. [2] P. H. C. Eilers and B. D. Marx, "Flexible smoothing with B-splines and penalties",
   *Statistical Science* 11(2), 89-121, 1996, doi:10.1214/ss/1038425655.
"""

from __future__ import annotations

import fnmatch
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.linalg
import scipy.sparse as sp
import scipy.stats
from scipy.interpolate import BSpline

from umbrella.errors import UsageError

if TYPE_CHECKING:
    from umbrella.explore.run import Run

__all__ = [
    "GROUPS",
    "OTHER",
    "Evppi",
    "VoiResult",
    "assumption_group",
    "assumption_groups",
    "evpi",
    "evppi",
    "net_benefit",
    "run_voi",
    "value_of_information",
]

Array = npt.NDArray[np.float64]

GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Reliability of each guarantor as the evidence shows it: prior trust and future evidence.
    ("US reliability", ("trust.*usa*",)),
    ("European reliability", ("trust.*gbr*", "trust.*fra*", "trust.*europe*")),
    # How evidence becomes trust: forgetting, spillover, event weights, the prior's strength.
    ("evidence model", ("trust.*",)),
    # How resolved the challenger is and how it reads the guarantors (belief.shift: its
    # belief that a guarantor would fight, above allies' trust in it).
    ("Russian resolve", ("challenger.*", "belief.*")),
    ("crisis frequency", ("crisis.*",)),
    ("game payoffs", ("game.*",)),
    # What a guarantor's word and forces are worth, and how guarantors fail together.
    ("commitments and forces", ("depth.*", "capability.*", "combine.*")),
    ("costs", ("discount_rate", "option.*.capex_eur_bn", "option.*.opex_eur_bn_per_year")),
    ("proliferation", ("proliferation.*", "option.*.proliferation")),
    ("Ukraine", ("ukraine.*",)),
    # Whether the capitals agree each option and deliver it on time (docs/options.md,
    # "Implementation risk"): the drivers' weights and each future's draws.
    ("implementation", ("implementation.*", "option.*.implementation_draw")),
    # When and how much each option delivers: start, lead times, levers (aid included).
    ("option delivery", ("option.*",)),
    ("stress tests", ("stress.*",)),
)
"""Reader groups of assumptions: (group, name patterns); a name belongs to the first group
one of whose ``fnmatch`` patterns it matches (so the order matters: ``trust.prior_mean_usa``
is US reliability before it could be evidence model)."""

OTHER = "other"
"""The group of names no pattern in :data:`GROUPS` matches."""

DRAWS = 200
"""Posterior draws of the regression coefficients behind each EVPPI's interval."""

_SEGMENTS = 12  # knot intervals per parameter in an additive term (15 cubic B-splines)
_TENSOR_SEGMENTS = 7  # per margin of a tensor product: 10 x 10 = 100 coefficients
_LEVELS = 24  # a parameter with at most this many distinct values gets one level per value
_GRID = np.logspace(-9.0, 9.0, 145)  # candidate smoothing parameters, relative (see _fit)
_ROWS = 16_384  # futures per block when the design is made dense for a product


def assumption_group(name: str) -> str:
    """The reader group of an assumption's name (:data:`GROUPS`), or :data:`OTHER`."""
    for group, patterns in GROUPS:
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns):
            return group
    return OTHER


def assumption_groups(names: Sequence[str]) -> dict[str, list[str]]:
    """The names by reader group, in the order of :data:`GROUPS` (``other`` last); groups
    with no name are left out."""
    found: dict[str, list[str]] = {group: [] for group, _ in GROUPS}
    found[OTHER] = []
    for name in names:
        found[assumption_group(name)].append(name)
    return {group: members for group, members in found.items() if members}


def net_benefit(
    outcomes: pd.DataFrame,
    cost_weight: float = 0.0,
    futures: Sequence[int] | npt.NDArray[np.int64] | None = None,
) -> tuple[Array, list[str]]:
    """The futures x options net benefit, in percentage points, and the options' names.

    ``NB = 100 * holds_europe - cost_weight * npv_eur_bn`` (``cost_weight`` in percentage
    points per bn EUR). ``outcomes`` is the long table (``future``, ``option``, outcomes);
    rows follow ``futures`` (default: the sorted future ids), columns the options in their
    first-seen order.
    """
    if not np.isfinite(cost_weight):
        raise UsageError(f"cost weight {cost_weight}: give a finite number")
    needed = ["future", "option", "holds_europe"] + (["npv_eur_bn"] if cost_weight else [])
    missing = [name for name in needed if name not in outcomes.columns]
    if missing:
        raise UsageError(f"outcomes: no column {', '.join(missing)}")
    options = [str(o) for o in pd.unique(outcomes["option"])]
    values = 100.0 * outcomes["holds_europe"].to_numpy(dtype=float)
    if cost_weight:
        values = values - cost_weight * outcomes["npv_eur_bn"].to_numpy(dtype=float)
    frame = pd.DataFrame(
        {"future": outcomes["future"].to_numpy(), "option": outcomes["option"], "nb": values}
    )
    wide = frame.pivot(index="future", columns="option", values="nb")
    rows = np.sort(wide.index.to_numpy()) if futures is None else np.asarray(futures)
    table = wide.reindex(index=rows, columns=options).to_numpy(dtype=float)
    if not np.isfinite(table).all():
        raise UsageError("outcomes: a future lacks an option, or a value is not finite")
    return table, options


def evpi(nb: npt.ArrayLike) -> float:
    """Expected value of perfect information of a futures x options net benefit table:
    ``mean_i max_d NB - max_d mean_i NB``, in the table's unit; never negative."""
    table = _table(nb)
    return max(float(table.max(axis=1).mean() - table.mean(axis=0).max()), 0.0)


@dataclass(frozen=True)
class Evppi:
    """The EVPPI of one parameter group and what perfect information on it would change.

    ``value``: the estimate clipped into ``[0, evpi]``; ``raw``: before clipping (``clipped``
    says whether it was); ``se``, ``low``, ``high``: standard deviation and 2.5 and 97.5
    percentiles of the EVPPI over posterior draws of the regression (NaN without draws).
    ``best``: the column best on current information; ``choices``: per future, the column
    perfect information on the group would choose; ``changed``: share of futures where that
    is not ``best``; ``smoothing``: the GCV smoothing parameter per column (0 for ``best``).
    """

    value: float
    raw: float
    evpi: float
    se: float
    low: float
    high: float
    best: int
    choices: npt.NDArray[np.intp]
    smoothing: Array = field(repr=False)

    @property
    def clipped(self) -> bool:
        """Whether the raw estimate lay outside ``[0, evpi]``."""
        return self.raw != self.value

    @property
    def changed(self) -> float:
        """Share of futures in which perfect information would choose another option."""
        return float(np.mean(self.choices != self.best))

    def switches(self) -> Array:
        """Per column, the share of futures in which perfect information chooses it instead
        of ``best`` (0 for ``best``)."""
        counts = np.bincount(self.choices, minlength=len(self.smoothing)).astype(float)
        counts[self.best] = 0.0
        return np.asarray(counts / max(len(self.choices), 1))


def evppi(
    nb: npt.ArrayLike,
    phi: npt.ArrayLike,
    *,
    draws: int = DRAWS,
    seed: int | np.random.SeedSequence = 0,
    segments: int | None = None,
) -> Evppi:
    """EVPPI of the parameter(s) ``phi`` (futures, or futures x parameters) for the net
    benefit table ``nb`` (futures x options), by Strong, Oakley and Brennan's regression
    (module docstring): in the unit of ``nb``.

    One parameter: a P-spline. Two: a tensor-product P-spline (main effects and
    interaction). Three or more: additive P-splines, which miss interactions between them
    and may then underestimate the EVPPI. ``draws``: posterior draws for the interval (0:
    none, NaN interval), seeded by ``seed``; ``segments``: knot intervals per parameter
    (default 12 additive, 7 per margin of a tensor product).
    """
    table = _table(nb)
    params = np.asarray(phi, dtype=float)
    if params.ndim == 1:
        params = params[:, None]
    if params.ndim != 2 or params.shape[0] != table.shape[0]:
        raise UsageError(f"phi: one row per future ({table.shape[0]}) and one column per parameter")
    if not np.isfinite(params).all():
        raise UsageError("phi: every value must be finite")
    if draws < 0:
        raise UsageError(f"draws {draws}: give 0 or more")
    total = evpi(table)
    means = table.mean(axis=0)
    best = int(np.argmax(means))
    others = [d for d in range(table.shape[1]) if d != best]
    # Incremental net benefit against the option best now: its own column is 0 by
    # definition and needs no regression, and a constant added to every option cancels.
    incremental = table[:, others] - table[:, [best]]
    design = _design(params, segments)
    fit = _fit(design, incremental)
    fitted = np.zeros_like(table)
    fitted[:, others] = fit.fitted
    raw = _evppi_of(fitted)
    value = min(max(raw, 0.0), total)
    smoothing = np.zeros(table.shape[1])
    smoothing[others] = fit.smoothing
    se = low = high = float("nan")
    if draws > 0 and others:
        rng = np.random.default_rng(seed)
        sampled = _posterior_evppi(design, fit, fitted, others, draws, rng)
        se = float(sampled.std(ddof=1)) if draws > 1 else 0.0
        low, high = (float(q) for q in np.percentile(sampled, [2.5, 97.5]))
    return Evppi(
        value=value,
        raw=raw,
        evpi=total,
        se=se,
        low=low,
        high=high,
        best=best,
        choices=np.argmax(fitted, axis=1),
        smoothing=smoothing,
    )


@dataclass(frozen=True)
class VoiResult:
    """EVPI and the EVPPI of each assumption group for one run's decision.

    ``table``: one row per group, largest EVPPI first (columns: ``group``,
    ``n_assumptions``, ``evppi``, ``evppi_raw``, ``se``, ``low``, ``high``, ``clipped``,
    ``changed``, ``changed_to``, ``changed_to_share``, ``assumptions``), in percentage
    points; ``switches``: per group, the share of futures switching to each other option;
    ``best_share`` and ``evpi_switches``: the same for perfect information on everything
    (the share of futures whose own best option is ``best``, and the others' shares).
    """

    evpi: float
    best: str
    options: list[str]
    cost_weight: float
    n_futures: int
    table: pd.DataFrame
    switches: dict[str, dict[str, float]]
    other: list[str]
    best_share: float = 0.0
    evpi_switches: dict[str, float] = field(default_factory=dict)

    def records(self) -> list[dict[str, object]]:
        """The table as JSON-ready records, EVPI first (group ``all (EVPI)``)."""
        first: dict[str, object] = {
            "group": "all (EVPI)",
            "n_assumptions": int(self.table["n_assumptions"].sum()),
            "evppi": self.evpi,
            "evppi_raw": self.evpi,
            "se": None,
            "low": None,
            "high": None,
            "clipped": False,
            "changed": 1.0 - self.best_share,
            "changed_to": max(self.evpi_switches, key=self.evpi_switches.__getitem__, default=None),
            "changed_to_share": max(self.evpi_switches.values(), default=0.0),
            "assumptions": [],
        }
        rows = [first]
        for record in self.table.to_dict(orient="records"):
            rows.append({str(k): _plain(v) for k, v in record.items()})
        return rows


def value_of_information(
    futures: pd.DataFrame,
    outcomes: pd.DataFrame,
    *,
    cost_weight: float = 0.0,
    groups: Mapping[str, Sequence[str]] | None = None,
    draws: int = DRAWS,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> VoiResult:
    """EVPI and EVPPI per assumption group of an ensemble's tables (see the module).

    ``futures``: ``future`` and one column per uncertainty; ``outcomes``: the long table
    with ``holds_europe`` (and ``npv_eur_bn`` if ``cost_weight``). ``groups``: group name
    to column names (default: :func:`assumption_groups` of every uncertainty column). Each
    group's interval draws from its own stream, ``SeedSequence(seed, spawn_key=(crc32 of
    the group's name,))``, so a group's numbers do not depend on the other groups.
    """
    if "future" not in futures.columns:
        raise UsageError("futures: no column future")
    ids = futures["future"].to_numpy()
    table, options = net_benefit(outcomes, cost_weight, ids)
    names = [str(c) for c in futures.columns if c != "future"]
    chosen = dict(assumption_groups(names)) if groups is None else dict(groups)
    for group, members in chosen.items():
        unknown = [m for m in members if m not in futures.columns]
        if unknown:
            raise UsageError(f"group {group}: no uncertainty {', '.join(unknown)}")
    total = evpi(table)
    best = int(np.argmax(table.mean(axis=0)))
    # With perfect information on everything, each future's own best option is chosen.
    each = np.bincount(np.argmax(table, axis=1), minlength=len(options)) / len(table)
    best_share = float(each[best])
    evpi_switches = {
        o: float(s)
        for d, (o, s) in enumerate(zip(options, each, strict=True))
        if s > 0 and d != best
    }
    rows: list[dict[str, object]] = []
    switches: dict[str, dict[str, float]] = {}
    for number, (group, members) in enumerate(chosen.items()):
        phi = futures[list(members)].to_numpy(dtype=float)
        stream = np.random.SeedSequence(seed, spawn_key=(zlib.crc32(group.encode()),))
        result = evppi(table, phi, draws=draws, seed=stream)
        shares = result.switches()
        to = int(np.argmax(shares))
        rows.append(
            {
                "group": group,
                "n_assumptions": len(members),
                "evppi": result.value,
                "evppi_raw": result.raw,
                "se": result.se,
                "low": result.low,
                "high": result.high,
                "clipped": result.clipped,
                "changed": result.changed,
                "changed_to": options[to] if shares[to] > 0 else None,
                "changed_to_share": float(shares[to]),
                "assumptions": list(members),
            }
        )
        switches[group] = {options[d]: float(s) for d, s in enumerate(shares) if s > 0}
        if progress is not None:
            progress(number + 1, len(chosen))
    frame = pd.DataFrame(rows, columns=_COLUMNS)
    frame = frame.sort_values("evppi", ascending=False, kind="stable").reset_index(drop=True)
    return VoiResult(
        evpi=total,
        best=options[best],
        options=options,
        cost_weight=cost_weight,
        n_futures=len(table),
        table=frame,
        switches=switches,
        other=list(chosen.get(OTHER, [])) if groups is None else [],
        best_share=best_share,
        evpi_switches=evpi_switches,
    )


def run_voi(
    run: Run,
    cost_weight: float = 0.0,
    *,
    draws: int = DRAWS,
    progress: Callable[[int, int], None] | None = None,
) -> VoiResult:
    """:func:`value_of_information` of a run's futures and outcomes, seeded by its seed."""
    futures, outcomes = run.data()
    return value_of_information(
        futures, outcomes, cost_weight=cost_weight, draws=draws, seed=run.seed, progress=progress
    )


_COLUMNS = [
    "group",
    "n_assumptions",
    "evppi",
    "evppi_raw",
    "se",
    "low",
    "high",
    "clipped",
    "changed",
    "changed_to",
    "changed_to_share",
    "assumptions",
]


def _plain(value: object) -> object:
    """A JSON-ready value: NumPy scalars as Python ones, NaN as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _table(nb: npt.ArrayLike) -> Array:
    table = np.asarray(nb, dtype=float)
    if table.ndim != 2 or table.shape[0] < 2 or table.shape[1] < 1:
        raise UsageError("net benefit: a futures x options table with at least two futures")
    if not np.isfinite(table).all():
        raise UsageError("net benefit: every value must be finite")
    return table


def _evppi_of(fitted: Array) -> float:
    """``mean_i max_d g - max_d mean_i g`` of fitted conditional means (futures x options)."""
    return float(fitted.max(axis=1).mean() - fitted.mean(axis=0).max())


# --- the penalised regression ---------------------------------------------------------


@dataclass(frozen=True)
class _Design:
    """A sparse regression basis without intercept, its column means and its penalty.

    Each term's basis sums to 1 on every row (B-splines, levels): its last column is dropped
    so that the terms and the intercept are not collinear; the penalty annihilates constant
    coefficients, so the penalty of the remaining columns is the same function's.
    """

    basis: sp.csr_array
    means: Array
    penalty: Array

    def dense(self, start: int, stop: int) -> Array:
        """Rows ``start:stop`` of the centred basis as a dense array."""
        rows = self.basis[start:stop].toarray()
        return np.asarray(rows - self.means)

    def gram(self) -> Array:
        """``X'X`` of the centred basis, accumulated block by block to bound memory."""
        size = self.basis.shape[1]
        total = np.zeros((size, size))
        for start in range(0, self.basis.shape[0], _ROWS):
            block = self.dense(start, start + _ROWS)
            total += block.T @ block
        return total

    def t_dot(self, y: Array) -> Array:
        """``X'y`` of the centred basis (``y`` centred: its mean is 0 per column)."""
        return np.asarray(self.basis.T @ y) - np.outer(self.means, y.sum(axis=0))

    def dot(self, coefficients: Array) -> Array:
        """``X b`` of the centred basis."""
        return np.asarray(self.basis @ coefficients) - self.means @ coefficients


def _marginal(values: Array, segments: int) -> tuple[sp.csr_array, Array]:
    """One parameter's basis (rows sum to 1) and its second-difference penalty."""
    levels = np.unique(values)
    if len(levels) <= _LEVELS:
        # Few distinct values (a start year): one level each, smoothed over their order.
        index = np.searchsorted(levels, values)
        rows = np.arange(len(values))
        basis = sp.csr_array(
            (np.ones(len(values)), (rows, index)), shape=(len(values), len(levels))
        )
        return basis, _difference_penalty(len(levels))
    # Knots equally spaced in the parameter's ranks, not its values: conditioning on a
    # parameter is conditioning on any increasing function of it, and in ranks the knots
    # follow the futures (dense where a normal or skewed draw is dense).
    values = (scipy.stats.rankdata(values) - 0.5) / len(values)
    low, high = 0.0, 1.0
    step = (high - low) / segments
    knots = low + step * np.arange(-3, segments + 4)
    # Rounding may put the largest value a hair beyond the last interior knot.
    inside = np.clip(values, knots[3], knots[-4])
    basis = sp.csr_array(BSpline.design_matrix(inside, knots, 3))
    return basis, _difference_penalty(segments + 3)


def _difference_penalty(size: int) -> Array:
    if size < 3:
        return np.zeros((size, size))
    difference = np.diff(np.eye(size), n=2, axis=0)
    return np.asarray(difference.T @ difference)


def _tensor(
    first: tuple[sp.csr_array, Array], second: tuple[sp.csr_array, Array]
) -> tuple[sp.csr_array, Array]:
    """The row-wise Kronecker product of two bases and its penalty ``P1 x I + I x P2``."""
    (left, p_left), (right, p_right) = first, second
    n, m_left = left.shape
    m_right = right.shape[1]
    left_c, right_c = left.tocoo(), right.tocoo()
    left_rows = _row_entries(left_c, n)
    right_rows = _row_entries(right_c, n)
    rows, cols, vals = [], [], []
    for a_cols, a_vals in left_rows:
        for b_cols, b_vals in right_rows:
            rows.append(np.arange(n))
            cols.append(a_cols * m_right + b_cols)
            vals.append(a_vals * b_vals)
    basis = sp.csr_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n, m_left * m_right),
    )
    penalty = np.kron(p_left, np.eye(m_right)) + np.kron(np.eye(m_left), p_right)
    return basis, penalty


def _row_entries(matrix: sp.coo_array, n: int) -> list[tuple[npt.NDArray[np.intp], Array]]:
    """A basis with the same number of entries on every row, as that many (column, value)
    arrays of one entry per row."""
    order = np.lexsort((matrix.col, matrix.row))
    per_row = len(order) // n
    if per_row * n != len(order):
        raise AssertionError("a basis row with an unusual number of entries")
    cols = matrix.col[order].reshape(n, per_row)
    vals = matrix.data[order].reshape(n, per_row)
    return [(cols[:, j].astype(np.intp), vals[:, j]) for j in range(per_row)]


def _design(params: Array, segments: int | None) -> _Design:
    n, count = params.shape
    if count == 2:
        each = _TENSOR_SEGMENTS if segments is None else segments
        terms = [_tensor(_marginal(params[:, 0], each), _marginal(params[:, 1], each))]
    else:
        each = _SEGMENTS if segments is None else segments
        terms = [_marginal(params[:, j], each) for j in range(count)]
    bases = [basis[:, :-1] for basis, _ in terms]
    penalties = [penalty[:-1, :-1] for _, penalty in terms]
    basis = sp.csr_array(sp.hstack(bases, format="csr"))
    means = np.asarray(basis.sum(axis=0)).ravel() / n
    return _Design(basis, means, np.asarray(scipy.linalg.block_diag(*penalties)))


@dataclass(frozen=True)
class _Fit:
    """Per output column: fitted values, smoothing parameter, residual scale, and the
    shrinkage factors and coordinates the posterior draws need."""

    fitted: Array  # futures x outputs, with the outputs' means added back
    smoothing: Array
    sigma: Array
    shrink: Array  # parameters x outputs: 1 / (1 + lambda w)
    vectors: Array  # the Demmler-Reinsch basis: V'(X'X)V = I, V'PV = diag(w)


def _fit(design: _Design, y: Array) -> _Fit:
    """Fit each column of ``y`` on the design, smoothing chosen by GCV per column.

    With ``V'(X'X)V = I`` and ``V'PV = diag(w)`` the coefficients for smoothing ``lambda``
    are ``V diag(1/(1 + lambda w)) z`` with ``z = V'X'y``: the residual sum of squares and the
    effective degrees of freedom of every candidate follow from ``z`` and ``w`` alone.
    """
    n = y.shape[0]
    means = y.mean(axis=0)
    centred = y - means
    gram = design.gram()
    # A direction the futures do not inform (a parameter value never sampled) would make
    # X'X singular; a ridge far below the data's scale leaves the fit to the penalty there.
    ridge = 1e-10 * max(float(np.max(np.diag(gram), initial=0.0)), 1.0)
    w, vectors = scipy.linalg.eigh(design.penalty, gram + ridge * np.eye(len(gram)))
    w = np.maximum(w, 0.0)
    z = vectors.T @ design.t_dot(centred)  # parameters x outputs
    total = np.einsum("ij,ij->j", centred, centred)
    positive = w[w > 1e-12 * max(float(w.max(initial=0.0)), 1e-300)]
    scale = 1.0 / float(np.median(positive)) if len(positive) else 1.0
    lambdas = _GRID * scale
    factors = 1.0 / (1.0 + lambdas[:, None] * w[None, :])  # grid x parameters
    squares = z * z
    rss = total[None, :] - 2.0 * factors @ squares + (factors * factors) @ squares
    rss = np.maximum(rss, 0.0)
    dof = factors.sum(axis=1)
    room = n - dof
    with np.errstate(divide="ignore", invalid="ignore"):
        gcv = np.where(room[:, None] > 0, n * rss / room[:, None] ** 2, np.inf)
    chosen = np.argmin(gcv, axis=0)
    shrink = factors[chosen].T  # parameters x outputs
    coefficients = vectors @ (shrink * z)
    fitted = design.dot(coefficients) + means
    residual = rss[chosen, np.arange(y.shape[1])]
    sigma = np.sqrt(residual / np.maximum(room[chosen], 1.0))
    return _Fit(fitted, lambdas[chosen], sigma, shrink, vectors)


def _posterior_evppi(
    design: _Design,
    fit: _Fit,
    fitted: Array,
    others: Sequence[int],
    draws: int,
    rng: np.random.Generator,
) -> Array:
    """The EVPPI over ``draws`` draws of the coefficients from ``N(b, sigma^2 (X'X +
    lambda P)^-1)`` (Strong et al.'s standard error), ``(X'X + lambda P)^-1`` being
    ``V diag(1/(1 + lambda w)) V'``.

    One pass over the futures, block by block: each block's fitted values under every draw
    are summed into the two means the EVPPI needs and then dropped.
    """
    n = fitted.shape[0]
    size, outputs = len(fit.vectors), len(others)
    noise = rng.standard_normal((outputs, size, draws))
    scaled = np.sqrt(fit.shrink.T)[:, :, None] * noise * fit.sigma[:, None, None]
    # Coefficient shifts: parameters x (outputs * draws).
    deltas = np.einsum("pk,okc->poc", fit.vectors, scaled).reshape(size, -1)
    base = fitted[:, others]
    # The option best now has incremental value 0 in every draw: only the others vary.
    best_each = np.zeros(draws)  # sum over futures of max(0, best other option), per draw
    column_sums = np.zeros((outputs, draws))  # sum over futures per other option, per draw
    rows = max(256, min(_ROWS, 2_000_000 // max(outputs * draws, 1)))
    for start in range(0, n, rows):
        block = design.dense(start, start + rows)
        sampled = (block @ deltas).reshape(len(block), outputs, draws)
        sampled += base[start : start + rows, :, None]
        best_each += np.maximum(sampled.max(axis=1), 0.0).sum(axis=0)
        column_sums += sampled.sum(axis=0)
    return np.asarray(best_each / n - np.maximum((column_sums / n).max(axis=0), 0.0))
