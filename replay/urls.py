from django.urls import path

from replay import notes, views

app_name = "replay"

urlpatterns = [
    path("<int:project_id>/<int:run_session_id>/", views.session_replay, name="session"),
    path("<int:project_id>/attempts/<int:attempt_id>/", views.attempt_replay, name="attempt"),
    path(
        "<int:project_id>/compare/<int:first_id>/<int:second_id>/",
        views.compare,
        name="compare",
    ),
    path(
        "<int:project_id>/<int:run_session_id>/statements.json",
        views.session_statements,
        name="statements",
    ),
    path("frame/<str:widget_id>/", views.playback_frame, name="frame"),
    path("<int:project_id>/<int:run_session_id>/notes/", notes.session_notes, name="notes"),
    path(
        "<int:project_id>/<int:run_session_id>/notes/<int:note_id>/",
        notes.session_note,
        name="note",
    ),
]
