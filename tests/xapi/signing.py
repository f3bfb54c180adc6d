"""Signed statements and multipart bodies for the attachment tests: a real RSA key, a JWS of the
statement made with PyJWT (as a signing client would), and the body laid out as Communication
1.5.2 says."""

from __future__ import annotations

import base64
import copy
import datetime
import hashlib

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from collector.xapi.validation import SIGNATURE

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
BOUNDARY = "pathlens-test-boundary"


def certificate(key: rsa.RSAPrivateKey) -> str:
    """A self-signed X.509 certificate of the key, base64 DER (a JWS header's x5c entry)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Content signer")])
    now = datetime.datetime.now(datetime.UTC)
    made = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    return base64.b64encode(made.public_bytes(serialization.Encoding.DER)).decode()


def jws(statement: dict, *, key=KEY, algorithm: str = "RS256", headers=None) -> bytes:
    return jwt.encode(copy.deepcopy(statement), key, algorithm=algorithm, headers=headers).encode()


def attachment(content: bytes, *, usage: str = SIGNATURE, content_type: str = "") -> dict:
    return {
        "usageType": usage,
        "display": {"en-US": "Signature" if usage == SIGNATURE else "Notes"},
        "contentType": content_type or "application/octet-stream",
        "length": len(content),
        "sha2": hashlib.sha256(content).hexdigest(),
    }


def signed(statement: dict, token: bytes | None = None) -> tuple[dict, bytes]:
    """The statement with its signature attachment, and the signature (the JWS of the
    statement as it was before)."""
    token = jws(statement) if token is None else token
    return {**statement, "attachments": [attachment(token)]}, token


def part(content: bytes, *, content_type: str = "application/octet-stream", sha2=None) -> bytes:
    digest = sha2 or hashlib.sha256(content).hexdigest()
    return (
        f"Content-Type: {content_type}\r\nContent-Transfer-Encoding: binary\r\n"
        f"X-Experience-API-Hash: {digest}\r\n\r\n"
    ).encode() + content


def multipart(statements: bytes, *parts: bytes, boundary: str = BOUNDARY) -> bytes:
    delimiter = f"--{boundary}\r\n".encode()
    body = delimiter + b"Content-Type: application/json\r\n\r\n" + statements + b"\r\n"
    for each in parts:
        body += delimiter + each + b"\r\n"
    return body + f"--{boundary}--".encode()
