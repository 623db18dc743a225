"""Comparing two texts of an article side by side: two revisions, or an article and a
farmer's proposed edit."""

import difflib
from dataclasses import dataclass

from knowledge.services.articles import ArticleText

DIFF_CONTEXT = 2  # unchanged lines kept around each change


@dataclass
class DiffRow:
    """One line of a side-by-side comparison; "skipped" rows stand for unchanged lines."""

    change: str  # same, changed, added, removed or skipped
    old: str = ""
    new: str = ""
    skipped: int = 0


def compare_texts(older: ArticleText, newer: ArticleText) -> list[DiffRow]:
    """Side by side, line by line, with a little unchanged context around each change."""
    old_lines, new_lines = older.lines(), newer.lines()
    if old_lines == new_lines:
        return []
    # autojunk: lines repeated all over a long text (blank ones) do not anchor the
    # match, which keeps a farmer's oddly shaped proposal from taking seconds to compare.
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines)
    rows: list[DiffRow] = []
    shown_until = 0  # lines of the older text already shown or skipped
    for group in matcher.get_grouped_opcodes(DIFF_CONTEXT):
        if group[0][1] > shown_until:
            rows.append(DiffRow("skipped", skipped=group[0][1] - shown_until))
        for tag, old_start, old_end, new_start, new_end in group:
            rows.extend(_rows(tag, old_lines[old_start:old_end], new_lines[new_start:new_end]))
        shown_until = group[-1][2]
    if shown_until < len(old_lines):
        rows.append(DiffRow("skipped", skipped=len(old_lines) - shown_until))
    return rows


def _rows(tag: str, old: list[str], new: list[str]) -> list[DiffRow]:
    if tag == "equal":
        return [DiffRow("same", line, line) for line in old]
    if tag == "delete":
        return [DiffRow("removed", old=line) for line in old]
    if tag == "insert":
        return [DiffRow("added", new=line) for line in new]
    paired = min(len(old), len(new))
    return [
        *(DiffRow("changed", a, b) for a, b in zip(old[:paired], new[:paired], strict=True)),
        *(DiffRow("removed", old=line) for line in old[paired:]),
        *(DiffRow("added", new=line) for line in new[paired:]),
    ]
