"""Whether a finished run failed: a run that measured nothing but errors is not a result."""

from __future__ import annotations

from scripts.harness.summary import Summary

# A step where more than this share of the requests failed measured errors, not a service.
FAILED_STEP_RATIO = 0.5


def failure_reason(summary: Summary) -> str | None:
    """Why the run failed, or None when it measured something.

    Failed: no login succeeded; or no request of any step succeeded; or in every step more
    than FAILED_STEP_RATIO of the requests failed.
    """
    login = summary["login"]
    if login["requests"] > 0 and login["failures"] == login["requests"]:
        return f"all {login['requests']} logins failed"
    steps = summary["steps"]
    if not steps or all(s["requests"] == s["failures"] for s in steps):
        return "no request succeeded in any step"
    if all(s["fail_ratio"] > FAILED_STEP_RATIO for s in steps):
        worst = min(s["fail_ratio"] for s in steps)
        return (
            f"more than {FAILED_STEP_RATIO:.0%} of the requests failed in every step "
            f"(at least {worst:.0%})"
        )
    return None
