"""Cells of the CSV files teachers download, made safe to open in a spreadsheet.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return
before one) as a formula, and so can a name a learner typed (`=HYPERLINK(…)`). Spreadsheets with
East Asian input methods also read the fullwidth signs `＝＋－＠` as formula signs. The exports
put an apostrophe before such a cell, which spreadsheets hide and our learner import removes.
One home for both directions and for the download itself, used by every CSV export (the
learner mapping, a project's run).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse

FORMULA_STARTS = (
    "=", "+", "-", "@", "\t", "\r",
    "\uff1d", "\uff0b", "\uff0d", "\uff20",  # fullwidth = + - @
)  # fmt: skip


def defuse_cell(value: str) -> str:
    """The value as a spreadsheet shows it, never run: an apostrophe before a formula sign."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def undefuse_cell(value: str) -> str:
    """The value `defuse_cell` was given, from a cell read back from an exported file."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


class _Echo:
    """A file that hands back what is written: csv.writer then yields lines to stream."""

    def write(self, value: str) -> str:
        return value


def csv_download(rows: Iterable[Sequence[object]], *, filename: str) -> StreamingHttpResponse:
    """Streams `rows` (header first, cells already defused) as a CSV attachment.

    A byte order mark comes first, so spreadsheets read the file as UTF-8 (our import accepts
    it); the file holds real learner ids, so no cache may keep it.
    """
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
