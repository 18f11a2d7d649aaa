"""A clone is complete: no tracked file points outside the repository, every doc link resolves.

Tracked files are what `git ls-files` lists (git's own files are not among them). Binary
files (charts, gzipped samples) are skipped; every text file is read.
"""

from __future__ import annotations

import re
import subprocess
from functools import cache
from itertools import pairwise
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

REPO = Path(__file__).resolve().parents[1]
# Written in two parts so that this file does not contain what it looks for.
SIBLING_CHECKOUT = ".." + "/shared"
# Absolute paths into places where other checkouts and home folders live. System paths
# (/usr, /proc, /sys, /dev) and scratch space (/tmp) are what code legitimately names.
OUTSIDE_FOLDERS = ("work", "home", "Users", "root", "mnt", "srv")
OUTSIDE_PREFIXES = tuple(f"/{folder}/" for folder in OUTSIDE_FOLDERS)
# A run folder's records say where that run was made (meta.json keeps the commands it ran,
# with the absolute paths of the checkout that ran them): facts about a machine, not links.
RUN_RECORD = re.compile(r"results/[0-9]{8}T[0-9]{6}Z-[^/]+/")
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
HEADING_TEXT = {"text", "code_inline"}


@cache
def tracked_text_files() -> dict[str, str]:
    """Every tracked file that is text, by its path relative to the repository."""
    listed = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    texts = {}
    for name in filter(None, listed.split("\0")):
        path = REPO / name
        if not path.is_file():
            continue  # deleted in the working tree, not yet committed
        data = path.read_bytes()
        if b"\0" in data:
            continue
        try:
            texts[name] = data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # gzip and PNG data without a NUL byte in it
    return texts


def outside_prefixes() -> tuple[str, ...]:
    """The fixed prefixes, plus the folder this checkout sits in (wherever that is)."""
    parent = REPO.parent
    extra = () if parent == Path(parent.anchor) else (f"{parent}/",)
    return OUTSIDE_PREFIXES + extra


def test_tracked_files_are_read() -> None:
    texts = tracked_text_files()
    assert {"README.md", "docs/API.md", "docs/DECISIONS.md", "Makefile"} <= texts.keys()
    assert not any(name.endswith((".png", ".gz")) for name in texts)


def test_no_tracked_file_points_at_a_sibling_checkout() -> None:
    found = [name for name, text in tracked_text_files().items() if SIBLING_CHECKOUT in text]
    assert found == []


def test_no_tracked_file_names_an_absolute_path_outside_the_repository() -> None:
    prefixes = outside_prefixes()
    found = {
        name: sorted({p for p in prefixes if p in text})
        for name, text in tracked_text_files().items()
        if not RUN_RECORD.match(name) and any(p in text for p in prefixes)
    }
    assert found == {}


def test_the_readme_points_to_the_contract_inside_the_repository() -> None:
    assert "docs/API.md" in readme_links()
    contract = (REPO / "docs" / "API.md").read_text(encoding="utf-8")
    assert contract.startswith("# Commerce API contract")
    assert "DECISIONS.md" in markdown_links("docs/API.md")


def markdown_names() -> list[str]:
    return sorted(name for name in tracked_text_files() if name.endswith(".md"))


@pytest.mark.parametrize("name", markdown_names())
def test_every_relative_link_in_a_tracked_markdown_file_resolves(name: str) -> None:
    """Links and images to files inside the repository that exist, and headings that exist."""
    broken = []
    for href in markdown_links(name):
        if SCHEME.match(href):
            continue  # a web address: not this test's business
        parts = urlsplit(href)
        target = (REPO / name).parent / unquote(parts.path) if parts.path else REPO / name
        resolved = target.resolve()
        if not resolved.is_relative_to(REPO) or not resolved.exists():
            broken.append(f"{href}: no such file in the repository")
        elif parts.fragment and parts.fragment not in heading_anchors(resolved):
            broken.append(f"{href}: no heading with that anchor")
    assert broken == []


def readme_links() -> list[str]:
    return markdown_links("README.md")


def markdown_links(name: str) -> list[str]:
    """Link and image targets as CommonMark reads them (code spans and blocks are not links)."""
    tokens = MarkdownIt("commonmark").parse(tracked_text_files()[name])
    return [href for token in _inline(tokens) if (href := _target(token)) is not None]


def _inline(tokens: list[Token]) -> list[Token]:
    return [child for token in tokens for child in (token.children or [])]


def _target(token: Token) -> str | None:
    attr = {"link_open": "href", "image": "src"}.get(token.type)
    value = token.attrGet(attr) if attr else None
    return str(value) if value is not None else None


def heading_anchors(path: Path) -> set[str]:
    """GitHub's heading ids: lower case, punctuation dropped, spaces turned into hyphens."""
    if path.suffix != ".md":
        return set()
    tokens = MarkdownIt("commonmark").parse(path.read_text(encoding="utf-8"))
    anchors = set()
    for before, token in pairwise(tokens):
        if before.type == "heading_open" and token.type == "inline":
            text = "".join(c.content for c in token.children or [] if c.type in HEADING_TEXT)
            anchors.add(re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-"))
    return anchors
