from __future__ import annotations

from django import forms

from dashboard.models import LearnerIdentity, NotificationSettings


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


class ClassForm(forms.Form):
    name = forms.CharField(
        label="Class name",
        max_length=120,
        help_text="As your learners know it, e.g. 7B or Maths set 2.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    year = forms.CharField(label="Year (optional)", max_length=40, required=False)
    subject = forms.CharField(label="Subject (optional)", max_length=80, required=False)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Give the class a name.")
        return name


class ClassShareForm(forms.Form):
    email = forms.EmailField(
        label="Colleague's email",
        max_length=254,
        error_messages={"invalid": "Enter the email your colleague signs in with."},
    )


class ClassLearnersForm(forms.Form):
    """Learners to add to a class, ticked in the picker."""

    learner = forms.ModelMultipleChoiceField(
        queryset=LearnerIdentity.objects.all(),
        error_messages={
            "required": "Tick at least one learner to add.",
            "invalid_choice": "One of the ticked learners no longer exists. Reload the page.",
            "invalid_pk_value": "One of the ticked learners is not valid. Reload the page.",
        },
    )


class ClassMoveForm(forms.Form):
    to = forms.IntegerField(
        min_value=1, error_messages={"required": "Choose the class to move the learner to."}
    )


class ClassCodeForm(forms.Form):
    code = forms.CharField(label="Class code", max_length=20, strip=True, required=False)


class GridSortForm(forms.Form):
    sort = forms.ChoiceField(
        required=False,
        choices=[("", "name"), ("name", "name"), ("attention", "attention"), ("time", "time")],
        error_messages={"invalid_choice": "The grid sorts by name, attention or time."},
    )

    def clean_sort(self) -> str:
        return self.cleaned_data["sort"] or "name"


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = ["run_done", "daily_digest"]
        labels = {
            "run_done": "When a run of one of my projects has finished",
            "daily_digest": "Each morning: who needs attention in each of my classes",
        }
