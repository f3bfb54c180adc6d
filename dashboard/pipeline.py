"""social-auth pipeline step: only whitelisted Google accounts become teachers."""

from __future__ import annotations

import logging

from social_core.exceptions import AuthPolicyError

from dashboard.access import email_is_whitelisted

log = logging.getLogger("pathlens.access")


class NotWhitelisted(AuthPolicyError):
    """Raised before any user, association or session is created for the refused account."""

    def __init__(self, backend, email: str) -> None:
        super().__init__(backend, code="authentication_disallowed", stage="pipeline")
        self.email = email


def require_whitelisted_email(backend, details, *args, **kwargs) -> None:
    email = (details.get("email") or "").strip().lower()
    if not email_is_whitelisted(email):
        log.warning("Google sign-in refused: email not on the whitelist")
        raise NotWhitelisted(backend, email)
    log.info("Google sign-in accepted for a whitelisted email")
