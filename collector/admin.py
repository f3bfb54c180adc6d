"""Admin for the platform side: API keys can be revoked here; nothing shows a secret."""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.timesince import timesince

from collector.models import (
    ApiKey,
    DataRequest,
    LrsForwarding,
    QuarantinedEvent,
    RagePlayer,
    RageTrackingCode,
    Tenant,
)
from collector.rage.sessions import new_tracking_code
from collector.segment.keys import write_key_new, write_keys_revoke
from collector.segment.models import SegmentWriteKey

# The webhooks' pages (subscriptions, delivery log) register themselves in their own module.
from collector.webhooks import admin as webhooks_admin  # noqa: F401
from collector.xapi.forwarding import forwarding_lag


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


class LrsForwardingForm(forms.ModelForm):
    # Never rendered back; left empty on a change, the stored one is kept.
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="The other LRS's Basic auth password (secret); empty keeps the stored one.",
    )

    class Meta:
        model = LrsForwarding
        fields = ("tenant", "endpoint", "username", "password", "enabled", "send_after")

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if not password and self.instance.pk:
            return self.instance.password
        if not password:
            raise forms.ValidationError("Give the password (secret) the other LRS gave you.")
        return password


@admin.register(LrsForwarding)
class LrsForwardingAdmin(admin.ModelAdmin):
    """Operators' view of forwarding: how far behind each one is and why (docs/collector.md,
    "Forwarding to another LRS"). Staff only, like all of the admin."""

    form = LrsForwardingForm
    list_display = (
        "endpoint", "tenant", "enabled", "waiting", "oldest_waiting", "last_success",
        "last_error", "failures", "next_attempt", "conflicts",
    )  # fmt: skip
    list_filter = ("enabled", "tenant")
    readonly_fields = ("last_success", "last_error", "failures", "next_attempt", "conflicts")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("tenant")

    @admin.display(description="statements waiting")
    def waiting(self, obj: LrsForwarding) -> int:
        return forwarding_lag(obj)[0]

    @admin.display(description="oldest waiting for")
    def oldest_waiting(self, obj: LrsForwarding) -> str:
        oldest = forwarding_lag(obj)[1]
        return timesince(oldest) if oldest else "—"


@admin.register(RageTrackingCode)
class RageTrackingCodeAdmin(admin.ModelAdmin):
    """Where an operator issues a RAGE tracking code: per tenant and per activity (a game). The
    code is made here, shown to be copied into the game's settings, and never changed; a code
    that leaked is switched off (`enabled`) and replaced by a new one (docs/collector.md, "RAGE
    analytics collector")."""

    list_display = ("name", "tenant", "activity", "code", "enabled", "created_at")
    list_filter = ("enabled", "tenant")
    search_fields = ("name", "activity", "code")
    readonly_fields = ("code", "created_at")
    fields = ("tenant", "name", "activity", "enabled", "code", "created_at")

    def get_readonly_fields(self, request, obj=None):
        # Its tenant and activity are what its sessions' statements were stored under.
        fixed = ("tenant", "activity") if obj is not None else ()
        return (*self.readonly_fields, *fixed)

    def save_model(self, request, obj: RageTrackingCode, form, change) -> None:
        if not change:
            obj.code = new_tracking_code()
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # its sessions keep it (PROTECT): switch it off instead


@admin.register(RagePlayer)
class RagePlayerAdmin(admin.ModelAdmin):
    """RAGE players by opaque id: anonymous or identified, and their session counts."""

    list_display = ("learner", "tenant", "anonymous", "sessions", "created_at")
    list_filter = ("anonymous", "tenant")
    search_fields = ("learner",)
    readonly_fields = [field.name for field in RagePlayer._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SegmentWriteKey)
class SegmentWriteKeyAdmin(admin.ModelAdmin):
    """Operators issue a tenant's Segment write keys here (docs/collector.md, "Segment-style
    tracking"). The key is shown: Segment's design makes it semi-public (it sits in an app's
    code and only appends data); revoking is the remedy for a leaked one."""

    list_display = ("name", "tenant", "key", "created", "revoked")
    list_filter = ("tenant",)
    readonly_fields = ("key", "created", "revoked")
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return ("tenant", "name") if obj is None else ("tenant", "name", *self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        # A key's tenant is fixed once it is issued: its data belongs to that tenant.
        return () if obj is None else ("tenant", *self.readonly_fields)

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.key = write_key_new()
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoked, never deleted: what it sent stays explained

    @admin.action(description="Revoke the selected write keys")
    def revoke(self, request, queryset) -> None:
        self.message_user(request, f"{write_keys_revoke(queryset)} write key(s) revoked.")
