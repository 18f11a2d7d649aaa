from __future__ import annotations

from pathlib import Path

import pytest

from scripts.harness.errors import HarnessError
from scripts.harness.readme import END, START, replace_section, update_readme

README = f"# Bench\n\nIntro.\n\n{START}\nold table\n{END}\n\n## Later\n"


def test_only_the_text_between_the_markers_changes() -> None:
    assert replace_section(README, "\n| new | table |\n\n") == (
        f"# Bench\n\nIntro.\n\n{START}\n| new | table |\n{END}\n\n## Later\n"
    )


def test_replacing_twice_gives_the_same_text() -> None:
    once = replace_section(README, "body")
    assert replace_section(once, "body") == once


@pytest.mark.parametrize(
    "text",
    [
        "# no markers\n",
        f"{START}\nonly a start\n",
        f"only an end\n{END}\n",
        f"{START}\n{START}\n{END}\n",
        f"{END}\nreversed\n{START}\n",
    ],
)
def test_missing_duplicated_or_reversed_markers_are_errors(text: str) -> None:
    with pytest.raises(HarnessError, match="README"):
        replace_section(text, "body")


def test_update_readme_rewrites_the_file(tmp_path: Path) -> None:
    path = tmp_path / "README.md"
    path.write_text(README)
    update_readme(path, "fresh")
    assert path.read_text() == f"# Bench\n\nIntro.\n\n{START}\nfresh\n{END}\n\n## Later\n"


def test_update_readme_of_a_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="missing"):
        update_readme(tmp_path / "README.md", "fresh")
