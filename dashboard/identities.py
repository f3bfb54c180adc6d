"""The one place where real learner ids and opaque ids meet.

Nothing outside this module turns a real id into an opaque id or back; everything sent to the
collector is produced here and carries opaque ids only.

Writes that also need the collector (rotation, deletion) change the school-side row first, inside
a transaction, and call the collector before it commits: when the collector refuses or cannot be
reached, the transaction rolls back and the teacher is told why, so nothing is left half-done.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from collector.client import CollectorError, get_client
from dashboard.classes import class_add_learners, class_create, classes_for
from dashboard.models import LearnerIdentity, User, new_opaque_id, real_id_key
from dashboard.spreadsheets import defuse_cell, undefuse_cell

log = logging.getLogger("pathlens.identities")

FIELD_MAX = 150  # LearnerIdentity.real_id, .real_id_key and .display_name
IMPORT_COLUMNS = ("real_id", "display_name")
CLASS_NAME_MAX = 120
# An optional third column: the class each learner goes into (made for the importing teacher
# when they have no class of that name yet).
CLASS_COLUMN = "class"
IMPORT_MAX_BYTES = 5 * 1024 * 1024
IMPORT_MAX_ROWS = 50_000
EXPORT_COLUMNS = ("real_id", "display_name", "opaque_id", "created")
IN_CHUNK = 500  # ids per `IN (…)` query, well inside every backend's parameter limit
OPAQUE_PREFIX = re.compile(r"[0-9a-fA-F]{6,64}")


def _squeeze(value: str) -> str:
    return " ".join(value.split())


def _identity_problems(real_id: str, display_name: str) -> dict[str, str]:
    """What is wrong with an already squeezed real id and display name, by field."""
    problems = {}
    if not real_id:
        problems["real_id"] = "A real id is required."
    elif len(real_id) > FIELD_MAX or len(real_id_key(real_id)) > FIELD_MAX:
        problems["real_id"] = f"The real id is longer than {FIELD_MAX} characters."
    if not display_name:
        problems["display_name"] = "A display name is required."
    elif len(display_name) > FIELD_MAX:
        problems["display_name"] = f"The display name is longer than {FIELD_MAX} characters."
    return problems


def _exists_message(real_id: str, existing: LearnerIdentity | tuple[str, str]) -> str:
    name = existing.display_name if isinstance(existing, LearnerIdentity) else existing[1]
    return f"A learner with the real id “{real_id}” already exists ({name})."


def _clean_identity(real_id: str, display_name: str) -> tuple[str, str, str]:
    """The real id and display name as stored, and the real id's key; ValidationError if bad."""
    real_id, display_name = _squeeze(real_id), _squeeze(display_name)
    problems = _identity_problems(real_id, display_name)
    if problems:
        raise ValidationError(problems)
    return real_id, display_name, real_id_key(real_id)


def learner_create(*, real_id: str, display_name: str) -> LearnerIdentity:
    """Creates an identity with a fresh random opaque id; real ids are unique, case-folded."""
    real_id, display_name, key = _clean_identity(real_id, display_name)
    try:
        with transaction.atomic():
            clash = LearnerIdentity.objects.filter(real_id_key=key).first()
            if clash is not None:
                raise ValidationError({"real_id": _exists_message(real_id, clash)})
            return LearnerIdentity.objects.create(
                real_id=real_id, real_id_key=key, display_name=display_name
            )
    except IntegrityError:  # created by someone else between the check and the insert
        raise ValidationError(
            {"real_id": f"A learner with the real id “{real_id}” exists."}
        ) from None


def learner_update(*, learner: LearnerIdentity, real_id: str, display_name: str) -> LearnerIdentity:
    """Changes the real id or display name. The opaque id stays, so the history stays linked."""
    real_id, display_name, key = _clean_identity(real_id, display_name)
    try:
        with transaction.atomic():
            clash = LearnerIdentity.objects.filter(real_id_key=key).exclude(pk=learner.pk).first()
            if clash is not None:
                raise ValidationError({"real_id": _exists_message(real_id, clash)})
            learner.real_id, learner.real_id_key = real_id, key
            learner.display_name = display_name
            learner.save(update_fields=["real_id", "real_id_key", "display_name", "updated_at"])
    except IntegrityError:
        raise ValidationError(
            {"real_id": f"A learner with the real id “{real_id}” exists."}
        ) from None
    return learner


def learners_search(*, query: str = "") -> QuerySet[LearnerIdentity]:
    """The teachers' list: by display name, real id, or the start of an opaque id."""
    learners = LearnerIdentity.objects.all()
    if query:
        condition = Q(display_name__icontains=query) | Q(real_id__icontains=query)
        if OPAQUE_PREFIX.fullmatch(query):
            condition |= Q(opaque_id__startswith=query.lower())
        learners = learners.filter(condition)
    return learners.order_by("display_name", "real_id_key")


def learners_session_counts(*, learners: Iterable[LearnerIdentity]) -> dict[int, int]:
    """Sessions recorded for each learner, by learner pk. Raises CollectorError when unknown."""
    by_opaque = {learner.opaque_id: learner.pk for learner in learners}
    if not by_opaque:
        return {}
    counts = get_client().session_counts(list(by_opaque))
    return {pk: counts.get(opaque, 0) for opaque, pk in by_opaque.items()}


# --- Rotation and deletion ----------------------------------------------------------------------


def _unless_unknown(call, default=None):
    """The collector's answer, or `default` when it answers 404: it never saw this learner (no
    widget was opened, so no token was minted), and there is nothing of it to change."""
    try:
        return call()
    except CollectorError as error:
        if error.status == 404:
            return default
        raise


@dataclass(frozen=True)
class Rotation:
    old_opaque_id: str
    new_opaque_id: str
    events_moved: int | None  # None: the earlier events were left under the old opaque id


def learner_rotate(*, learner: LearnerIdentity, move_events: bool) -> Rotation:
    """Gives the learner a new opaque id and revokes every token of the old one.

    Earlier events stay under the old opaque id, where nothing links them to this learner any
    more, unless `move_events` asks the collector to move them to the new one.
    Raises CollectorError (and changes nothing here) when the collector refuses.
    """
    client = get_client()
    with transaction.atomic():
        locked = LearnerIdentity.objects.select_for_update().get(pk=learner.pk)
        old, new = locked.opaque_id, new_opaque_id()
        locked.opaque_id = new
        locked.save(update_fields=["opaque_id", "updated_at"])
        _unless_unknown(lambda: client.revoke_learner(old))
        moved = (
            _unless_unknown(lambda: client.move_learner(old, to=new), {"events_moved": 0})[
                "events_moved"
            ]
            if move_events
            else None
        )
    learner.refresh_from_db()
    log.info(
        "opaque id rotated for learner pk=%s; earlier events %s",
        learner.pk,
        "moved" if move_events else "left under the old id",
    )
    return Rotation(old_opaque_id=old, new_opaque_id=new, events_moved=moved)


@dataclass(frozen=True)
class Deletion:
    display_name: str
    events_erased: int | None  # None: the events were kept, pseudonymous and now unlinkable
    sessions_erased: int | None


def learner_delete(*, learner: LearnerIdentity, erase_events: bool) -> Deletion:
    """Deletes the identity, after revoking its tokens, and erases its events if asked.

    Kept events stay in the analytics store under the opaque id, which nothing links to a
    person once the identity is gone. Raises CollectorError (and deletes nothing) when the
    collector refuses the erasure or the revocation.
    """
    client = get_client()
    opaque, pk, name = learner.opaque_id, learner.pk, learner.display_name
    with transaction.atomic():
        LearnerIdentity.objects.filter(pk=pk).delete()
        if erase_events:
            erased = _unless_unknown(  # revokes the tokens too
                lambda: client.erase_learner(opaque), {"events_deleted": 0, "sessions_deleted": 0}
            )
        else:
            _unless_unknown(lambda: client.revoke_learner(opaque))
            erased = None
    log.info("learner pk=%s deleted; events %s", pk, "erased" if erase_events else "kept")
    return Deletion(
        display_name=name,
        events_erased=erased["events_deleted"] if erased else None,
        sessions_erased=erased["sessions_deleted"] if erased else None,
    )


# --- Export -------------------------------------------------------------------------------------


def learners_export_rows(*, exported_by: User) -> Iterator[list[str]]:
    """The whole mapping as CSV rows, header first. Logged with the teacher's user id only."""
    count = LearnerIdentity.objects.count()
    log.info("learner mapping exported by user id=%s: %d learners", exported_by.pk, count)
    rows = (
        LearnerIdentity.objects.order_by("real_id_key")
        .values_list("real_id", "display_name", "opaque_id", "created_at")
        .iterator(chunk_size=2000)
    )

    def generate() -> Iterator[list[str]]:
        yield list(EXPORT_COLUMNS)
        for real_id, display_name, opaque_id, created_at in rows:
            yield [
                defuse_cell(real_id),
                defuse_cell(display_name),
                opaque_id,
                created_at.isoformat(),
            ]

    return generate()


# --- Import -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRow:
    line: int
    real_id: str
    display_name: str
    class_name: str = ""


@dataclass(frozen=True)
class ImportProblem:
    line: int | None  # None: about the whole file
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}" if self.line else self.message


class ImportRefused(Exception):
    """The file cannot be imported; `problems` says why, line by line. Nothing was written."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = sorted(problems, key=lambda problem: problem.line or 0)


def _delimiter(text: str) -> str:
    """Comma, or the semicolon or tab that spreadsheets in some languages save CSV with."""
    first = text.split("\n", 1)[0]
    for candidate in (",", ";", "\t"):
        if candidate in first:
            return candidate
    return ","


def _header_problems(header: list[str]) -> list[ImportProblem]:
    names = [cell.strip().lower() for cell in header]
    if "real_id" not in names and "display_name" not in names:
        shown = ",".join(header)[:80]
        return [
            ImportProblem(
                1,
                "The first line must be the header “real_id,display_name”, but it is "
                f"“{shown}”. Add that header line above the learners and upload again.",
            )
        ]
    problems = [
        ImportProblem(1, f"The header has no “{name}” column.")
        for name in IMPORT_COLUMNS
        if name not in names
    ]
    for name in names:
        if name not in (*IMPORT_COLUMNS, CLASS_COLUMN):
            problems.append(
                ImportProblem(
                    1,
                    f"Unexpected column “{name}”: the file must have the columns real_id and "
                    "display_name, and may have a class column (opaque ids are always "
                    "generated here).",
                )
            )
    for name in (*IMPORT_COLUMNS, CLASS_COLUMN):
        if names.count(name) > 1:
            problems.append(ImportProblem(1, f"The column “{name}” appears twice."))
    return problems


def _existing_by_key(keys: Iterable[str]) -> dict[str, tuple[str, str]]:
    keys = list(keys)
    found: dict[str, tuple[str, str]] = {}
    for start in range(0, len(keys), IN_CHUNK):
        for key, real_id, name in LearnerIdentity.objects.filter(
            real_id_key__in=keys[start : start + IN_CHUNK]
        ).values_list("real_id_key", "real_id", "display_name"):
            found[key] = (real_id, name)
    return found


def _check_rows(rows: list[ImportRow]) -> list[ImportProblem]:
    """Problems of each row on its own, against earlier rows, and against existing learners."""
    problems: list[ImportProblem] = []
    first_line: dict[str, ImportRow] = {}
    for row in rows:
        for message in _identity_problems(row.real_id, row.display_name).values():
            problems.append(ImportProblem(row.line, message))
        if not row.real_id:
            continue
        key = real_id_key(row.real_id)
        earlier = first_line.setdefault(key, row)
        if earlier is not row:
            written = "" if earlier.real_id == row.real_id else f" (as “{earlier.real_id}”)"
            problems.append(
                ImportProblem(
                    row.line,
                    f"The real id “{row.real_id}” is already on line {earlier.line}{written}; "
                    "real ids ignore case and extra spaces.",
                )
            )
    for key, existing in _existing_by_key(first_line).items():
        row = first_line[key]
        problems.append(ImportProblem(row.line, _exists_message(row.real_id, existing)))
    return problems


def learners_import_read(*, content: bytes) -> list[ImportRow]:
    """Reads and checks a whole CSV file without writing anything.

    Returns the rows to create, or raises ImportRefused listing every bad line with its reason.
    """
    text = _import_text(content)
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=_delimiter(text), skipinitialspace=True
    )
    rows: list[ImportRow] = []
    problems: list[ImportProblem] = []
    columns: list[str] | None = None
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if columns is None:
                header_problems = _header_problems(record)
                if header_problems:
                    raise ImportRefused(header_problems)
                columns = [cell.strip().lower() for cell in record]
                continue
            row = _import_row(record, columns, reader.line_num)
            if isinstance(row, ImportProblem):
                problems.append(row)
                continue
            rows.append(row)
            if len(rows) > IMPORT_MAX_ROWS:
                raise ImportRefused(
                    [
                        ImportProblem(
                            None,
                            f"The file has more than {IMPORT_MAX_ROWS:,} learners. "
                            "Split it into smaller files.",
                        )
                    ]
                )
    except csv.Error as error:
        problems.append(ImportProblem(reader.line_num, f"This line is not valid CSV ({error})."))
    if columns is None:
        raise ImportRefused([ImportProblem(None, "The file has no header line.")])
    if not rows and not problems:
        raise ImportRefused(
            [ImportProblem(None, "The file has the header but no learners under it.")]
        )
    problems.extend(_check_rows(rows))
    if problems:
        raise ImportRefused(problems)
    return rows


def _import_text(content: bytes) -> str:
    """The file as text, or ImportRefused when it is too large, not UTF-8 or empty."""
    if len(content) > IMPORT_MAX_BYTES:
        raise ImportRefused([ImportProblem(None, _too_large_message(len(content)))])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused(
            [
                ImportProblem(
                    None,
                    f"The file is not UTF-8 text (byte {error.start + 1} cannot be read). "
                    "Save it as “CSV UTF-8” and upload it again.",
                )
            ]
        ) from None
    if not text.strip():
        raise ImportRefused(
            [ImportProblem(None, "The file is empty. It needs the header real_id,display_name.")]
        )
    return text


def _import_row(record: list[str], columns: list[str], line: int) -> ImportRow | ImportProblem:
    """One line under the header: the learner it describes, or what is wrong with it."""
    if len(record) != len(columns):
        hint = " Put values that contain commas in double quotes." * (len(record) > len(columns))
        return ImportProblem(
            line,
            f"Expected {len(columns)} values ({', '.join(columns)}) but found "
            f"{len(record)}." + hint,
        )
    values = dict(zip(columns, record, strict=True))
    class_name = undefuse_cell(_squeeze(values.get(CLASS_COLUMN, "")))
    if len(class_name) > CLASS_NAME_MAX:
        return ImportProblem(line, f"The class name is longer than {CLASS_NAME_MAX} characters.")
    return ImportRow(
        line=line,
        real_id=undefuse_cell(_squeeze(values["real_id"])),
        display_name=undefuse_cell(_squeeze(values["display_name"])),
        class_name=class_name,
    )


def _too_large_message(size: int) -> str:
    return (
        f"The file is {size / 1024 / 1024:.1f} MB; the limit is "
        f"{IMPORT_MAX_BYTES // 1024 // 1024} MB. Split it into smaller files."
    )


def learners_import(*, rows: list[ImportRow], teacher: User | None = None) -> int:
    """Creates every row's learner in one transaction, or none, and puts those with a class
    name into the teacher's class of that name (made for them if they have none yet).

    The rows are checked again first: a preview may have waited while someone else added a
    learner with one of these real ids. Raises ImportRefused with the reasons.
    """
    rows = [
        ImportRow(
            line=row.line,
            real_id=_squeeze(row.real_id),
            display_name=_squeeze(row.display_name),
            class_name=_squeeze(row.class_name),
        )
        for row in rows
    ]
    try:
        with transaction.atomic():
            problems = _check_rows(rows)
            if problems:
                raise ImportRefused(problems)
            created = LearnerIdentity.objects.bulk_create(
                [
                    LearnerIdentity(
                        real_id=row.real_id,
                        real_id_key=real_id_key(row.real_id),
                        display_name=row.display_name,
                    )
                    for row in rows
                ],
                batch_size=1000,
            )
            if teacher is not None:
                _put_in_classes(teacher, rows, created)
    except IntegrityError:
        # Someone added one of these real ids while we were inserting: say which.
        raise ImportRefused(
            _check_rows(rows) or [ImportProblem(None, "The import clashed with another change.")]
        ) from None
    log.info("learners imported: %d", len(created))
    return len(created)


def _put_in_classes(teacher: User, rows: list[ImportRow], created: list[LearnerIdentity]) -> None:
    by_name: dict[str, list[LearnerIdentity]] = {}
    for row, learner in zip(rows, created, strict=True):
        if row.class_name:
            by_name.setdefault(row.class_name, []).append(learner)
    taught = {c.name.casefold(): c for c in classes_for(user=teacher)}
    for name, learners in by_name.items():
        school_class = taught.get(name.casefold()) or class_create(owner=teacher, name=name)
        taught[name.casefold()] = school_class
        class_add_learners(school_class=school_class, learners=learners)


def opaque_id_of(learner: LearnerIdentity) -> str:
    return learner.opaque_id


# --- Translation for query projects (projects/) -----------------------------------------------
_TRANSLATE_CHUNK = 500  # ids per `IN (…)` query, well inside every backend's parameter limit


def opaque_ids_for(learners: Iterable[LearnerIdentity | int]) -> list[str]:
    """The opaque ids to send to the platform for these learners (identities or their pks)."""
    pks = [learner if isinstance(learner, int) else learner.pk for learner in learners]
    opaque: list[str] = []
    for start in range(0, len(pks), _TRANSLATE_CHUNK):
        chunk = pks[start : start + _TRANSLATE_CHUNK]
        opaque.extend(
            LearnerIdentity.objects.filter(pk__in=chunk).values_list("opaque_id", flat=True)
        )
    return opaque


def identities_by_opaque(opaque_ids: Iterable[str]) -> dict[str, int]:
    """Maps the opaque ids the platform sent back to learner identity pks.

    Opaque ids that no identity holds any more (the learner was deleted, or rotated to a new
    opaque id since the data was requested) are simply absent from the answer.
    """
    wanted = list(dict.fromkeys(opaque_ids))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), _TRANSLATE_CHUNK):
        chunk = wanted[start : start + _TRANSLATE_CHUNK]
        found.update(
            LearnerIdentity.objects.filter(opaque_id__in=chunk).values_list("opaque_id", "pk")
        )
    return found
