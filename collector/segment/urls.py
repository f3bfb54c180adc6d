from django.urls import path

from collector.segment import views

app_name = "segment"

urlpatterns = [
    path("v1/batch", views.batch, name="batch"),
    path("v1/track", views.track, name="track"),
    path("v1/page", views.page, name="page"),
    path("v1/identify", views.identify, name="identify"),
]
