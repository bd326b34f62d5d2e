from django.urls import path

from bridgeway.helpline import views

app_name = "helpline"
urlpatterns = [
    path("", views.contact_list, name="list"),
    path("record/", views.record, name="record"),
    path("triage/", views.triage, name="triage"),
    path("settings/", views.settings_view, name="settings"),
    path("statistics/", views.stats, name="stats"),
    path("import/", views.call_log_import, name="import"),
    path("contacts/<uuid:pk>/", views.detail, name="detail"),
    path("contacts/<uuid:pk>/update/", views.update, name="update"),
    path("contacts/<uuid:pk>/link/", views.link_case, name="link_case"),
    path("contacts/<uuid:pk>/open-case/", views.open_case, name="open_case"),
    path("contacts/<uuid:pk>/follow-up-done/", views.follow_up_done, name="follow_up_done"),
    path("contacts/<uuid:pk>/release/", views.release, name="release"),
]
