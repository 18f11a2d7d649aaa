"""Report files of repeated trials: one configuration's aggregate, and a comparison of several.

`write_aggregate` is what a TRIALS=N loop calls once per configuration after its trials
are sealed; `trials_comparison` renders the side-by-side view for whoever writes the
comparison report. aggregate.json is written last, so a folder holding it is finished.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from infra.appservers import APP_SPECS
from scripts.harness.errors import HarnessError
from scripts.harness.results import atomic_write
from scripts.harness.trial_charts import headline_chart, trials_latency_chart, trials_rps_chart
from scripts.harness.trial_markdown import (
    AggregateView,
    aggregate_markdown,
    aggregates_side_by_side,
)
from scripts.harness.trials import AGGREGATE_FILE, Aggregate, aggregate_runs, dumps


def default_label(aggregate: Aggregate) -> str:
    """ "Django", or "Django (conn_max_age=0)" for a variant."""
    spec = APP_SPECS.get(aggregate["app"])
    app = spec.title if spec is not None else aggregate["app"]
    return f"{app} ({aggregate['variant']})" if aggregate["variant"] else app


def write_aggregate(
    trial_dirs: Sequence[Path],
    out_dir: Path,
    *,
    schedule: Sequence[str] | None = None,
    label: str | None = None,
    folder: str | None = None,
) -> Aggregate:
    """Aggregate complete trial runs into `out_dir`: aggregate.json, aggregate.md, 3 charts.

    `schedule` is the session's run order across apps (folder names), recorded as the
    interleaving; `folder` is how aggregate.md names `out_dir` (default: its path).
    Refuses an `out_dir` that already holds an aggregate: results are never rewritten.
    """
    aggregate = aggregate_runs(trial_dirs, schedule=schedule)
    if (out_dir / AGGREGATE_FILE).exists():
        raise HarnessError(
            f"{out_dir}: already holds {AGGREGATE_FILE}; results are never rewritten"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    view = AggregateView(label or default_label(aggregate), folder or out_dir.as_posix(), aggregate)
    pair = [(view.label, aggregate)]
    files: dict[str, str | bytes] = {
        "aggregate-rps.png": trials_rps_chart(pair),
        "aggregate-latency.png": trials_latency_chart(pair),
        "aggregate-headline.png": headline_chart(pair),
    }
    files["aggregate.md"] = aggregate_markdown(
        view,
        charts=[
            ("throughput per step", "aggregate-rps.png"),
            ("latency per step", "aggregate-latency.png"),
            ("most req/s within the SLO", "aggregate-headline.png"),
        ],
    )
    for name, data in files.items():
        atomic_write(out_dir / name, data)
    atomic_write(out_dir / AGGREGATE_FILE, dumps(aggregate))
    return aggregate


def trials_comparison(
    views: Sequence[AggregateView], *, title: str, chart_stem: str, image_prefix: str = ""
) -> tuple[str, dict[str, bytes]]:
    """The side-by-side Markdown and its charts as {file name: PNG}, for the caller to write.

    Raises HarnessError when the configurations differ in method.
    """
    pairs = [(view.label, view.aggregate) for view in views]
    charts = {
        f"{chart_stem}-rps.png": trials_rps_chart(pairs),
        f"{chart_stem}-latency.png": trials_latency_chart(pairs),
        f"{chart_stem}-headline.png": headline_chart(pairs),
    }
    alt = ("throughput per step", "latency per step", "most req/s within the SLO")
    text = aggregates_side_by_side(
        views,
        title=title,
        charts=[(a, f"{image_prefix}{name}") for a, name in zip(alt, charts, strict=True)],
    )
    return text, charts
