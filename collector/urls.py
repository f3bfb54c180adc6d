from django.urls import path

from collector import api

app_name = "collector"

urlpatterns = [
    path("events", api.events, name="events"),
    path("data-requests", api.data_requests, name="data_requests"),
    path("data-requests/<uuid:request_id>", api.data_request, name="data_request"),
    path(
        "data-requests/<uuid:request_id>/results",
        api.data_request_results,
        name="data_request_results",
    ),
    path(
        "data-requests/<uuid:request_id>/other-attempts",
        api.data_request_attempts,
        name="data_request_attempts",
    ),
    path("sessions/<str:session>/events", api.session_events, name="session_events"),
    path("sessions/<str:session>/statements", api.session_statements, name="session_statements"),
    # Before learners/<str:learner>, which would otherwise take "session-counts" for an id.
    path("learners/session-counts", api.learner_session_counts, name="learner_session_counts"),
    path("learners/live", api.learners_live, name="learners_live"),
    path(
        "learners/other-activities",
        api.learners_other_activities,
        name="learners_other_activities",
    ),
    path("learners/<str:learner>", api.learner, name="learner"),
    path(
        "learners/<str:learner>/attempt-statements",
        api.learner_attempt_statements,
        name="learner_attempt_statements",
    ),
    path("learners/<str:learner>/revoke", api.learner_revoke, name="learner_revoke"),
    path("learners/<str:learner>/move", api.learner_move, name="learner_move"),
    path("learner-tokens", api.learner_tokens, name="learner_tokens"),
    path("quarantine", api.quarantine, name="quarantine"),
    path("openapi.json", api.openapi, name="openapi"),
]
