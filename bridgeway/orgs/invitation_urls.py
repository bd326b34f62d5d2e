from django.urls import path

from bridgeway.orgs import views

app_name = "invitations"
urlpatterns = [path("<str:token>/", views.invitation_accept, name="accept")]
