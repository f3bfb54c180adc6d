from django.http import HttpRequest

from dashboard.access import current_learner, is_teacher


def signed_in_as(request: HttpRequest) -> dict:
    """Tells the base layout which navigation to show."""
    user = getattr(request, "user", None)
    teacher = user is not None and is_teacher(user)
    return {
        "is_teacher": teacher,
        "current_learner": None if teacher else current_learner(request),
    }
