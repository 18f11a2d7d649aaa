"""`make prune-results`: run folders no report cites are listed, and deleted only on request."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.harness.errors import HarnessError
from scripts.harness.prune import (
    citing_files,
    delete_uncited,
    is_cited,
    plan_text,
    prune_plan,
)
from scripts.prune import main

CITED = "20261125T182504Z-django"
ALSO_CITED = "20261125T183010Z-fastapi"
OLD = "20261124T101010Z-django"
PREFIXED = "20261124T111111Z-fastapi-psycopg"
RUNNING = "20261125T190000Z-fastapi"


@pytest.fixture
def results(tmp_path: Path) -> Path:
    """README cites one run, comparison.md another; two are cited by neither; one runs."""
    results = tmp_path / "results"
    for name in (CITED, ALSO_CITED, OLD, PREFIXED, RUNNING, "not-a-run"):
        (results / name / "raw").mkdir(parents=True)
        (results / name / "raw" / "samples-1.csv.gz").write_bytes(b"x" * 1000)
    (results / RUNNING / "INCOMPLETE").touch()
    (results / "comparison-rps.png").write_bytes(b"png")
    (results / "comparison.md").write_text(f"- FastAPI: `results/{ALSO_CITED}-psycopg` no\n")
    (results / "notes.md").write_text(f"FastAPI: results/{ALSO_CITED}, see its summary.\n")
    (tmp_path / "README.md").write_text(f"- Django: `results/{CITED}`, command `make bench`\n")
    return results


def plan(results: Path) -> tuple[list[str], list[str], list[str]]:
    found = prune_plan(results, citing=citing_files(results, results.parent / "README.md"))
    return (
        [p.name for p in found.cited],
        [p.name for p in found.incomplete],
        [p.name for p in found.uncited],
    )


def test_runs_are_sorted_by_whether_a_readme_or_results_page_cites_them(results: Path) -> None:
    assert plan(results) == ([CITED, ALSO_CITED], [RUNNING], [OLD, PREFIXED])


@pytest.mark.parametrize(
    ("text", "cited"),
    [
        (f"`results/{CITED}`", True),
        (f"see {CITED}.", True),
        (f"results/{CITED}/summary.md", True),
        (f"results/{CITED}-async", False),
        (f"results/{CITED}_async", False),
        (f"x{CITED}", False),
        ("20261125T182504Z-fastapi", False),
    ],
)
def test_a_run_is_cited_by_its_whole_name_only(text: str, cited: bool) -> None:
    assert is_cited(CITED, [text]) is cited


def test_deleting_removes_only_the_uncited_complete_runs(results: Path) -> None:
    found = prune_plan(results, citing=citing_files(results, results.parent / "README.md"))
    assert [p.name for p in delete_uncited(found)] == [OLD, PREFIXED]
    assert sorted(p.name for p in results.iterdir()) == sorted(
        [CITED, ALSO_CITED, RUNNING, "not-a-run", "comparison-rps.png", "comparison.md", "notes.md"]
    )


def test_nothing_is_deleted_when_no_run_is_cited_at_all(results: Path) -> None:
    (results.parent / "README.md").write_text("# results section went missing\n")
    (results / "notes.md").unlink()
    found = prune_plan(results, citing=citing_files(results, results.parent / "README.md"))
    assert found.cited == [] and len(found.uncited) == 4
    with pytest.raises(HarnessError, match="refusing to delete every run"):
        delete_uncited(found)
    assert all((results / name).is_dir() for name in (CITED, ALSO_CITED, OLD, PREFIXED))


def test_the_plan_says_what_goes_and_how_big_it_is(results: Path) -> None:
    found = prune_plan(results, citing=citing_files(results, results.parent / "README.md"))
    assert plan_text(found) == (
        "cited by a report (kept): 2\n"
        f"  {results / CITED}\n"
        f"  {results / ALSO_CITED}\n"
        "incomplete, maybe in progress (kept): 1\n"
        f"  {results / RUNNING}\n"
        "not cited (to prune): 2, 0.00 MB\n"
        f"  {results / OLD} (0.00 MB)\n"
        f"  {results / PREFIXED} (0.00 MB)\n"
    )


def test_the_cli_is_a_dry_run_unless_asked_to_delete(
    results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--results", str(results), "--readme", str(results.parent / "README.md")]

    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"  {results / OLD} (0.00 MB)\n" in out
    assert "dry run: nothing deleted" in out
    assert (results / OLD).is_dir() and (results / PREFIXED).is_dir()

    assert main([*args, "--delete"]) == 0
    out = capsys.readouterr().out
    assert out.endswith(f"deleted {results / OLD}\ndeleted {results / PREFIXED}\n")
    assert not (results / OLD).exists() and not (results / PREFIXED).exists()
    assert (results / CITED).is_dir() and (results / RUNNING).is_dir()

    assert main([*args, "--delete"]) == 0
    assert "not cited (to prune): 0, 0.00 MB\n" in capsys.readouterr().out


def test_the_cli_refuses_without_the_readme(
    results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = results.parent / "MISSING.md"
    assert main(["--results", str(results), "--readme", str(missing), "--delete"]) == 2
    assert capsys.readouterr().err == f"prune: {missing}: missing; it says which runs are cited\n"
    assert (results / OLD).is_dir()


def test_the_cli_refuses_a_missing_results_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "README.md").write_text("x\n")
    assert main(["--results", str(tmp_path / "nope"), "--readme", str(tmp_path / "README.md")]) == 2
    assert capsys.readouterr().err == f"prune: {tmp_path / 'nope'}: not a folder\n"
