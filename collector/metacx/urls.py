from django.urls import path

from collector.metacx import views

app_name = "metacx"

urlpatterns = [
    path("getToken", views.get_token, name="get_token"),
    path("events", views.events, name="events"),
]
