"""Charts render without a display and without warnings (pytest turns warnings into errors)."""

from __future__ import annotations

from pathlib import Path

from scripts.harness import charts
from scripts.harness.build import analyze_run
from tests.harness._factory import base_meta, make_run

PNG = b"\x89PNG\r\n\x1a\n"


def test_a_run_without_any_request_still_charts(tmp_path: Path) -> None:
    run_dir = make_run(
        tmp_path,
        meta=base_meta(),
        steps=[(10, 1000, 1030), (20, 1030, 1060)],
        sample_files=[[]],
        resources=[],
    )
    summary, timeline = analyze_run(run_dir)
    assert [s["avg_ms"] for s in summary["steps"]] == [None, None]
    for png in (
        charts.latency_chart(summary),
        charts.rps_chart(summary),
        charts.timeline_chart(timeline, summary),
        charts.comparison_latency_chart([("a", summary), ("b", summary)]),
        charts.comparison_rps_chart([("a", summary)]),
    ):
        assert png.startswith(PNG)
