"""Compare two runs: the metadata that differ and the mean of every outcome per option."""

from __future__ import annotations

from collections.abc import Mapping

from umbrella.store.records import METADATA, FieldChange, OutcomeChange, RunDiff, RunRecord

__all__ = ["compare_runs"]


def compare_runs(
    a: RunRecord,
    b: RunRecord,
    means_a: Mapping[tuple[str, str], float | None],
    means_b: Mapping[tuple[str, str], float | None],
) -> RunDiff:
    """Diff two run records and their outcome means (keyed by (option, outcome)).

    Options come in run ``a``'s order, then those only ``b`` has; outcomes in the order
    the files hold them. ``difference`` is ``mean_b - mean_a`` (None if either is None).

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> base = dict(status="complete", scenario_name="s", scenario_hash="h", data_version="d",
    ...             n_samples=10, chunk_size=10, sampler="lhs", package_version="0.1.0",
    ...             options=("a",), uncertainties=("x",), started_at=datetime.now(UTC),
    ...             finished_at=None, pid=1, hostname="h", reason=None, chunks_done=1,
    ...             futures_done=10)
    >>> first = RunRecord(run_id="1", seed=1, **base)
    >>> second = RunRecord(run_id="2", seed=2, **base)
    >>> diff = compare_runs(first, second, {("a", "cost"): 1.0}, {("a", "cost"): 1.5})
    >>> diff["metadata"]
    {'seed': {'a': 1, 'b': 2}}
    >>> diff["outcomes"][0]["difference"]
    0.5
    """
    metadata: dict[str, FieldChange] = {}
    for name in METADATA:
        value_a, value_b = getattr(a, name), getattr(b, name)
        if value_a != value_b:
            metadata[name] = FieldChange(a=_plain(value_a), b=_plain(value_b))
    options = list(a.options) + [o for o in b.options if o not in a.options]
    for option, _ in [*means_a, *means_b]:
        if option not in options:
            options.append(option)
    outcomes = list(dict.fromkeys(name for _, name in [*means_a, *means_b]))
    changes: list[OutcomeChange] = []
    for option in options:
        for outcome in outcomes:
            key = (option, outcome)
            if key not in means_a and key not in means_b:
                continue
            mean_a, mean_b = means_a.get(key), means_b.get(key)
            difference = None if mean_a is None or mean_b is None else mean_b - mean_a
            changes.append(
                OutcomeChange(
                    option=option,
                    outcome=outcome,
                    mean_a=mean_a,
                    mean_b=mean_b,
                    difference=difference,
                )
            )
    return RunDiff(a=a.run_id, b=b.run_id, metadata=metadata, outcomes=changes)


def _plain(value: object) -> object:
    """Tuples as lists, so that a diff prints and serialises as JSON plainly."""
    return list(value) if isinstance(value, tuple) else value
