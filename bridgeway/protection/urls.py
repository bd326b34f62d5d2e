from django.urls import path

from bridgeway.protection import views

app_name = "protection"
urlpatterns = [
    path("audit/", views.audit_log, name="audit_log"),
    path("people/", views.subject_list, name="subjects"),
    path("people/<uuid:pk>/", views.subject_detail, name="subject"),
    path("people/<uuid:pk>/consent/", views.consent_add, name="consent_add"),
    path("people/<uuid:pk>/consent/<uuid:consent_id>/withdraw/", views.consent_withdraw,
         name="consent_withdraw"),
    path("people/<uuid:pk>/documents/", views.document_add, name="document_add"),
    path("people/<uuid:pk>/documents/<uuid:document_id>/", views.document_download,
         name="document_download"),
    path("people/<uuid:pk>/erasure/", views.erasure_ask, name="erasure_ask"),
    path("people/<uuid:pk>/legal-hold/", views.legal_hold, name="legal_hold"),
    path("people/<uuid:pk>/export/", views.subject_export, name="subject_export"),
    path("retention/", views.retention, name="retention"),
    path("retention/scan/", views.retention_scan_now, name="retention_scan"),
    path("retention/<int:request_id>/decide/", views.erasure_decide, name="erasure_decide"),
    path("access-log/", views.access_log, name="access_log"),
    path("access-log/reviewed/", views.access_reviewed, name="access_reviewed"),
    path("keys/", views.keys, name="keys"),
]
