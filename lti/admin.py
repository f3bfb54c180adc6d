from django.contrib import admin
from django.utils.html import format_html_join

from lti.models import LtiContext, Passback, Platform, ResourceLink, ToolKey
from lti.registration import tool_urls


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ("name", "issuer", "client_id", "created_at")
    search_fields = ("name", "issuer", "client_id")
    readonly_fields = ("paste_into_the_lms",)
    fields = (
        "name",
        "issuer",
        "client_id",
        "deployment_ids",
        "auth_login_url",
        "auth_token_url",
        "jwks_url",
        "paste_into_the_lms",
    )

    @admin.display(description="Paste into the LMS")
    def paste_into_the_lms(self, obj: Platform) -> str:
        return format_html_join(
            "", "<p><strong>{}</strong><br><code>{}</code></p>", tool_urls().items()
        )


@admin.register(ToolKey)
class ToolKeyAdmin(admin.ModelAdmin):
    list_display = ("kid", "created_at")
    fields = ("kid", "created_at")
    readonly_fields = ("kid", "created_at")

    def has_add_permission(self, request) -> bool:
        return False  # made by `register_lti_platform --new-key` (the private key never shows)


@admin.register(LtiContext)
class LtiContextAdmin(admin.ModelAdmin):
    list_display = ("__str__", "platform", "school_class", "created_at")
    readonly_fields = ("platform", "context_id", "school_class", "created_at")
    fields = ("platform", "context_id", "title", "school_class", "created_at")


@admin.register(ResourceLink)
class ResourceLinkAdmin(admin.ModelAdmin):
    list_display = ("__str__", "platform", "widget", "lineitem_url", "updated_at")
    readonly_fields = ("platform", "resource_link_id", "context", "lineitem_url", "lineitems_url")
    fields = (*readonly_fields, "widget", "title")


@admin.register(Passback)
class PassbackAdmin(admin.ModelAdmin):
    list_display = ("link", "status", "score_given", "score_maximum", "attempts", "sent_at")
    list_filter = ("status",)
    fields = ("link", "status", "score_given", "score_maximum", "attempts", "last_error", "sent_at")
    readonly_fields = fields
