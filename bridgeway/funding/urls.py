from django.urls import path, re_path

from bridgeway.funding import views

app_name = "funding"
urlpatterns = [
    path("", views.home, name="home"),
    path("funders/", views.funders, name="funders"),
    path("rates/", views.rates, name="rates"),
    path("organisations/<int:pk>/", views.org, name="org"),
    path("organisations/<int:pk>/records/new/", views.record_add, name="record_add"),
    path("organisations/<int:pk>/resilience/", views.resilience, name="resilience"),
    path("organisations/<int:pk>/settings/", views.settings, name="settings"),
    path("organisations/<int:pk>/import/", views.import_file, name="import"),
    re_path(r"^organisations/(?P<pk>\d+)/export\.(?P<fmt>csv|xlsx|json|360\.xlsx)$", views.export,
            name="export"),
    path("records/<int:pk>/", views.record, name="record"),
    path("records/<int:pk>/delete/", views.record_delete, name="record_delete"),
    path("networks/<int:pk>/", views.network, name="network"),
]
