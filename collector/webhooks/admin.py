"""The operators' page for webhooks (Django admin, staff only): subscriptions with their lag and
last error, the delivery log, and "send again". The signing secret is shown once, when it is
made, and never rendered back."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.timesince import timesince

from collector.webhooks.delivery import delivery_resend, delivery_send_from, subscription_lag
from collector.webhooks.kinds import KINDS, LABELS
from collector.webhooks.models import WebhookDelivery, WebhookSubscription
from collector.webhooks.outbox import hooked_forget
from collector.webhooks.signing import secret_new

RESEND_MAX = 10  # deliveries sent again per action: each waits for the receiver's answer


class WebhookSubscriptionForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        choices=[(kind, f"{kind} ({LABELS[kind]})") for kind in KINDS],
        widget=forms.CheckboxSelectMultiple,
        initial=list(KINDS),
        help_text="The kinds of change sent to this URL.",
    )
    # Never rendered back; left empty, a new one is made (shown once) or the stored one is kept.
    secret = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="The signing secret the receiver checks signatures with. Leave empty: a new "
        "subscription gets one made for it (shown once, after saving); a saved one keeps its own.",
    )

    class Meta:
        model = WebhookSubscription
        fields = ("tenant", "url", "kinds", "secret", "enabled")

    def clean_secret(self) -> str:
        secret = self.cleaned_data.get("secret") or ""
        if secret and len(secret) < 16:
            raise forms.ValidationError("A signing secret needs at least 16 characters.")
        if not secret and self.instance.pk:
            return self.instance.secret
        return secret


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    """Operators' view of webhooks: how far behind each subscription is and why (docs/collector.md,
    "Webhooks: session changes pushed to you")."""

    form = WebhookSubscriptionForm
    list_display = (
        "url", "tenant", "enabled", "kinds_list", "waiting", "oldest_waiting", "last_success",
        "last_error", "failures", "next_attempt", "log",
    )  # fmt: skip
    list_filter = ("enabled", "tenant")
    readonly_fields = ("last_success", "last_error", "failures", "next_attempt", "created_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("tenant")

    def save_model(self, request, obj: WebhookSubscription, form, change: bool) -> None:
        made = not obj.secret
        if made:
            obj.secret = secret_new()
        super().save_model(request, obj, form, change)
        hooked_forget()  # this process hears of it now; the others within outbox.HOOKED_TTL
        if made:
            self.message_user(
                request,
                f"Its signing secret, shown only this once (give it to the receiver): {obj.secret}",
                messages.WARNING,
            )

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        hooked_forget()

    @admin.display(description="kinds")
    def kinds_list(self, obj: WebhookSubscription) -> str:
        return ", ".join(obj.kinds) or "—"

    @admin.display(description="changes waiting")
    def waiting(self, obj: WebhookSubscription) -> int:
        return subscription_lag(obj)[0]

    @admin.display(description="oldest waiting for")
    def oldest_waiting(self, obj: WebhookSubscription) -> str:
        oldest = subscription_lag(obj)[1]
        return timesince(oldest) if oldest else "—"

    @admin.display(description="delivery log")
    def log(self, obj: WebhookSubscription) -> str:
        url = reverse("admin:collector_webhookdelivery_changelist")
        return format_html('<a href="{}?subscription__id__exact={}">deliveries</a>', url, obj.pk)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: every POST to a receiver and its answer. "Send again" re-sends a logged
    delivery's changes now; "deliver everything again from here" queues again every change from
    its first one on."""

    list_display = (
        "attempted_at", "subscription", "outcome", "change_count", "resend", "duration_ms",
        "delivery_id",
    )  # fmt: skip
    list_filter = ("subscription", "resend")
    date_hierarchy = "attempted_at"
    readonly_fields = (
        "subscription", "delivery_id", "changes", "resend", "status_code", "error",
        "attempted_at", "duration_ms",
    )  # fmt: skip
    actions = ["send_again", "send_again_from_here"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("subscription")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="answer")
    def outcome(self, obj: WebhookDelivery) -> str:
        return str(obj.status_code) if obj.succeeded else obj.error

    @admin.display(description="changes")
    def change_count(self, obj: WebhookDelivery) -> int:
        return len(obj.changes)

    @admin.action(description="Send the selected deliveries again now")
    def send_again(self, request, queryset) -> None:
        chosen = list(queryset.order_by("attempted_at", "id").values_list("id", flat=True))
        if len(chosen) > RESEND_MAX:
            self.message_user(
                request, f"Choose at most {RESEND_MAX} deliveries at once.", messages.ERROR
            )
            return
        for delivery_id in chosen:
            sent = delivery_resend(delivery_id=delivery_id)
            if sent.succeeded:
                self.message_user(request, f"Sent again: the receiver answered {sent.status_code}.")
            else:
                self.message_user(request, f"Not sent again: {sent.error}", messages.ERROR)

    @admin.action(description="Deliver everything again from the selected delivery on")
    def send_again_from_here(self, request, queryset) -> None:
        earliest = queryset.order_by("attempted_at", "id").first()
        if earliest is None or not earliest.changes:
            self.message_user(request, "That delivery carried no changes.", messages.ERROR)
            return
        subscription = delivery_send_from(delivery_id=earliest.pk)
        self.message_user(
            request,
            f"{subscription_lag(subscription)[0]} change(s) will be delivered again, in order, "
            "at the next run.",
        )
