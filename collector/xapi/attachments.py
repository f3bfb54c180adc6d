"""Attachments: statements sent with their attachments' content as a multipart/mixed body
(Communication 1.5.2), signed statements checked (Data 2.6), and both answered back as
multipart/mixed to `GET /xapi/statements?attachments=true`.

Pure functions, no database. A body is read whole (it is at most the statements' body limit) and
split on its boundary; the first part is the statements' JSON, each other part one attachment's
content, named by its X-Experience-API-Hash. Every attachment a statement lists without a
fileUrl must have its part, every part must be listed, and every hash must be the part's. A
signature (usageType .../attachments/signature) must be a JWS in compact serialization, RS256,
RS384 or RS512, whose payload is the statement as it was before the signature was added. Its key
is not verified (the spec does not ask an LRS to), except against an X.509 certificate in the
JWS header (`x5c`), which the spec does ask for. Any problem is an Invalid: a 400 naming it, and
nothing of the request is stored.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt
from cryptography import x509
from django.utils.http import parse_header_parameters

from collector.xapi.problems import Invalid, pointer
from collector.xapi.validation import LRS_KEYS, SIGNATURE, CleanStatement, moment

MAX_PARTS = 101  # the statements, and up to 100 attachments
MAX_ATTACHMENT_BYTES = 1024 * 1024
HASHES = {56: hashlib.sha224, 64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}
ALGORITHMS = ("RS256", "RS384", "RS512")
CRLF = b"\r\n"
BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Part:
    """One attachment's content as sent (or as stored, to answer it)."""

    content_type: str
    sha2: str  # lower-case hex
    content: bytes


def _headers(head: bytes, index: int) -> dict[str, str]:
    headers = {}
    for line in head.split(CRLF) if head else []:
        name, colon, value = line.decode("latin-1").partition(":")
        if not colon or not name.strip():
            raise Invalid("", f"Part {index} of the multipart body has a malformed header line.")
        headers[name.strip().lower()] = value.strip()
    return headers


def _split(body: bytes, boundary: bytes) -> list[bytes]:
    """The parts between the delimiters (RFC 2046, 5.1.1), preamble and epilogue left out."""
    pieces = (CRLF + body).split(CRLF + b"--" + boundary)
    if len(pieces) < 3 or not pieces[-1].startswith(b"--"):
        raise Invalid(
            "", "The multipart body must hold its parts between '--<boundary>' lines and end "
            "with '--<boundary>--'."
        )  # fmt: skip
    if len(pieces) - 2 > MAX_PARTS:
        raise Invalid("", f"Send at most {MAX_PARTS - 1} attachments in one request.")
    parts = []
    for index, piece in enumerate(pieces[1:-1]):
        line_end = piece.find(CRLF)
        if line_end < 0 or piece[:line_end].strip(b" \t"):
            raise Invalid("", f"Part {index} of the multipart body is malformed.")
        parts.append(piece[line_end + 2 :])
    return parts


def multipart_read(body: bytes, content_type: str) -> tuple[bytes, list[Part]]:
    """The statements' JSON (the first part) and the attachments' parts of a multipart/mixed
    body; Invalid for a body that is not one, as Communication 1.5.2 lays it out."""
    _, params = parse_header_parameters(content_type)
    boundary = params.get("boundary", "")
    if not 1 <= len(boundary) <= 70 or not boundary.isascii():
        raise Invalid("", "A multipart/mixed body needs its boundary (1 to 70 characters).")
    parts = []
    for index, raw in enumerate(_split(body, boundary.encode())):
        head, blank, content = raw.partition(CRLF + CRLF)
        if not blank and raw.startswith(CRLF):  # a part without headers
            head, blank, content = b"", CRLF, raw[2:]
        if not blank:
            raise Invalid(
                "", f"Part {index} of the multipart body has no blank line after its headers."
            )
        parts.append((_headers(head, index), content))
    (first, statements), attachments = parts[0], parts[1:]
    if parse_header_parameters(first.get("content-type", ""))[0] != "application/json":
        raise Invalid("", "The first part of a multipart body is the statements, application/json.")
    return statements, [
        _part(headers, content, index + 1) for index, (headers, content) in enumerate(attachments)
    ]


def _part(headers: dict[str, str], content: bytes, index: int) -> Part:
    sha2 = headers.get("x-experience-api-hash", "").lower()
    if len(sha2) not in HASHES:
        raise Invalid(
            "", f"Part {index} needs an X-Experience-API-Hash: its content's SHA-2, in hex."
        )
    if HASHES[len(sha2)](content).hexdigest() != sha2:
        raise Invalid(
            "", f"Part {index}: its X-Experience-API-Hash is not the hash of its content."
        )
    if headers.get("content-transfer-encoding", "binary").lower() != "binary":
        raise Invalid("", f"Part {index}: its Content-Transfer-Encoding must be binary.")
    content_type = headers.get("content-type", "")
    if not content_type or not content_type.isprintable():  # control characters: not storable
        raise Invalid("", f"Part {index} needs a Content-Type (printable text).")
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise Invalid("", f"Part {index} is larger than {MAX_ATTACHMENT_BYTES // 1024} KiB.")
    return Part(content_type[:255], sha2, content)


def attachments_match(
    cleans: list[CleanStatement], parts: list[Part], *, batch: bool
) -> list[tuple[str, Part]]:
    """(statement id, part) for each attachment sent with its content, signatures checked.
    Invalid for an attachment without its part (unless it has a fileUrl: not a signature),
    a part no statement lists, or a malformed signature."""
    by_hash = {part.sha2: part for part in parts}
    used: set[str] = set()
    kept = []
    for index, clean in enumerate(cleans):
        listed = pointer(f"/{index}" if batch else "", "attachments")
        for number, attachment in enumerate(clean.statement.get("attachments", [])):
            where = pointer(listed, number)
            signature = attachment["usageType"] == SIGNATURE
            part = by_hash.get(attachment["sha2"].lower())
            if part is None and ("fileUrl" not in attachment or signature):
                raise Invalid(
                    pointer(where, "sha2"),
                    "No part of the body has this hash: send the attachment's content as a part "
                    "of a multipart/mixed body" + ("." if signature else " (or give its fileUrl)."),
                )
            if part is None:
                continue
            if attachment["length"] != len(part.content):
                raise Invalid(
                    pointer(where, "length"), f"Its part has {len(part.content)} bytes, not this."
                )
            if signature:
                signature_check(clean, part, where)
            used.add(part.sha2)
            kept.append((clean.statement_id, part))
    unlisted = [part.sha2 for part in parts if part.sha2 not in used]
    if unlisted:
        raise Invalid(
            "",
            f"The part with X-Experience-API-Hash {unlisted[0]} is not an attachment of any "
            "statement: list it in the statement's attachments (its sha2).",
        )
    return kept


def _base64url(segment: str) -> bytes:
    if not BASE64URL.fullmatch(segment):
        raise ValueError(segment)
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _comparable(statement: dict[str, Any]) -> dict[str, Any]:
    """What two statements must share to be the same (Data 2.3.1): not what the LRS may set or
    change (id, timestamp, stored, authority, version), nor attachments."""
    skipped = {*LRS_KEYS, "id", "timestamp", "attachments"}
    return {key: value for key, value in statement.items() if key not in skipped}


def _moment(value: Any) -> datetime | None:
    try:
        return moment(value, "")
    except Invalid:
        return None


def _same_statement(signed: dict[str, Any], statement: dict[str, Any]) -> bool:
    if _comparable(signed) != _comparable(statement):
        return False
    if "id" in signed and str(signed["id"]).lower() != statement["id"].lower():
        return False
    if "timestamp" in signed and "timestamp" in statement:
        return _moment(signed["timestamp"]) == _moment(statement["timestamp"])
    return True


def signature_check(clean: CleanStatement, part: Part, where: Any) -> None:
    """The signature is a JWS (compact serialization, RS256/384/512) of this statement."""
    if part.content_type.split(";")[0].strip().lower() != "application/octet-stream":
        raise Invalid(where, "A signature's part must be sent as application/octet-stream.")
    try:
        token = part.content.decode("ascii").strip()
        segments = token.split(".")
        if len(segments) != 3:
            raise ValueError(token)
        header = json.loads(_base64url(segments[0]))
        signed = json.loads(_base64url(segments[1]))
        _base64url(segments[2])
    except (ValueError, binascii.Error, RecursionError):  # JSON and Unicode errors are ValueErrors
        raise Invalid(
            where,
            "The signature is not a JWS in compact serialization: three base64url parts "
            "(header.payload.signature), the header and payload JSON.",
        ) from None
    if not isinstance(header, dict) or header.get("alg") not in ALGORITHMS:
        raise Invalid(where, "The signature's JWS must use RS256, RS384 or RS512 (its 'alg').")
    if not isinstance(signed, dict) or not _same_statement(signed, clean.statement):
        raise Invalid(
            where,
            "The signature's payload is not this statement: sign the statement as it is sent "
            "(without its signature attachment).",
        )
    if "x5c" in header:
        _certificate_check(token, header, where)


def _certificate_check(token: str, header: dict[str, Any], where: Any) -> None:
    """The spec's one verification: against the certificate the JWS header carries."""
    try:
        der = base64.b64decode(header["x5c"][0], validate=True)
        key = x509.load_der_x509_certificate(der).public_key()
        jwt.PyJWS().decode(token, key=key, algorithms=[header["alg"]])  # type: ignore[arg-type]
    except (jwt.InvalidTokenError, ValueError, TypeError, LookupError, binascii.Error):
        raise Invalid(
            where, "The signature does not verify with the certificate in its JWS header (x5c)."
        ) from None


def sendable_as_json(statement: dict[str, Any]) -> dict[str, Any]:
    """The statement as JSON can carry it to another LRS: without the attachments whose content
    only this LRS holds (a JSON body cannot carry it, and another LRS would refuse them without
    it). Attachments at a fileUrl stay. The statement is the same statement without them: the
    spec leaves attachments out of comparing two."""
    kept = [item for item in statement.get("attachments", []) if "fileUrl" in item]
    sendable = {key: value for key, value in statement.items() if key != "attachments"}
    return {**sendable, "attachments": kept} if kept else sendable


def multipart_answer(statements: str, parts: list[Part]) -> tuple[bytes, str]:
    """The statements' JSON text and the attachments' content as a multipart/mixed body, and its
    Content-Type (Communication 1.5.2)."""
    boundary = uuid.uuid4().hex
    while boundary in statements or any(boundary.encode() in part.content for part in parts):
        boundary = uuid.uuid4().hex  # a boundary must not occur in any part
    delimiter = b"--" + boundary.encode() + CRLF
    chunks = [delimiter, b"Content-Type: application/json\r\n\r\n", statements.encode(), CRLF]
    for part in parts:
        head = (
            f"Content-Type: {part.content_type}\r\nContent-Transfer-Encoding: binary\r\n"
            f"X-Experience-API-Hash: {part.sha2}\r\n\r\n"
        )
        chunks += [delimiter, head.encode("latin-1"), part.content, CRLF]
    chunks.append(b"--" + boundary.encode() + b"--")
    return b"".join(chunks), f'multipart/mixed; boundary="{boundary}"'
