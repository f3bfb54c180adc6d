"""Deleting many old rows without holding up ingestion: a batch of primary keys at a time, each
DELETE its own short statement, so no lock is held over a whole backlog (the first run after an
upgrade, or after a retention was shortened, may find months of rows)."""

from __future__ import annotations

from django.db.models import QuerySet


def delete_in_batches(rows: QuerySet, *, size: int) -> int:
    """Deletes `rows`, `size` of them at a time; answers how many rows the deletes removed."""
    deleted = 0
    while batch := list(rows.values_list("pk", flat=True)[:size]):
        deleted += rows.filter(pk__in=batch).delete()[0]
    return deleted
