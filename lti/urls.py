from django.urls import path

from lti import views

app_name = "lti"

urlpatterns = [
    path("jwks.json", views.jwks, name="jwks"),
    path("login/", views.login_initiation, name="login"),
    path("launch/", views.launch, name="launch"),
    path("teacher/<str:token>/", views.teacher_handoff, name="teacher_handoff"),
    path("deep-link/<str:pick_id>/", views.deep_link, name="deep_link"),
    path("classes/<int:class_id>/passback/", views.class_passback, name="class_passback"),
]
