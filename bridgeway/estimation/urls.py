from django.urls import path

from bridgeway.estimation import views

app_name = "estimation"
urlpatterns = [
    path("", views.home, name="home"),
    path("networks/<int:pk>/", views.network, name="network"),
    path("networks/<int:pk>/runs/", views.run_start, name="run_start"),
    path("networks/<int:pk>/lists/", views.offplatform_upload, name="offplatform_upload"),
    path("networks/<int:pk>/settings/", views.network_settings, name="network_settings"),
    path("networks/<int:pk>/secret-reset/", views.secret_reset, name="secret_reset"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("organisations/<int:org_pk>/networks/<int:network_pk>/", views.participation,
         name="participation"),
    path("organisations/<int:org_pk>/networks/<int:network_pk>/encode/",
         views.encodings_compute, name="encodings_compute"),
    path("organisations/<int:org_pk>/networks/<int:network_pk>/upload/",
         views.encodings_upload, name="encodings_upload"),
    path("encoding-jobs/<int:pk>/", views.encoding_job, name="encoding_job"),
    path("organisations/<int:org_pk>/estimates/", views.estimates, name="estimates"),
    path("estimates/<int:pk>/", views.estimate_detail, name="estimate"),
    path("estimates/<int:pk>/<str:step>/", views.estimate_release, name="estimate_release"),
    path("organisations/<int:org_pk>/duplicates/", views.dedupe, name="dedupe"),
    path("duplicates/<int:pk>/", views.dedupe_run, name="dedupe_run"),
    path("pairs/<int:pk>/", views.pair, name="pair"),
    path("pairs/<int:pk>/merge/", views.pair_merge, name="pair_merge"),
]
