"""Keeps the platform side (the collector app) in its own database alias."""

from __future__ import annotations

ANALYTICS_APPS = {"collector"}
# The one name of the collector's database, in settings, the router, and every raw query.
ANALYTICS_ALIAS = "analytics"


class AnalyticsRouter:
    def _alias_for(self, model) -> str:
        return ANALYTICS_ALIAS if model._meta.app_label in ANALYTICS_APPS else "default"

    def db_for_read(self, model, **hints):
        return self._alias_for(model)

    def db_for_write(self, model, **hints):
        return self._alias_for(model)

    def allow_relation(self, obj1, obj2, **hints):
        # No foreign keys cross the boundary: the sides share only opaque ids.
        return self._alias_for(type(obj1)) == self._alias_for(type(obj2))

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label in ANALYTICS_APPS:
            return db == ANALYTICS_ALIAS
        return db != ANALYTICS_ALIAS
