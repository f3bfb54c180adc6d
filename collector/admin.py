"""Admin for the platform side: API keys can be revoked here; nothing shows a secret."""

from django.contrib import admin
from django.utils import timezone

from collector.models import ApiKey, DataRequest, QuarantinedEvent, Tenant


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "created_at")
    readonly_fields = ("created_at",)

    def has_add_permission(self, request) -> bool:
        # Tenants are made with their first key: `manage.py create_api_key --tenant NAME`.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # their data is kept (PROTECT); erase learners through the API instead


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "tenant", "prefix", "is_internal", "created_at", "revoked_at")
    list_filter = ("tenant",)
    readonly_fields = (
        "tenant",
        "prefix",
        "secret_hash",
        "is_internal",
        "created_at",
        "revoked_at",
    )
    fields = ("name", "tenant", "prefix", "is_internal", "created_at", "revoked_at")
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
    list_display = ("id", "tenant", "kind", "status", "progress", "result_count", "created_at")
    list_filter = ("status", "kind", "tenant")
    readonly_fields = [field.name for field in DataRequest._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(QuarantinedEvent)
class QuarantinedEventAdmin(admin.ModelAdmin):
    """The operator's page for widget or schema drift: events refused for validity, and why."""

    list_display = ("received_at", "tenant", "widget", "session", "learner", "reason")
    list_filter = ("tenant", "widget")
    search_fields = ("reason", "session", "learner")
    date_hierarchy = "received_at"
    readonly_fields = [field.name for field in QuarantinedEvent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
