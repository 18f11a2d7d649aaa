"""Where the app's CPU goes, in Markdown: a run's summary.md section; apps side by side."""

from __future__ import annotations

from collections.abc import Mapping

from scripts.harness.fmt import DASH, num
from scripts.harness.layers import LAYERS, LayerRow, ProfileSummary

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


def layers_side_by_side(profiles: Mapping[str, ProfileSummary]) -> list[str]:
    """One table for several apps (README, matrix): per layer, CPU ms per request and share.

    A cell is "ms (share)", or the share alone when the app's CPU per request is unknown;
    an app without a table (its profile failed) shows a dash in every row.
    """
    header = ("layer", *profiles)
    rows = []
    for key, label in LAYERS:
        cells = [label]
        for profile in profiles.values():
            row = next((r for r in profile["layers"] if r["layer"] == key), None)
            cells.append(_cell(row))
        rows.append(tuple(cells))
    totals = [num(_total_ms(p), 2) if p["layers"] else DASH for p in profiles.values()]
    rows.append(("total", *totals))
    return [_row(header), _row(("---", *("---:" for _ in profiles))), *(_row(r) for r in rows)]


def _cell(row: LayerRow | None) -> str:
    if row is None:
        return DASH
    share = f"{row['share_pct']:.0f} %"
    ms = row["cpu_ms_per_request"]
    return share if ms is None else f"{num(ms, 2)} ({share})"
