"""summary.md's "Where the app's CPU goes": the layer table of the profiled step."""

from __future__ import annotations

from scripts.harness.fmt import num
from scripts.harness.layers import ProfileSummary

TITLE = "## Where the app's CPU goes"


def profile_markdown(profile: ProfileSummary) -> list[str]:
    """The section's lines: how the profile was taken, the table per layer, and its files."""
    if profile["problem"] is not None:
        return [TITLE, "", f"No profile: {profile['problem']}."]
    step = f"the {profile['users']}-user step" if profile["users"] is not None else "one step"
    lines = [
        TITLE,
        "",
        f"{profile['method']} sampled {_processes(profile['processes'])} "
        f"{profile['rate_hz']} times a second for {num(profile['seconds'], 0)} s of {step}: "
        f"{profile['samples']:,} samples, each a worker holding the GIL (running Python, or C "
        "code called from it). Waiting on the "
        "database or the network is not counted. A sample belongs to the layer of its "
        "innermost frame in a known package; standard-library frames count for their caller.",
        "",
        *_table(profile),
    ]
    per_request = _total_ms(profile)
    if per_request is not None:
        lines += [
            "",
            "CPU ms per request spreads the step's app CPU per request "
            f"({num(per_request, 2)} ms) over the layers by their share of the samples.",
        ]
    files = profile["files"]
    shown = [
        f"flame graph of one worker [{files['flamegraph']}]({files['flamegraph']})"
        if "flamegraph" in files
        else None,
        f"speedscope profile `{files['speedscope']}`" if "speedscope" in files else None,
        f"collapsed stacks `{files['collapsed']}`" if "collapsed" in files else None,
    ]
    listed = [text for text in shown if text is not None]
    if listed:
        lines += ["", "Files: " + "; ".join(listed) + "."]
    return lines


def _processes(count: int) -> str:
    return "the app's process" if count == 1 else f"the app's {count} worker processes"


def _table(profile: ProfileSummary) -> list[str]:
    rows = [
        (
            row["label"],
            f"{row['samples']:,}",
            f"{row['share_pct']:.1f} %",
            num(row["cpu_ms_per_request"], 2),
        )
        for row in profile["layers"]
    ]
    rows.append(("total", f"{profile['samples']:,}", "100 %", num(_total_ms(profile), 2)))
    header = ("layer", "samples", "share", "CPU ms per request")
    return [
        _row(header),
        _row(("---", "---:", "---:", "---:")),
        *(_row(row) for row in rows),
    ]


def _total_ms(profile: ProfileSummary) -> float | None:
    values = [row["cpu_ms_per_request"] for row in profile["layers"]]
    if not values or any(v is None for v in values):
        return None
    return sum(v for v in values if v is not None)


def _row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(cells) + " |"
