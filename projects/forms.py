"""Every input of the projects pages, validated here: the create form and the explorer's GET."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils import timezone

from dashboard.classes import classes_for
from dashboard.models import LearnerIdentity, SchoolClass, User
from projects import paths
from projects.charts import MAX_PATHS
from projects.models import NAME_MAX, Project
from widgets.measures import OUTCOME_LABELS
from widgets.registry import all_widgets

# The platform accepts at most this many learners in one request (collector/schemas.py).
MAX_LEARNERS = 20_000


class ProjectForm(forms.Form):
    name = forms.CharField(
        max_length=NAME_MAX,
        strip=True,
        error_messages={
            "required": "Give the project a name, such as “Fractions, class 7B, spring”.",
            "max_length": f"Keep the name under {NAME_MAX} characters.",
        },
    )
    school_class = forms.ModelChoiceField(
        queryset=SchoolClass.objects.none(),
        required=False,
        error_messages={"invalid_choice": "That class is not one of yours. Pick it again."},
    )
    all_learners = forms.BooleanField(required=False)
    learners = forms.ModelMultipleChoiceField(
        queryset=LearnerIdentity.objects.all(),
        required=False,
        error_messages={
            "invalid_choice": "Some of the chosen learners no longer exist (deleted meanwhile?). "
            "Check the list and save again.",
            "invalid_pk_value": "The learner list was garbled. Reload the page and choose again.",
        },
    )
    widgets = forms.MultipleChoiceField(
        choices=[],
        error_messages={
            "required": "Choose at least one widget.",
            "invalid_choice": "“%(value)s” is not a widget of this school.",
        },
    )
    time_from = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": "Enter the start as a date and time, or leave it empty."},
    )
    time_to = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": "Enter the end as a date and time, or leave it empty."},
    )

    def __init__(self, *args, owner: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        cast(forms.ChoiceField, self.fields["widgets"]).choices = [
            (w.id, w.title) for w in all_widgets()
        ]
        cast(forms.ModelChoiceField, self.fields["school_class"]).queryset = classes_for(user=owner)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if Project.objects.filter(
            owner=self.owner, name__iexact=name, is_class_feed=False
        ).exists():
            raise forms.ValidationError(
                f"You already have a project named “{name}”. Choose another name, or run that "
                "project again from its page."
            )
        return name

    def clean_widgets(self) -> list[str]:
        chosen = set(self.cleaned_data["widgets"])
        return [w.id for w in all_widgets() if w.id in chosen]

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data  # the dict Form.clean() returns, typed as never None
        if cleaned.get("all_learners"):
            cleaned["learners"] = list(LearnerIdentity.objects.values_list("pk", flat=True))
            if not cleaned["learners"]:
                self.add_error("learners", "There are no learners yet: add your class first.")
        elif "learners" in cleaned and not cleaned["learners"]:
            self.add_error("learners", "Choose at least one learner, or tick “Every learner”.")
        if len(cleaned.get("learners") or []) > MAX_LEARNERS:
            self.add_error(
                "learners",
                f"A project can follow at most {MAX_LEARNERS:,} learners; split the class "
                "into several projects.",
            )
        time_from, time_to = cleaned.get("time_from"), cleaned.get("time_to")
        if time_from and time_to and time_from >= time_to:
            self.add_error("time_to", "The end must be later than the start.")
        if time_from and time_from > timezone.now():
            self.add_error(
                "time_from", "The start is in the future, so there can be no sessions yet."
            )
        return cleaned


class IdListField(forms.Field):
    """Repeated GET parameters holding ids (`?learner=4&learner=9`), deduplicated, in order."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, label_for_errors: str, max_count: int | None = None, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.label_for_errors = label_for_errors
        self.max_count = max_count

    def to_python(self, value) -> list[int]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        ids: list[int] = []
        for raw in values:
            if not str(raw).isdigit() or len(str(raw)) > 18:
                raise forms.ValidationError(
                    f"“{str(raw)[:40]}” is not a {self.label_for_errors} number."
                )
            if int(raw) not in ids:
                ids.append(int(raw))
        return ids


class ExploreForm(forms.Form):
    """The explorer's GET parameters: run, compared paths, the learner table's search and sort."""

    run = forms.IntegerField(required=False, min_value=1)
    learner = IdListField(label_for_errors="learner")
    remove = IdListField(label_for_errors="learner")
    q = forms.CharField(required=False, max_length=100, strip=True)
    shown_q = forms.CharField(required=False, max_length=100, strip=True)
    lsort = forms.CharField(required=False, max_length=20)
    wsort = forms.CharField(required=False, max_length=20)
    lpage = forms.IntegerField(required=False, min_value=1, max_value=100_000)
    # Sessions opened without any work are left out of every figure unless asked for.
    opens = forms.BooleanField(required=False)
    # Set by the page's form: the teacher chose the paths (none is a choice); without it and
    # without learners the page shows its default paths (explorer.default_learners).
    picked = forms.BooleanField(required=False)
    x = forms.ChoiceField(
        required=False,
        choices=[("time", "Calendar time"), ("sequence", "Sequence")],
        error_messages={"invalid_choice": "Lay sessions out by “time” or by “sequence”."},
    )
    # Filters: what the chart, the tables and the CSV of the view show.
    since = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Write the first day as YYYY-MM-DD."},
    )
    until = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Write the last day as YYYY-MM-DD."},
    )
    widget = forms.MultipleChoiceField(required=False)
    outcome = forms.MultipleChoiceField(
        required=False,
        choices=[(str(key), label) for key, label in OUTCOME_LABELS.items()],
        error_messages={
            "invalid_choice": "“%(value)s” is not an outcome: choose from "
            + ", ".join(str(key) for key in OUTCOME_LABELS)
            + "."
        },
    )
    smin = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=100,
        error_messages={"invalid": "The lowest score is a whole percentage, 0 to 100."},
    )
    smax = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=100,
        error_messages={"invalid": "The highest score is a whole percentage, 0 to 100."},
    )

    def __init__(self, *args, widgets: list[str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The project's widgets; any id is refused when they are not given (figure and export).
        known = widgets or []
        cast(forms.ChoiceField, self.fields["widget"]).choices = [(w, w) for w in known]
        self.fields["widget"].error_messages["invalid_choice"] = (
            "“%(value)s” is not a widget of this project: choose from " + ", ".join(known) + "."
        )

    def clean_lsort(self) -> paths.Sort:
        sort = paths.parse_sort(self.cleaned_data["lsort"], paths.LEARNER_SORTS, "name")
        if sort is None:
            keys = ", ".join(paths.LEARNER_SORTS)
            raise forms.ValidationError(f"The learner table sorts by one of: {keys}.")
        return sort

    def clean_wsort(self) -> paths.Sort:
        sort = paths.parse_sort(self.cleaned_data["wsort"], paths.WIDGET_SORTS, "widget")
        if sort is None:
            keys = ", ".join(paths.WIDGET_SORTS)
            raise forms.ValidationError(f"The widget table sorts by one of: {keys}.")
        return sort

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data  # the dict Form.clean() returns, typed as never None
        removed = set(cleaned.get("remove") or [])
        learners = [pk for pk in cleaned.get("learner") or [] if pk not in removed]
        if len(learners) > MAX_PATHS:
            self.add_error(
                "learner",
                f"Compare at most {MAX_PATHS} paths at once: remove one before adding another.",
            )
        cleaned["learner"] = learners
        # A new search typed into the form (which says what it showed) starts on page 1.
        if "shown_q" in self.data and cleaned.get("q", "") != cleaned.get("shown_q", ""):
            cleaned["lpage"] = 1
        cleaned["lpage"] = cleaned.get("lpage") or 1
        cleaned["x"] = cleaned.get("x") or "time"
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The last day comes before the first: swap the two dates.")
        smin, smax = cleaned.get("smin"), cleaned.get("smax")
        if smin is not None and smax is not None and smin > smax:
            self.add_error("smax", "The highest score is below the lowest: swap the two.")
        return cleaned

    def check_learners(self, known: set[int]) -> list[str]:
        """Problems with chosen learners that are not in this run's results (for a 400)."""
        unknown = [pk for pk in self.cleaned_data["learner"] if pk not in known]
        if not unknown:
            return []
        listed = ", ".join(str(pk) for pk in unknown[:5])
        return [
            f"No learner with id {listed} has sessions in this run of the project. "
            "Choose learners from the table."
        ]

    def problems(self) -> list[str]:
        return [str(error) for errors in self.errors.values() for error in errors]
