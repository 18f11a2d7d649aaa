"""Run folders that no report cites, found by name in README.md and results/*.md.

A run folder is cited when its name (e.g. 20261125T182504Z-django) appears in one of the
citing files; the generated tables name every run they show. Incomplete runs are never
pruned (one may be in progress), nor is anything under results/ that is not a run folder.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from scripts.harness.errors import HarnessError
from scripts.harness.results import INCOMPLETE

RUN_FOLDER = re.compile(r"[0-9]{8}T[0-9]{6}Z-.+")


@dataclass(frozen=True)
class PrunePlan:
    """The run folders under a results folder, sorted into what pruning keeps and removes."""

    cited: list[Path]
    incomplete: list[Path]
    uncited: list[Path]


def citing_files(results_dir: Path, readme: Path) -> list[Path]:
    """The README and every Markdown file directly in results/ (comparison.md)."""
    return [readme, *sorted(results_dir.glob("*.md"))]


def run_folders(results_dir: Path) -> list[Path]:
    """Folders named like a run (<UTC timestamp>-<app>), in name (= time) order."""
    if not results_dir.is_dir():
        raise HarnessError(f"{results_dir}: not a folder")
    return sorted(p for p in results_dir.iterdir() if p.is_dir() and RUN_FOLDER.fullmatch(p.name))


def is_cited(name: str, texts: Iterable[str]) -> bool:
    """Whether `name` appears as a whole word: ...Z-fastapi does not cite ...Z-fastapi-x."""
    pattern = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")
    return any(pattern.search(text) for text in texts)


def prune_plan(results_dir: Path, *, citing: Sequence[Path]) -> PrunePlan:
    """Sort every run folder of `results_dir` by whether one of the `citing` files names it."""
    texts = [_read(path) for path in citing]
    cited, incomplete, uncited = [], [], []
    for run_dir in run_folders(results_dir):
        if is_cited(run_dir.name, texts):
            cited.append(run_dir)
        elif (run_dir / INCOMPLETE).exists():
            incomplete.append(run_dir)
        else:
            uncited.append(run_dir)
    return PrunePlan(cited=cited, incomplete=incomplete, uncited=uncited)


def delete_uncited(plan: PrunePlan) -> list[Path]:
    """Delete the plan's uncited run folders; refused when the plan cites no run at all.

    A citing file that names no run is far more likely broken (a README whose results
    section went missing) than a sign that every run should go.
    """
    if plan.uncited and not plan.cited:
        raise HarnessError("no run folder is cited at all; refusing to delete every run")
    for run_dir in plan.uncited:
        shutil.rmtree(run_dir)
    return list(plan.uncited)


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise HarnessError(f"{path}: missing; it says which runs are cited") from None


def plan_text(plan: PrunePlan) -> str:
    """What pruning would keep and remove, one run folder a line, with the sizes removed."""
    lines = [f"cited by a report (kept): {len(plan.cited)}"]
    lines += [f"  {run_dir}" for run_dir in plan.cited]
    if plan.incomplete:
        lines.append(f"incomplete, maybe in progress (kept): {len(plan.incomplete)}")
        lines += [f"  {run_dir}" for run_dir in plan.incomplete]
    sizes = [folder_bytes(run_dir) for run_dir in plan.uncited]
    lines.append(f"not cited (to prune): {len(plan.uncited)}, {_mb(sum(sizes))}")
    lines += [f"  {d} ({_mb(n)})" for d, n in zip(plan.uncited, sizes, strict=True)]
    return "\n".join(lines) + "\n"


def _mb(size: int) -> str:
    return f"{size / 1e6:.2f} MB"
