from django.urls import path, re_path

from bridgeway.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/form/", views.upload_version, name="upload"),
    path("<int:pk>/status/", views.set_status, name="status"),
    path("<int:pk>/versions/<int:version_pk>/xlsform/", views.download_xlsform,
         name="xlsform"),
    path("<int:pk>/fill/<int:org_pk>/", views.fill, name="fill"),
    path("<int:pk>/fill/<int:org_pk>/live/", views.live, name="live"),
    path("<int:pk>/submissions/<int:sub_pk>/", views.submission, name="submission"),
    path("<int:pk>/submissions/<int:sub_pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results.csv", views.results_csv, name="results_csv"),
    path("<int:pk>/results/texts/", views.results_texts, name="results_texts"),
    re_path(r"^(?P<pk>\d+)/export\.(?P<fmt>xlsx|csv|zip)$", views.export, name="export"),
]
