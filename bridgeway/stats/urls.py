from django.urls import path

from bridgeway.stats import views

app_name = "stats"
urlpatterns = [
    path("", views.home, name="home"),
    path("live/", views.live_refresh, name="live_refresh"),
    path("import/", views.import_upload, name="import"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("export/", views.export, name="export"),
    path("exports/<int:pk>/", views.export_job, name="export_job"),
    path("exports/<int:pk>/download/", views.export_job_download, name="export_download"),
    path("dashboard/", views.dashboard_view, name="dashboard"),
    path("releases/", views.releases, name="releases"),
    path("releases/<int:pk>/", views.release_detail, name="release"),
    path("datasets/<int:pk>/budget/", views.budget, name="budget"),
]
