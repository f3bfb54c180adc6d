"""The Django admin's site, with a sign-in that never carries a learner into an admin session."""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.http import HttpRequest, HttpResponse

from dashboard.access import LEARNER_SESSION_KEY


class PathlensAdminSite(AdminSite):
    site_header = "Pathlens administration"
    site_title = "Pathlens admin"

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """Django's login() keeps the session's data (it only rotates the key) when nobody was
        signed in, so a learner picked on this browser would stay in the admin's session: a
        learner key next to a staff user. Typing into the admin's password form ends the
        learner's session first, whatever the password (whoever types it is not that learner).
        """
        if request.method == "POST" and LEARNER_SESSION_KEY in request.session:
            request.session.flush()
        return super().login(request, extra_context)
