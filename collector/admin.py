"""Admin for the platform side: API keys can be revoked here; nothing shows a secret."""

from django.contrib import admin
from django.utils import timezone

from collector.models import ApiKey, DataRequest


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "is_internal", "created_at", "revoked_at")
    readonly_fields = ("prefix", "secret_hash", "is_internal", "created_at", "revoked_at")
    fields = ("name", "prefix", "is_internal", "created_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        # Keys are created with `manage.py create_api_key`, which shows the secret exactly once.
        return False

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{count} key(s) revoked.")


@admin.register(DataRequest)
class DataRequestAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "status", "progress", "result_count", "created_at")
    list_filter = ("status", "kind")
    readonly_fields = [field.name for field in DataRequest._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
