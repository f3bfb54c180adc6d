from django.urls import path

from dashboard import identity_views, views

app_name = "dashboard"

urlpatterns = [
    path("", views.signin, name="signin"),
    path("signin/", views.signin),
    path("signin/denied/", views.signin_denied, name="signin_denied"),
    path("signin/demo/", views.demo_signin, name="demo_signin"),
    path("signin/learner/", views.learner_signin, name="learner_signin"),
    path("signout/", views.signout, name="signout"),
    path("teacher/", views.home, name="home"),
    path("teacher/learners/", identity_views.learners, name="learners"),
    path("teacher/learners/new/", identity_views.learners_new, name="learners_new"),
    path("teacher/learners/import/", identity_views.learners_import, name="learners_import"),
    path(
        "teacher/learners/import/preview/",
        identity_views.learners_import_preview,
        name="learners_import_preview",
    ),
    path("teacher/learners/export/", identity_views.learners_export, name="learners_export"),
    path("teacher/learners/<int:pk>/", identity_views.learners_edit, name="learners_edit"),
    path(
        "teacher/learners/<int:pk>/rotate/", identity_views.learners_rotate, name="learners_rotate"
    ),
    path(
        "teacher/learners/<int:pk>/delete/", identity_views.learners_delete, name="learners_delete"
    ),
    path("learn/", views.learner_home, name="learner_home"),
    path("learn/<str:widget_id>/", views.widget_page, name="widget_page"),
]
