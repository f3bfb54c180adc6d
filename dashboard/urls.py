from django.urls import path

from dashboard import class_views, identity_views, views

app_name = "dashboard"

urlpatterns = [
    path("", views.signin, name="signin"),
    path("signin/", views.signin),
    path("signin/denied/", views.signin_denied, name="signin_denied"),
    path("signin/demo/", views.demo_signin, name="demo_signin"),
    path("signin/learner/", views.learner_signin, name="learner_signin"),
    path("signin/learner/<str:code>/", views.learner_signin_class, name="learner_signin_class"),
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
    path("teacher/learners/<int:pk>/profile/", class_views.learner_profile, name="learner_profile"),
    path(
        "teacher/learners/<int:pk>/rotate/", identity_views.learners_rotate, name="learners_rotate"
    ),
    path(
        "teacher/learners/<int:pk>/delete/", identity_views.learners_delete, name="learners_delete"
    ),
    path("teacher/classes/", class_views.class_list, name="class_list"),
    path("teacher/notifications/", class_views.notification_settings, name="notifications"),
    path("teacher/classes/<int:class_id>/", class_views.class_detail, name="class_detail"),
    path("teacher/classes/<int:class_id>/edit/", class_views.class_edit, name="class_edit"),
    path("teacher/classes/<int:class_id>/overview/", views.class_overview, name="class_overview"),
    path("teacher/classes/<int:class_id>/live/", class_views.class_live, name="class_live"),
    path("teacher/classes/<int:class_id>/delete/", class_views.class_delete, name="class_delete"),
    path(
        "teacher/classes/<int:class_id>/learners/",
        class_views.class_learners_add,
        name="class_learners_add",
    ),
    path(
        "teacher/classes/<int:class_id>/learners/<int:learner_id>/remove/",
        class_views.class_learner_remove,
        name="class_learner_remove",
    ),
    path(
        "teacher/classes/<int:class_id>/learners/<int:learner_id>/move/",
        class_views.class_learner_move,
        name="class_learner_move",
    ),
    path("teacher/classes/<int:class_id>/teachers/", class_views.class_share, name="class_share"),
    path(
        "teacher/classes/<int:class_id>/teachers/<int:teacher_id>/remove/",
        class_views.class_unshare,
        name="class_unshare",
    ),
    path("learn/", views.learner_home, name="learner_home"),
    path("learn/<str:widget_id>/", views.widget_page, name="widget_page"),
]
