from django.urls import path, re_path

from bridgeway.outreach import views

app_name = "outreach"
urlpatterns = [
    path("", views.index, name="index"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("offline/", views.offline, name="offline"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<uuid:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<uuid:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("access/", views.access_list, name="access_list"),
    path("access/new/", views.access_new, name="access_new"),
    path("access/<uuid:pk>/", views.access_detail, name="access_detail"),
    path("access/<uuid:pk>/edit/", views.access_edit, name="access_edit"),
    path("access/<uuid:pk>/incident/", views.access_incident, name="access_incident"),
    path("trainings/", views.training_list, name="training_list"),
    path("trainings/new/", views.training_new, name="training_new"),
    path("trainings/<uuid:pk>/", views.training_detail, name="training_detail"),
    path("trainings/<uuid:pk>/edit/", views.training_edit, name="training_edit"),
    path("trainings/<uuid:pk>/incident/", views.training_incident, name="training_incident"),
    path("facilities/", views.facilities, name="facilities"),
    path("facilities/<int:pk>/edit/", views.facility_edit, name="facility_edit"),
    path("facilities/<int:pk>/active/", views.facility_active, name="facility_active"),
    path("network/", views.network, name="network"),
    re_path(r"^network/export\.(?P<fmt>csv|xlsx)$", views.network_export, name="network_export"),
]
