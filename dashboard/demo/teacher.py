"""The shared demo teacher: the account the "Try the demo as a teacher" button signs in as."""

from __future__ import annotations

from dashboard.models import User

DEMO_USERNAME = "demo-teacher"


def demo_teacher() -> User:
    """The demo teacher, created on first use. Callers must check `is_demo`: a real account
    that happens to hold the name is never to be handed out."""
    teacher, _ = User.objects.get_or_create(
        username=DEMO_USERNAME,
        defaults={"is_demo": True, "first_name": "Demo", "last_name": "Teacher"},
    )
    return teacher
