from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

import pytest
from scipy import stats

from scripts.harness.errors import HarnessError
from scripts.harness.summary import Summary
from scripts.harness.trials import Aggregate, build_aggregate
from scripts.harness.verdict import verdict, verdicts
from tests.harness._trial_factory import base_summary, make_trial


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Summary:
    return base_summary(tmp_path_factory.mktemp("template"))


def configuration(
    template: Summary, app: str, best: Sequence[float | None], **meta: object
) -> Aggregate:
    """An aggregate whose trials' most req/s within the SLO are `best`."""
    return build_aggregate(
        [
            make_trial(
                template, f"{app}-{i}", {40: (70.0, 20.0, 50.0)}, app=app, best=value, meta=meta
            )
            for i, value in enumerate(best)
        ]
    )


def test_a_clear_difference_is_larger_than_the_noise(template: Summary) -> None:
    django = configuration(template, "django", [155.9, 162.6, 158.0])
    fastapi = configuration(template, "fastapi", [233.7, 249.0, 240.1])
    result = verdict(("FastAPI", fastapi), ("Django", django))
    assert result.larger_than_noise is True
    assert result.trials_needed is None
    assert result.ratio == pytest.approx(
        statistics.geometric_mean([233.7, 249.0, 240.1])
        / statistics.geometric_mean([155.9, 162.6, 158.0])
    )
    welch = stats.ttest_ind(
        [math.log(v) for v in (233.7, 249.0, 240.1)],
        [math.log(v) for v in (155.9, 162.6, 158.0)],
        equal_var=False,
    )
    low, high = (math.exp(x) for x in welch.confidence_interval(0.95))
    assert (round(low, 3), round(high, 3)) == (1.421, 1.619)
    assert result.sentence == (
        "FastAPI's most req/s within the SLO is 51.7 % higher than Django's (medians 240.1 "
        "and 158.0, 3 trials each; 95 % CI +42.1 % to +61.9 %); the difference is larger "
        "than the noise."
    )


def test_overlapping_trials_are_within_the_noise_and_say_what_it_would_take(
    template: Summary,
) -> None:
    django = configuration(template, "django", [152.0, 158.0, 149.0])
    fastapi = configuration(template, "fastapi", [150.0, 160.0, 155.0])
    result = verdict(("FastAPI", fastapi), ("Django", django))
    assert result.larger_than_noise is False
    assert result.low is not None and result.high is not None
    assert result.low < 1 < result.high
    assert result.trials_needed is not None and result.trials_needed > 3
    assert result.sentence.startswith(
        "FastAPI's most req/s within the SLO is 1.3 % higher than Django's (medians 155.0 and "
        "152.0, 3 trials each; 95 % CI -5.6 % to +8.7 %); within the noise: the interval "
        "includes no difference; if the spread and the difference stayed as observed, about "
    )
    assert result.sentence.endswith(f"about {result.trials_needed} trials of each would tell.")


def test_a_lower_figure_is_said_to_be_lower(template: Summary) -> None:
    django = configuration(template, "django", [100.0, 101.0])
    fastapi = configuration(template, "fastapi", [150.0, 151.0])
    result = verdict(("Django", django), ("FastAPI", fastapi))
    assert "Django's most req/s within the SLO is 33.2 % lower than FastAPI's" in result.sentence
    assert "2 trials each" in result.sentence
    assert result.larger_than_noise is True


def test_one_trial_gives_no_interval(template: Summary) -> None:
    django = configuration(template, "django", [158.0])
    fastapi = configuration(template, "fastapi", [240.0, 236.0, 244.0])
    result = verdict(("FastAPI", fastapi), ("Django", django))
    assert (result.larger_than_noise, result.low, result.high) == (None, None, None)
    assert result.sentence == (
        "FastAPI's most req/s within the SLO is 51.9 % higher than Django's (medians 240.0 and "
        "158.0, 3 and 1 trials; one trial of Django: no interval); whether the difference is "
        "larger than the noise needs at least 2 trials of each, 3 or more to be useful."
    )


def test_one_trial_each(template: Summary) -> None:
    django = configuration(template, "django", [100.0])
    fastapi = configuration(template, "fastapi", [100.0])
    assert verdict(("FastAPI", fastapi), ("Django", django)).sentence.startswith(
        "FastAPI's most req/s within the SLO is the same as Django's (medians 100.0 and 100.0, "
        "1 trial each; one trial each: no interval); whether"
    )


def test_identical_trials_on_each_side(template: Summary) -> None:
    a = configuration(template, "fastapi", [200.0, 200.0])
    b = configuration(template, "django", [100.0, 100.0])
    assert verdict(("A", a), ("B", b)).sentence.endswith(
        "2 trials each; no spread at all across trials); the difference is larger than the "
        "noise (none was seen)."
    )
    same = verdict(("A", b), ("B", b))
    assert same.larger_than_noise is False
    assert "is the same as B's" in same.sentence
    assert same.sentence.endswith("no difference was seen.")


def test_trials_without_a_figure_are_left_out_and_said_so(template: Summary) -> None:
    django = configuration(template, "django", [155.9, None, 162.6, 158.0])
    fastapi = configuration(template, "fastapi", [233.7, 249.0, 240.1])
    result = verdict(("FastAPI", fastapi), ("Django", django))
    assert (result.n_a, result.n_b) == (3, 3)
    assert result.sentence.endswith(
        "larger than the noise. In 1 of 4 Django trials no valid step was within the SLO; "
        "they are left out of this comparison."
    )
    nothing = configuration(template, "django", [None, None])
    assert verdict(("FastAPI", fastapi), ("Django", nothing)).sentence == (
        "No comparison of the most req/s within the SLO: in every Django trial no valid step "
        "was within the SLO."
    )


def test_configurations_that_differ_in_method_are_refused(template: Summary) -> None:
    django = configuration(template, "django", [150.0, 151.0])
    slower = configuration(template, "fastapi", [150.0, 151.0], think={"text": "0.5"})
    with pytest.raises(HarnessError, match=r"FastAPI and Django differ in method.*think: "):
        verdict(("FastAPI", slower), ("Django", django))


def test_other_headline_figures_and_several_configurations(template: Summary) -> None:
    django = configuration(template, "django", [150.0, 151.0])
    fastapi = configuration(template, "fastapi", [200.0, 210.0])
    zero = configuration(template, "django", [100.0, 105.0])
    results = verdicts([("Django", django), ("FastAPI", fastapi), ("Zero", zero)])
    assert [(v.label_a, v.label_b) for v in results] == [("FastAPI", "Django"), ("Zero", "Django")]
    users = verdict(("FastAPI", fastapi), ("Django", django), figure="max_rps_within_slo_users")
    assert users.sentence.startswith(
        "FastAPI's users at the most req/s within the SLO is the same as Django's"
    )
    with pytest.raises(HarnessError, match="no headline figure 'p95'"):
        verdict(("FastAPI", fastapi), ("Django", django), figure="p95")
