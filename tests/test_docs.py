"""The project documents itself: a clone's README and docs/ link only to files of the clone (and to
headings that exist), the licence is there, and operations.md names every setting's variable."""

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.test_project import variables_read_by_settings

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]

FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+).+?\1", re.DOTALL)
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
HTML_LINK = re.compile(r"""(?:href|src)\s*=\s*["']([^"']+)["']""")
EXTERNAL = re.compile(r"^(https?:|mailto:)")


def prose(text: str) -> str:
    """The text without code blocks and code spans: a link written inside code is not a link."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def links(text: str) -> list[str]:
    body = prose(text)
    return [*INLINE_LINK.findall(body), *REFERENCE_LINK.findall(body), *HTML_LINK.findall(body)]


def anchors(path: Path) -> set[str]:
    """The heading anchors a Markdown file has, spelled the way GitHub generates them."""
    found, seen = set(), {}
    for line in FENCE.sub("", path.read_text()).splitlines():
        heading = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not heading:
            continue
        slug = re.sub(r"[^\w\- ]", "", heading.group(1).replace("`", "").lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def broken_links(document: Path, root: Path = ROOT) -> list[str]:
    """Links of `document` that a clone of `root` cannot follow: outside it, to a file it lacks, or
    to a heading the target does not have."""
    broken = []
    for target in links(document.read_text()):
        if EXTERNAL.match(target):
            continue
        if "../shared" in target or re.match(r"^(file:|/)", target):
            broken.append(target)
            continue
        path_part, _, fragment = unquote(target).partition("#")
        resolved = (document.parent / path_part).resolve() if path_part else document
        if not (root in (resolved, *resolved.parents) and resolved.exists()):
            broken.append(target)
            continue
        if fragment and resolved.suffix == ".md" and fragment.lower() not in anchors(resolved):
            broken.append(target)
    return broken


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_documents_link_only_inside_the_repository(document):
    assert "../shared" not in document.read_text()
    assert broken_links(document) == []


def test_the_checks_see_a_link_out_of_the_repository(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "here.md").write_text("# Here\n\n## A part\n")
    page = docs / "page.md"
    page.write_text(
        "See [the domain](../shared/DOMAIN.md), [gone](missing.md), [part](here.md#a-part),\n"
        "[no part](here.md#elsewhere), [the web](https://example.com) and `[code](nowhere.md)`.\n"
    )
    assert broken_links(page, root=tmp_path) == ["../shared/DOMAIN.md", "missing.md", "here.md#elsewhere"]


def test_the_readme_links_every_document():
    readme_links = {unquote(target).partition("#")[0] for target in links((ROOT / "README.md").read_text())}
    expected = {"LICENSE", "CONTRIBUTING.md", *(f"docs/{path.name}" for path in (ROOT / "docs").glob("*.md"))}
    assert expected - readme_links == set()


def test_the_licence_is_apache_2():
    licence = ROOT / "LICENSE"
    assert licence.is_file(), "LICENSE is missing"
    text = licence.read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
    assert "Copyright 2026 PartnerHub contributors" in text


def test_operations_documents_every_variable_the_settings_read():
    operations = (ROOT / "docs" / "operations.md").read_text()
    assert {name for name in variables_read_by_settings() if f"`{name}`" not in operations} == set()
