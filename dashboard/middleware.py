"""Sign-in middleware: social-auth refusals turned into pages (never a 500), and a rate limit.

The request id for the logs is core/middleware.py's."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import render
from django.urls import reverse
from social_django.middleware import SocialAuthExceptionMiddleware

from config.ratelimit import count_hit
from dashboard.pipeline import NotWhitelisted

log = logging.getLogger("pathlens.access")


class SignInErrorMiddleware(SocialAuthExceptionMiddleware):
    def get_redirect_uri(self, request: HttpRequest, exception: Exception) -> str:
        if isinstance(exception, NotWhitelisted):
            return reverse("dashboard:signin_denied")
        return reverse("dashboard:signin")

    def get_message(self, request: HttpRequest, exception: Exception) -> str:
        if isinstance(exception, NotWhitelisted):
            # Remembered for the denial page only; messages live in a signed cookie.
            return exception.email
        # The kind of failure only: social-core's text may quote what the provider sent.
        log.warning(
            "Google sign-in failed: %s (%s)",
            type(exception).__name__,
            getattr(exception, "code", "") or "no code",
        )
        if getattr(exception, "claim", None) == "email_verified":
            # Trying again cannot help here; verifying the address with Google can.
            return (
                "Google sign-in did not complete: Google has not verified the email address of "
                "this account. Verify it in your Google account, then sign in again."
            )
        # social-core's reasons end with or without a full stop, some with advice of their own.
        reason = str(exception).strip()
        if not reason.endswith((".", "!", "?")):
            reason += "."
        if "please" not in reason.lower():
            reason += " Please try again."
        return f"Google sign-in did not complete: {reason}"

    def dispatch_error(self, request, transports, url, message, backend_name, *, metadata=None):
        if url and url.endswith(reverse("dashboard:signin_denied")):
            messages.info(request, message, extra_tags="refused-email")
            return url
        return super().dispatch_error(
            request, transports, url, message, backend_name, metadata=metadata
        )


# Every way in, the Django admin's password form included (guessing a superuser's password is
# the most valuable attempt of all).
SIGNIN_PATHS = (
    "/signin/demo/",
    "/signin/learner/",
    "/auth/login/",
    "/auth/complete/",
    "/admin/login/",
)
SIGNIN_WINDOW = 300


def client_address(request: HttpRequest) -> str:
    """The client's IP: behind a TLS proxy, the address the proxy appended last."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


class SignInRateLimitMiddleware:
    """Sign-in attempts per client address in a five-minute window, in the shared cache."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        is_attempt = request.path.startswith(SIGNIN_PATHS) and (
            request.method == "POST" or request.path.startswith("/auth/complete/")
        )
        if is_attempt:
            now = time.time()
            window = int(now // SIGNIN_WINDOW)
            key = f"signin-rate:{client_address(request)}:{window}"
            attempts = count_hit(key, window_seconds=SIGNIN_WINDOW)
            if attempts > settings.SIGNIN_RATE_LIMIT:
                retry_after = int(SIGNIN_WINDOW - now % SIGNIN_WINDOW) + 1
                log.warning("sign-in attempts rate-limited for a client address")
                response = render(
                    request,
                    "dashboard/too_many_attempts.html",
                    {"minutes": max(1, round(retry_after / 60))},
                    status=429,
                )
                response["Retry-After"] = str(retry_after)
                return response
        return self.get_response(request)
