from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class DashboardConfig(AppConfig):
    default = True  # this module also holds the admin's config below
    name = "dashboard"
    verbose_name = "School side: sign-in and learner identities"


class PathlensAdminConfig(admin_apps.AdminConfig):
    """The Django admin, on our own site class (dashboard.admin_site)."""

    default = False  # named in INSTALLED_APPS; "dashboard" itself is DashboardConfig
    default_site = "dashboard.admin_site.PathlensAdminSite"
