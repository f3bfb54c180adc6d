from django.contrib import admin
from django.urls import include, path

from core.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("auth/", include("social_django.urls", namespace="social")),
    path("api/v1/", include("collector.urls")),
    path("xapi/", include("collector.xapi.urls")),
    # The RAGE analytics collector door (serious games): its clients' own paths.
    path("api/collector/", include("collector.rage.urls")),
    # The Segment-style tracking door: a Segment SDK's host is <site>/segment.
    path("segment/", include("collector.segment.urls")),
    # The MetaCX-style events door: a client's base URL is <site>/metacx.
    path("metacx/", include("collector.metacx.urls")),
    path("projects/", include("projects.urls")),
    path("replay/", include("replay.urls")),
    path("lti/", include("lti.urls")),
    path("", include("dashboard.urls")),
]
