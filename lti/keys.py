"""The tool's own RSA keys: made on first use, published as a JWKS, used to sign.

The JWKS is what an LMS fetches (from `lti:jwks`) to check our deep-linking responses and the
client assertions of grade passback.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import transaction

from lti.models import ToolKey

ALGORITHM = "RS256"


def tool_key_create() -> ToolKey:
    """A new 2048-bit key pair; it becomes the signing key (the newest one signs)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return ToolKey.objects.create(kid=secrets.token_hex(8), private_pem=pem)


def signing_key() -> ToolKey:
    key = ToolKey.objects.first()
    if key is not None:
        return key
    with transaction.atomic():
        key = ToolKey.objects.select_for_update().first()
        return key if key is not None else tool_key_create()


def public_jwk(key: ToolKey) -> dict[str, Any]:
    private = serialization.load_pem_private_key(key.private_pem.encode(), password=None)
    if not isinstance(private, rsa.RSAPrivateKey):
        raise ValueError(f"tool key {key.kid} is not an RSA key")
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    return {**jwk, "kid": key.kid, "alg": ALGORITHM, "use": "sig"}


def tool_jwks() -> dict[str, list[dict[str, Any]]]:
    signing_key()  # an LMS may fetch the keyset before anything was ever signed
    return {"keys": [public_jwk(key) for key in ToolKey.objects.all()]}


def sign(claims: dict[str, Any]) -> str:
    key = signing_key()
    return jwt.encode(claims, key.private_pem, algorithm=ALGORITHM, headers={"kid": key.kid})
