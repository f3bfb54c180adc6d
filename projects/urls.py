from django.urls import path

from projects import item_views, views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("<int:project_id>/", views.project_detail, name="detail"),
    path("<int:project_id>/status/", views.project_status, name="status"),
    path("<int:project_id>/runs/", views.project_rerun, name="rerun"),
    path("<int:project_id>/delete/", views.project_delete, name="delete"),
    path("<int:project_id>/export.csv", views.project_export, name="export"),
    path("<int:project_id>/statements.json", views.project_statements, name="statements"),
    path("<int:project_id>/explore/", views.explore, name="explore"),
    path("<int:project_id>/explore/figure.json", views.explore_figure, name="explore_figure"),
    path("<int:project_id>/explore/sessions.csv", views.explore_csv, name="explore_csv"),
    path("<int:project_id>/items/", item_views.run_items, name="items"),
    path("<int:project_id>/items.csv", item_views.run_items_csv, name="items_csv"),
    # Reserved for the replay page, which will replace this view's body (docs/projects.md).
    path(
        "<int:project_id>/sessions/<int:run_session_id>/",
        views.session_detail,
        name="session",
    ),
    # An attempt at another activity (xAPI content): its statement timeline (replay/).
    path("<int:project_id>/attempts/<int:attempt_id>/", views.attempt_detail, name="attempt"),
]
