"""The site's URLs plus one API URL whose view fails, to see how an unforeseen error is answered
(no view of ours fails on purpose)."""

from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def failing_view(request):
    raise RuntimeError("a bug that nobody foresaw")


urlpatterns = [path("api/v1/failing", failing_view), *site_urlpatterns]
