from django.urls import path

from collector.xapi import views

app_name = "xapi"

urlpatterns = [
    path("about", views.about, name="about"),
    path("statements", views.statements, name="statements"),
    path("activities/state", views.activity_state, name="activity_state"),
]
