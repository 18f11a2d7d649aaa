from __future__ import annotations

import pytest

from scripts.harness.interval import describe
from scripts.harness.summary import Summary
from scripts.harness.trial_markdown import (
    AggregateView,
    aggregate_markdown,
    aggregates_side_by_side,
    interval_cell,
    spread_cell,
    target_sentence,
)
from scripts.harness.trials import Aggregate, build_aggregate
from tests.harness._trial_factory import base_summary, make_trial

SCHEDULE = ["d1", "f1", "d2", "f2", "d3", "f3"]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Summary:
    return base_summary(tmp_path_factory.mktemp("template"))


def django(template: Summary) -> Aggregate:
    return build_aggregate(
        [
            make_trial(
                template,
                "d1",
                {40: (70.0, 20.0, 50.0), 60: (100.0, 150.0, 180.0)},
                knee_avg=60,
                knee_p95=60,
            ),
            make_trial(template, "d2", {40: (72.0, 22.0, 55.0)}),
            make_trial(
                template,
                "d3",
                {40: (74.0, 24.0, 60.0), 60: (96.0, 200.0, 300.0)},
                knee_avg=60,
                knee_p95=60,
            ),
        ],
        schedule=SCHEDULE,
    )


def fastapi(template: Summary) -> Aggregate:
    return build_aggregate(
        [
            make_trial(
                template, f"f{i}", {40: (r, 10.0, 30.0), 60: (r * 1.5, 15.0, 40.0)}, app="fastapi"
            )
            for i, r in ((1, 76.0), (2, 78.0), (3, 77.0))
        ],
        schedule=SCHEDULE,
    )


def test_cells_show_median_interval_spread_and_partial_counts() -> None:
    three = describe([230.0, 250.0, 240.0])
    assert interval_cell(three) == "240.0 (215.2 to 264.8)"
    assert interval_cell(three, digits=0, of=4) == "240 (215 to 265) [n=3]"
    assert spread_cell(three) == "230.0 to 250.0"
    assert interval_cell(describe([1234.5])) == "1,234.5 (one trial)"
    assert interval_cell(describe([None])) == spread_cell(describe([None])) == "-"
    assert interval_cell(describe([-5.0, 5.0])) == "0.0 (0.0 to 63.5)"
    # A share of the requests (late starts %) is shown up to its ceiling.
    assert interval_cell(describe([0.0, 2.0, 100.0]), upper=100.0) == "2.0 (0.0 to 100.0)"


def test_target_sentence_says_met_not_met_or_cannot_tell() -> None:
    assert target_sentence(describe([240.0, 240.5, 239.5])) == (
        "the interval is within ±5 % of the median (±0.5 %)"
    )
    assert target_sentence(describe([230.0, 250.0, 240.0])) == (
        "the interval reaches ±10.4 % of the median, not within ±5 % of the median; "
        "at this spread about 6 trials would bring it there"
    )
    assert target_sentence(describe([50.0, 150.0]), 0.01).endswith(
        "more than 100 trials would be needed"
    )
    assert target_sentence(describe([240.0])) == (
        "one trial: no interval, so not yet within ±5 % of the median"
    )


def test_aggregate_markdown_of_one_configuration(template: Summary) -> None:
    text = aggregate_markdown(
        AggregateView("Django", "results/agg-django", django(template)),
        charts=[("throughput", "aggregate-rps.png")],
    )
    lines = text.splitlines()
    assert lines[0] == "# Django: 3 trials"
    assert lines[2].startswith("Think time 1 s per user after each request")
    assert lines[4].startswith("Each figure is the median over trials, then in brackets")
    # 70, 72, 74: sd 2, half width t(0.975, 2) * 2 / sqrt(3) = 4.97
    assert "| most req/s within the SLO | 3 | 72.0 (67.0 to 77.0) | 70.0 to 74.0 |" in lines
    assert "| knee by the average (users) | 2 of 3 | 60 (60 to 60) | 60 to 60 |" in lines
    assert (
        "Target for the most req/s within the SLO: the interval reaches ±6.9 % of the median, "
        "not within ±5 % of the median; at this spread about 4 trials would bring it there."
    ) in lines
    assert (
        "| 60 | 2 of 3 | 98.0 (72.6 to 123.4) | 96.0 to 100.0 | 175.0 (0.0 to 492.7) "
        "| 150.0 to 200.0 | 240.0 (0.0 to 1,002.4) | 180.0 to 300.0 | 250.0 | 51 |"
    ) in lines
    assert "- Django: in 1 of 3 trials the average never exceeded the SLO within the ramp." in lines
    assert (
        "- Django at 60 users: 2 of 3 trials counted; not reached by d2 (so its figures favour "
        "the trials that went further)."
    ) in lines
    assert "- Django: `results/agg-django`, from the runs `d1`, `d2`, `d3`" in lines
    assert "- Machine: Test CPU 3000, 2 logical cores, 4096 MB RAM, Linux 6.1, x86_64" in lines
    assert lines[-1] == "![throughput](aggregate-rps.png)"
    assert "\n\n\n" not in text


def test_side_by_side_shows_intervals_verdicts_and_the_interleaving(template: Summary) -> None:
    text = aggregates_side_by_side(
        [
            AggregateView("Django", "results/agg-d", django(template)),
            AggregateView("FastAPI", "results/agg-f", fastapi(template)),
        ],
        title="Django vs FastAPI, 3 trials each",
        charts=[("latency", "trials-latency.png")],
    )
    lines = text.splitlines()
    assert lines[0] == "### Django vs FastAPI, 3 trials each"
    assert lines[4].endswith(
        "Trials ran interleaved, places in the run order: Django at 1, 3, 5; FastAPI at 2, 4, 6."
    )
    assert lines[6].startswith("| configuration | trials | most req/s within SLO (95 % CI) |")
    assert lines[7] == "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    assert lines[8] == (
        "| Django | 3 | 72.0 (67.0 to 77.0) | 70.0 to 74.0 | ±6.9 % | 60 (60 to 60) [n=2] "
        "| 60 (60 to 60) [n=2] |"
    )
    assert lines[9].startswith("| FastAPI | 3 | 115.5 (111.8 to 119.2) | 114.0 to 117.0 |")
    assert lines[11].startswith(
        "- FastAPI's most req/s within the SLO is 60.4 % higher than Django's"
    )
    assert lines[11].endswith("the difference is larger than the noise.")
    assert lines[13] == (
        "| users | Django req/s | FastAPI req/s | Django avg ms | FastAPI avg ms "
        "| Django p95 ms | FastAPI p95 ms |"
    )
    assert lines[16].startswith("| 60 | 98.0 (72.6 to 123.4) [n=2] | 115.5 (111.8 to 119.2) |")
    assert "- FastAPI: `results/agg-f`, from the runs `f1`, `f2`, `f3`" in lines
    assert lines[-1] == "![latency](trials-latency.png)"
