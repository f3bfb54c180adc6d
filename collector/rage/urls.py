from django.urls import path

from collector.rage import views

app_name = "rage"

urlpatterns = [
    path("start/<str:tracking_code>", views.start, name="start"),
    path("track", views.track, name="track"),
]
