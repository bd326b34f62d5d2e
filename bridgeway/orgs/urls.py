from django.urls import path

from bridgeway.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/services/", views.edit_services, name="services"),
    path("<int:pk>/people/", views.members, name="members"),
    path("<int:pk>/people/invite/", views.invite, name="invite"),
    path("<int:pk>/people/invitations/<int:invitation_id>/revoke/", views.invitation_revoke,
         name="invitation_revoke"),
    path("<int:pk>/people/<int:membership_id>/role/", views.membership_role, name="membership_role"),
    path("<int:pk>/people/<int:membership_id>/active/", views.membership_active,
         name="membership_active"),
    path("<int:pk>/network/", views.network, name="network"),
    path("<int:pk>/network/<int:link_id>/remove/", views.network_remove, name="network_remove"),
]
