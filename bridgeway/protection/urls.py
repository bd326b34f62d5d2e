from django.urls import path

from bridgeway.protection import views

app_name = "protection"
urlpatterns = [path("", views.audit_log, name="audit_log")]
