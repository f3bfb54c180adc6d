from __future__ import annotations

from django import forms

from dashboard.models import LearnerIdentity


class LearnerSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, strip=True)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    def clean_page(self) -> int:
        return self.cleaned_data.get("page") or 1


class LearnerPickForm(forms.Form):
    learner = forms.ModelChoiceField(
        queryset=LearnerIdentity.objects.all(),
        error_messages={
            "required": "Pick your name from the list.",
            "invalid_choice": "That name is no longer on the list. Pick it again, or ask your "
            "teacher.",
        },
    )


class LearnerForm(forms.Form):
    """Creates or edits an identity; uniqueness is checked by dashboard.identities."""

    real_id = forms.CharField(
        label="Real id",
        max_length=150,
        help_text="The school's id for this learner: a student number or an email. Only "
        "teachers see it; the analytics platform never does.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    display_name = forms.CharField(
        label="Display name",
        max_length=150,
        help_text="What the learner picks on the sign-in list.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class LearnerImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        error_messages={
            "required": "Choose a CSV file to upload.",
            "empty": "The file is empty. It needs the header real_id,display_name.",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, max_bytes: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is "
                f"{self.max_bytes // 1024 // 1024} MB. Split it into smaller files."
            )
        return upload


class LearnerImportConfirmForm(forms.Form):
    preview = forms.CharField(max_length=64)
    action = forms.ChoiceField(choices=[("import", "Import"), ("cancel", "Cancel")])


class LearnerRotateForm(forms.Form):
    move_events = forms.BooleanField(
        required=False, label="Also move the earlier events to the new opaque id"
    )


class LearnerDeleteForm(forms.Form):
    events = forms.ChoiceField(
        choices=[("keep", "Keep their events"), ("erase", "Erase their events too")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happens to this learner's events."},
    )
