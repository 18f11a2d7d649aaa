"""`make report`: README's results section and results/comparison.md, from sessions.

Each section is the newest complete session of one name (bench, bench-django-conn_max_age-0,
bench-auto-ramp, matrix, ...), its apps side by side with medians and intervals; Django's
CONN_MAX_AGE=0 session is also set against the default Django. Whatever cannot be shown
(an incomplete or failed session, a single run from before sessions, too few trials for
the README, two sessions measured differently) is skipped with one line naming why;
it never blocks the rest.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from scripts.harness.compare import comparability_differences
from scripts.harness.errors import HarnessError
from scripts.harness.findings import closed_loop_bullets, matrix_bullets, open_loop_bullets
from scripts.harness.matrix import load_trials, matrix_lines
from scripts.harness.readme import replace_section
from scripts.harness.results import FAILED, INCOMPLETE, atomic_write
from scripts.harness.session_report import SESSION_FILE, load_session, session_views
from scripts.harness.trial_files import trials_comparison
from scripts.harness.trial_markdown import AggregateView

# The README's tables come from sessions with at least this many trials of every app.
MIN_README_TRIALS = 3
CONN_MAX_AGE_0 = "conn_max_age=0"
_STAMP = re.compile(r"([0-9]{8}T[0-9]{6}Z)-(.+)")


@dataclass(frozen=True)
class Section:
    title: str
    views: list[AggregateView]
    stem: str  # chart file names: <stem>-rps.png, ...
    min_trials: int
    extra: list[str] = field(default_factory=list)  # lines after the table (the matrix)
    findings: list[str] = field(default_factory=list)  # generated sentences, one a bullet


@dataclass
class Report:
    sections: list[Section] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def newest_sessions(results_dir: Path) -> tuple[dict[str, Path], list[str]]:
    """The newest complete session of each name, and one line per folder left out."""
    if not results_dir.is_dir():
        raise HarnessError(f"{results_dir}: not a folder")
    newest: dict[str, Path] = {}
    skipped = []
    for folder in sorted(p for p in results_dir.iterdir() if p.is_dir()):
        match = _STAMP.fullmatch(folder.name)
        if match is None:
            continue
        where = f"{results_dir.name}/{folder.name}"
        if not (folder / SESSION_FILE).is_file():
            skipped.append(f"{where}: a single run from before sessions; not shown")
        elif (folder / FAILED).exists():
            skipped.append(f"{where}: a failed session; never shown")
        elif (folder / INCOMPLETE).exists():
            skipped.append(f"{where}: incomplete (interrupted or still running); not shown")
        else:
            if match.group(2) in newest:
                older = newest[match.group(2)].name
                skipped.append(f"{results_dir.name}/{older}: a newer {match.group(2)} session")
            newest[match.group(2)] = folder
    return newest, skipped


def build_report(results_dir: Path, *, prefix: str) -> Report:
    """Every section that can be shown; `prefix` is how the report names results_dir."""
    newest, skipped = newest_sessions(results_dir)
    report = Report(skipped=skipped)
    for name in sorted(newest, key=_section_order):
        folder = newest[name]
        try:
            views = session_views(folder, prefix=prefix)
            trials = min(len(view.aggregate["trials"]) for view in views)
        except HarnessError as exc:
            report.skipped.append(f"{prefix}{folder.name}: {exc}")
            continue
        title = " vs ".join(view.label for view in views)
        if name not in ("bench", *(f"bench-{v.aggregate['app']}" for v in views)):
            title += f" (`{name}`)"
        extra: list[str] = []
        if load_session(folder).get("kind") == "matrix":
            apps = load_trials(folder, views)
            extra = ["", "#### Every app against the floor", "", *matrix_lines(apps)]
            found = matrix_bullets(apps)
        elif views[0].aggregate.get("open_loop"):
            found = open_loop_bullets(views)
        else:
            found = closed_loop_bullets(views)
        report.sections.append(Section(title, views, _stem(name), trials, extra, found))
    _add_conn_max_age(report)
    return report


def write_report(*, results_dir: Path, readme: Path | None) -> tuple[list[Path], list[str]]:
    """comparison.md (every section) and, unless `readme` is None, README's section (the
    sections with MIN_README_TRIALS or more); returns the files written and the skip lines."""
    report = build_report(results_dir, prefix=f"{results_dir.name}/")
    written = []
    texts = []
    for section in report.sections:
        text, charts = trials_comparison(
            section.views, title=section.title, chart_stem=section.stem
        )
        texts.append((section, text + "\n".join(section.extra) + ("\n" if section.extra else "")))
        for name, png in charts.items():
            atomic_write(results_dir / name, png)
            written.append(results_dir / name)
    comparison = results_dir / "comparison.md"
    atomic_write(comparison, _document(texts, report.skipped, image_prefix=""))
    written.append(comparison)
    if readme is not None:
        readme_prefix = Path(os.path.relpath(results_dir, readme.parent)).as_posix() + "/"
        shown = [(s, t) for s, t in texts if s.min_trials >= MIN_README_TRIALS]
        report.skipped += [
            f"{s.title}: {s.min_trials} trial(s) per app; the README needs {MIN_README_TRIALS}"
            for s, _ in texts
            if s.min_trials < MIN_README_TRIALS
        ]
        body = _document(shown, [], image_prefix=readme_prefix, heading=False)
        try:
            current = readme.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise HarnessError(f"{readme}: missing") from None
        atomic_write(readme, replace_section(current, body))
        written.append(readme)
    return written, report.skipped


def _add_conn_max_age(report: Report) -> None:
    """Default Django against its CONN_MAX_AGE=0 session, when both exist and compare."""
    zero = _django_view(report, lambda v: v.aggregate["variant"] == CONN_MAX_AGE_0)
    default = _django_view(report, lambda v: v.aggregate["variant"] is None)
    if zero is None or default is None:
        return
    differences = comparability_differences(default.aggregate, zero.aggregate)
    if differences:
        report.skipped.append(
            f"CONN_MAX_AGE 0 vs default: {zero.folder} and {default.folder} were measured "
            f"differently ({'; '.join(differences)}); not compared"
        )
        return
    views = [replace(default, label="CONN_MAX_AGE=60"), replace(zero, label="CONN_MAX_AGE=0")]
    trials = min(len(v.aggregate["trials"]) for v in views)
    title = "Django: CONN_MAX_AGE 0 vs 60"
    found = closed_loop_bullets(views)
    report.sections.append(Section(title, views, "conn-max-age", trials, findings=found))


def _django_view(report: Report, wanted: Callable[[AggregateView], bool]) -> AggregateView | None:
    for section in report.sections:
        for view in section.views:
            if view.aggregate["app"] == "django" and wanted(view):
                return view
    return None


def _document(
    texts: list[tuple[Section, str]], skipped: list[str], *, image_prefix: str, heading: bool = True
) -> str:
    parts = ["# Results\n\nThe newest complete sessions, by `make report`.\n"] if heading else []
    for _, text in texts:
        parts.append(re.sub(r"\]\((?!https?:)([^)]+\.png)\)", rf"]({image_prefix}\1)", text))
    said = [(s.title, s.findings) for s, _ in texts if s.findings]
    if said:
        parts.append(
            "### What these numbers say\n\nGenerated from the sessions above (medians over "
            "trials), so they change only with the results:\n"
        )
        for title, bullets in said:
            parts.append(f"**{title}**\n\n" + "\n".join(f"- {b}" for b in bullets) + "\n")
    if skipped:
        parts.append("Not shown:\n\n" + "\n".join(f"- {line}" for line in skipped) + "\n")
    return "\n".join(parts)


def _section_order(name: str) -> tuple[int, str]:
    return (0 if name == "bench" else 2 if name.startswith("matrix") else 1, name)


def _stem(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")
