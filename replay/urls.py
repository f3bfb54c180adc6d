from django.urls import path

from replay import views

app_name = "replay"

urlpatterns = [
    path("<int:project_id>/<int:run_session_id>/", views.session_replay, name="session"),
    path("frame/<str:widget_id>/", views.playback_frame, name="frame"),
]
