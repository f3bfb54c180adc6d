from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from dashboard.models import LearnerIdentity, User, WhitelistEntry, normalize_whitelist_value


@admin.register(User)
class PathlensUserAdmin(UserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_demo")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Pathlens", {"fields": ("is_demo",)}))


class WhitelistEntryForm(forms.ModelForm):
    class Meta:
        model = WhitelistEntry
        fields = ["value", "note"]

    def clean_value(self) -> str:
        value = normalize_whitelist_value(self.cleaned_data["value"])
        clash = WhitelistEntry.objects.filter(value__iexact=value).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(f"“{value}” is already on the whitelist.")
        return value


@admin.register(WhitelistEntry)
class WhitelistEntryAdmin(admin.ModelAdmin):
    form = WhitelistEntryForm
    list_display = ("value", "note", "created_at")
    search_fields = ("value", "note")


@admin.register(LearnerIdentity)
class LearnerIdentityAdmin(admin.ModelAdmin):
    list_display = ("display_name", "real_id", "created_at")
    search_fields = ("display_name", "real_id")
    readonly_fields = ("opaque_id", "created_at", "updated_at")
    fields = ("real_id", "display_name", "opaque_id", "created_at", "updated_at")

    def has_add_permission(self, request) -> bool:
        # Identities are created in the teacher dashboard, which keeps real ids unique.
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
