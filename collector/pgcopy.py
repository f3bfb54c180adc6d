"""COPY in PostgreSQL's binary format, for the write paths that put hundreds of rows in at once.

The binary format costs less than the text one on both sides: for rows of collector_statement's
shape, 5 µs of Python and 7.5–8 µs of PostgreSQL a row against 9–10 and 10 (benchmarks/README.md,
"xAPI"): nothing is escaped on our side or parsed back from text on the server's (UUIDs,
timestamps). It needs each column's exact type, given with `copy.set_types`, and values of
matching Python types, except that a UUID may be sent as its canonical text, as our ids are kept
(`UuidTextDumper`).
"""

from __future__ import annotations

from typing import Any

from psycopg.adapt import Dumper
from psycopg.postgres import types
from psycopg.pq import Format


class UuidTextDumper(Dumper):
    """A `uuid` column's value from a canonical UUID string (or a UUID) in the binary format,
    without building a UUID object (0.45 against 2 µs)."""

    format = Format.BINARY
    oid = types["uuid"].oid

    def dump(self, obj: Any) -> bytes:
        return bytes.fromhex(obj.replace("-", "")) if isinstance(obj, str) else obj.bytes


def binary_copy_into(
    cursor: Any, sql: str, column_types: tuple[str, ...], rows: list[tuple]
) -> None:
    """COPY `rows` with `sql` (… FROM STDIN (FORMAT BINARY)) on psycopg's own `cursor`, the
    columns being of `column_types` (PostgreSQL's names: int8, uuid, text…)."""
    # Only for a column of type uuid, as COPY asks by type: other str values stay text.
    cursor.adapters.register_dumper(None, UuidTextDumper)
    with cursor.copy(sql) as copy:
        copy.set_types(list(column_types))
        for row in rows:
            copy.write_row(row)
