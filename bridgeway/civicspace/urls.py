from django.urls import path, re_path

from bridgeway.civicspace import views

app_name = "civicspace"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("report/", views.report, name="report"),
    path("review/", views.review_queue, name="review"),
    re_path(r"^export\.(?P<fmt>csv|json|xlsx)$", views.export, name="export"),
    path("incidents/<uuid:pk>/", views.detail, name="detail"),
    path("incidents/<uuid:pk>/edit/", views.edit, name="edit"),
    path("incidents/<uuid:pk>/documents/", views.document_upload, name="document_upload"),
    path("incidents/<uuid:pk>/documents/<uuid:document_id>/", views.document_download,
         name="document"),
    path("incidents/<uuid:pk>/status/", views.transition, name="transition"),
    path("taxonomy/", views.taxonomy, name="taxonomy"),
    path("taxonomy/<int:pk>/deactivate/", views.taxonomy_deactivate, name="taxonomy_deactivate"),
    path("countries/<str:code>/", views.country, name="country"),
    path("consultations/", views.consultations, name="consultations"),
    path("consultations/<int:pk>/", views.consultation, name="consultation"),
    path("consultations/<int:pk>/edit/", views.consultation_edit, name="consultation_edit"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="assessment_edit"),
    path("participations/<int:pk>/incident/", views.exclusion_incident, name="exclusion_incident"),
]
