"""A test LMS: an LTI 1.3 platform on a real HTTP server in a thread, as a school's LMS acts.

It has its own RSA keys and serves their JWKS; its authentication endpoint answers the tool's
OIDC login with an auto-submitting form that posts a signed id_token to the tool, as LMSs do; its
token endpoint grants OAuth2 client-credentials tokens only to a client assertion signed by one of
the tool's published keys; its gradebook (AGS line items and scores) records every score and
requires such a token; its deep-linking return checks the tool's signed response and keeps it.

A test describes a launch with `prepare_launch(...)`, which returns the login_hint the LMS will
recognise; keyword arguments change any claim, and `sign_with`/`kid` let a test forge.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


@dataclass
class Gradebook:
    """Line items and the scores posted to them; `down` answers the next N score posts 503."""

    lineitems: dict[str, dict[str, Any]] = field(default_factory=dict)
    scores: list[dict[str, Any]] = field(default_factory=list)
    refused: int = 0  # score posts answered 503 while down
    down: int = 0
    tokens: dict[str, list[str]] = field(default_factory=dict)  # token → scopes


class TestLms:
    client_id = "pathlens-tool"
    deployment_id = "deployment-1"

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {"lms-key-1": new_key()}
        self.signing_kid = "lms-key-1"
        self.launches: dict[str, dict[str, Any]] = {}
        self.gradebook = Gradebook()
        self.deep_link_responses: list[dict[str, Any]] = []
        self.jwks_fetches = 0
        self.tool_jwks_url = ""  # where the token endpoint and deep-link return fetch our keys
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer((host, 0), _handler_for(self))
        self.url = f"http://{host}:{self.server.server_address[1]}"

    # --- What a registration of this LMS in the tool holds ----------------------------------
    @property
    def issuer(self) -> str:
        return self.url

    def register(self, **changes: Any):
        """Registers this LMS in the tool, as an administrator does (through the model)."""
        from lti.models import Platform

        fields = {
            "name": "TestLMS",
            "issuer": self.issuer,
            "client_id": self.client_id,
            "auth_login_url": f"{self.url}/auth",
            "auth_token_url": f"{self.url}/token",
            "jwks_url": f"{self.url}/jwks",
            "deployment_ids": self.deployment_id,
            **changes,
        }
        return Platform.objects.create(**fields)

    def rotate_key(self) -> str:
        """Publishes a new key and signs with it from now on (the old one stays published)."""
        kid = f"lms-key-{len(self.keys) + 1}"
        self.keys[kid] = new_key()
        self.signing_kid = kid
        return kid

    def jwks(self) -> dict[str, Any]:
        return {"keys": [public_jwk(key, kid) for kid, key in self.keys.items()]}

    # --- Launches ---------------------------------------------------------------------------
    def prepare_launch(
        self,
        *,
        sub: str = "lms-user-42",
        roles: tuple[str, ...] = (LEARNER,),
        context: dict[str, Any] | None = None,
        resource_link: str = "link-1",
        custom: dict[str, Any] | None = None,
        grades: bool = True,
        lineitem: bool = True,
        message_type: str = "LtiResourceLinkRequest",
        sign_with: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
        **claims: Any,
    ) -> str:
        """Describes the next launch; returns its login_hint. `claims` override any claim."""
        body: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub,
            LTI + "deployment_id": self.deployment_id,
            LTI + "message_type": message_type,
            LTI + "version": "1.3.0",
            LTI + "roles": list(roles),
            LTI + "context": context or {"id": "course-7", "title": "Year 7 Fractions"},
            LTI + "custom": custom if custom is not None else {"widget": "TEI001"},
        }
        if message_type == "LtiResourceLinkRequest":
            body[LTI + "resource_link"] = {"id": resource_link, "title": "Fractions practice"}
            body[LTI + "target_link_uri"] = "https://pathlens.example/lti/launch/"
        else:
            body[DL_SETTINGS] = {
                "deep_link_return_url": f"{self.url}/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "data": "picker-session-9",
            }
        if grades:
            body[AGS] = {
                "scope": [SCORE_SCOPE, LINEITEM_SCOPE],
                "lineitems": f"{self.url}/courses/7/lineitems",
            }
            if lineitem:
                item_id = self._lineitem_for(resource_link)
                body[AGS]["lineitem"] = f"{self.url}/courses/7/lineitems/{item_id}"
        body.update(claims)
        hint = secrets.token_hex(8)
        self.launches[hint] = {
            "claims": {k: v for k, v in body.items() if v is not None},
            "key": sign_with,
            "kid": kid,
        }
        return hint

    def _lineitem_for(self, resource_link: str) -> str:
        with self._lock:
            for item_id, item in self.gradebook.lineitems.items():
                if item.get("resourceLinkId") == resource_link:
                    return item_id
            item_id = str(len(self.gradebook.lineitems) + 1)
            self.gradebook.lineitems[item_id] = {
                "id": f"{self.url}/courses/7/lineitems/{item_id}",
                "scoreMaximum": 100,
                "label": "Fractions practice",
                "resourceLinkId": resource_link,
            }
            return item_id

    def login_params(self, login_hint: str, target_link_uri: str = "") -> dict[str, str]:
        """What the LMS sends to the tool's login URL to start the launch."""
        return {
            "iss": self.issuer,
            "login_hint": login_hint,
            "target_link_uri": target_link_uri or "https://pathlens.example/lti/launch/",
            "lti_message_hint": "msg-" + login_hint,
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
        }

    def id_token(self, login_hint: str, nonce: str) -> str:
        launch = self.launches[login_hint]
        now = int(time.time())
        claims = {"iat": now, "exp": now + 300, "nonce": nonce, **launch["claims"]}
        key = launch["key"] or self.keys[self.signing_kid]
        kid = launch["kid"] or self.signing_kid
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})

    def authenticate(self, query: dict[str, str]) -> tuple[int, str]:
        """The OIDC authentication endpoint: an auto-submitting form back to the tool."""
        launch = self.launches.get(query.get("login_hint", ""))
        problems = []
        if launch is None:
            problems.append("unknown login_hint")
        if query.get("client_id") != self.client_id:
            problems.append("wrong client_id")
        if query.get("lti_message_hint") != "msg-" + query.get("login_hint", ""):
            problems.append("lti_message_hint not passed back")
        for name, value in {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
        }.items():
            if query.get(name) != value:
                problems.append(f"{name} is not {value}")
        if not query.get("redirect_uri", "").endswith("/lti/launch/"):
            problems.append("redirect_uri is not the tool's launch URL")
        if problems:
            return 400, "<p>" + html.escape("; ".join(problems)) + "</p>"
        token = self.id_token(query["login_hint"], query["nonce"])
        return 200, auto_submit_form(
            query["redirect_uri"], {"id_token": token, "state": query["state"]}
        )

    # --- Services: token, gradebook, deep-linking return -------------------------------------
    def tool_key(self, token: str) -> jwt.PyJWK:
        kid = jwt.get_unverified_header(token).get("kid")
        keyset = jwt.PyJWKSet.from_dict(requests.get(self.tool_jwks_url, timeout=10).json())
        return next(key for key in keyset.keys if key.key_id == kid)

    def grant_token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        assertion = form.get("client_assertion", "")
        try:
            jwt.decode(
                assertion,
                self.tool_key(assertion),
                algorithms=["RS256"],
                audience=f"{self.url}/token",
                issuer=self.client_id,
                options={"require": ["exp", "iat", "jti", "sub"]},
            )
        except (jwt.PyJWTError, StopIteration) as error:
            return 401, {"error": "invalid_client", "error_description": str(error)}
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        token = secrets.token_urlsafe(16)
        self.gradebook.tokens[token] = form.get("scope", "").split()
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600}

    def authorised(self, header: str, scope: str) -> bool:
        token = header.removeprefix("Bearer ").strip()
        return scope in self.gradebook.tokens.get(token, [])

    def receive_deep_link(self, form: dict[str, str]) -> tuple[int, str]:
        token = form.get("JWT", "")
        try:
            claims = jwt.decode(
                token,
                self.tool_key(token),
                algorithms=["RS256"],
                audience=self.issuer,
                issuer=self.client_id,
            )
        except (jwt.PyJWTError, StopIteration) as error:
            return 400, f"<p>refused: {html.escape(str(error))}</p>"
        self.deep_link_responses.append(claims)
        return 200, "<p id='lms-received'>The LMS received your content.</p>"

    def course_page(self, tool_login_url: str, login_hint: str) -> str:
        """A course page as an LMS draws it: the tool in an iframe, launched by a form."""
        fields = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in self.login_params(login_hint).items()
        )
        return (
            "<!doctype html><title>Course</title><h1>Year 7 Fractions</h1>"
            f'<form id="launch" method="post" action="{html.escape(tool_login_url)}" '
            f'target="tool">{fields}</form>'
            '<iframe name="tool" title="Pathlens" width="1000" height="700"></iframe>'
            "<script>document.getElementById('launch').submit()</script>"
        )


def auto_submit_form(action: str, fields: dict[str, str]) -> str:
    inputs = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in fields.items()
    )
    return (
        "<!doctype html><title>Launching…</title>"
        f'<form id="f" method="post" action="{html.escape(action)}">{inputs}</form>'
        "<script>document.getElementById('f').submit()</script>"
    )


FORM_FIELD = re.compile(r'name="(\w+)" value="([^"]*)"')


def form_fields(page: str) -> dict[str, str]:
    """The hidden fields of an auto-submitting form (what a browser would post)."""
    return {name: html.unescape(value) for name, value in FORM_FIELD.findall(page)}


class _Handler(BaseHTTPRequestHandler):
    lms: TestLms  # set by _handler_for

    def log_message(self, *args) -> None:  # quiet test output
        pass

    def _send(self, status: int, body: str | dict, content_type: str = "text/html") -> None:
        if isinstance(body, dict | list):
            body, content_type = json.dumps(body), "application/json"
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode()
        if "json" in (self.headers.get("Content-Type") or ""):
            return json.loads(raw or "{}")
        return {k: v[0] for k, v in parse_qs(raw).items()}

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/favicon.ico":  # browsers ask; an LMS page has one
            return self._send(200, "", "image/x-icon")
        if parts.path == "/jwks":
            self.lms.jwks_fetches += 1
            return self._send(200, self.lms.jwks())
        if parts.path == "/auth":
            return self._send(*self.lms.authenticate(query))
        if parts.path == "/course":
            return self._send(200, self.lms.course_page(query["tool"], query["hint"]))
        if parts.path == "/courses/7/lineitems":
            if not self.lms.authorised(self.headers.get("Authorization", ""), LINEITEM_SCOPE):
                return self._send(401, {"error": "token"})
            link = query.get("resource_link_id")
            items = [
                item
                for item in self.lms.gradebook.lineitems.values()
                if link is None or item.get("resourceLinkId") == link
            ]
            return self._send(200, items)
        return self._send(404, "<p>not here</p>")

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if path == "/auth":
            return self._send(*self.lms.authenticate(self._form()))
        if path == "/token":
            return self._send(*self.lms.grant_token(self._form()))
        if path == "/deep-link-return":
            return self._send(*self.lms.receive_deep_link(self._form()))
        if path == "/courses/7/lineitems":
            if not self.lms.authorised(self.headers.get("Authorization", ""), LINEITEM_SCOPE):
                return self._send(401, {"error": "token"})
            item = self._form()
            item_id = uuid.uuid4().hex[:8]
            item["id"] = f"{self.lms.url}/courses/7/lineitems/{item_id}"
            self.lms.gradebook.lineitems[item_id] = item
            return self._send(201, item)
        match = re.fullmatch(r"/courses/7/lineitems/(\w+)/scores", path)
        if match:
            return self._score(match.group(1))
        return self._send(404, "<p>not here</p>")

    def _score(self, item_id: str) -> None:
        if not self.lms.authorised(self.headers.get("Authorization", ""), SCORE_SCOPE):
            return self._send(401, {"error": "token"})
        if item_id not in self.lms.gradebook.lineitems:
            return self._send(404, {"error": "no such line item"})
        score = self._form()
        with self.lms._lock:
            if self.lms.gradebook.down > 0:
                self.lms.gradebook.down -= 1
                self.lms.gradebook.refused += 1
                return self._send(503, {"error": "gradebook down"})
            self.lms.gradebook.scores.append({**score, "lineitem": item_id})
        return self._send(200, {})


def _handler_for(lms: TestLms) -> type[_Handler]:
    return type("Handler", (_Handler,), {"lms": lms})


@contextlib.contextmanager
def running_lms(host: str = "127.0.0.1") -> Iterator[TestLms]:
    lms = TestLms(host)
    thread = threading.Thread(target=lms.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield lms
    finally:
        lms.server.shutdown()
        lms.server.server_close()


def launch_through(client, lms: TestLms, login_hint: str):
    """The browser's part of a launch, with a Django test client: login, the LMS's
    authentication, the form post back to the tool. Returns the tool's answer to the launch."""
    started = client.post("/lti/login/", lms.login_params(login_hint))
    assert started.status_code == 302, started.content
    answer = requests.get(started["Location"], timeout=10)
    assert answer.status_code == 200, answer.text
    fields = form_fields(answer.text)
    return client.post("/lti/launch/", {"id_token": fields["id_token"], "state": fields["state"]})
