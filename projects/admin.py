from django.contrib import admin

from projects.models import Project, ProjectRun

RUN_FIELDS = (
    "number",
    "status",
    "progress",
    "reason",
    "submitted_at",
    "finished_at",
    "session_count",
    "learner_count",
    "event_count",
    "skipped_count",
)


class ProjectRunInline(admin.TabularInline):
    model = ProjectRun
    extra = 0
    can_delete = False
    fields = RUN_FIELDS
    readonly_fields = RUN_FIELDS

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "owner__email"]
    raw_id_fields = ["owner"]
    readonly_fields = ["learners", "widgets", "time_from", "time_to"]
    inlines = [ProjectRunInline]
