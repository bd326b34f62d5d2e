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
    path("<int:pk>/contacts/new/", views.contact_add, name="contact_add"),
    path("<int:pk>/contacts/<int:contact_id>/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/contacts/<int:contact_id>/remove/", views.contact_remove,
         name="contact_remove"),
    path("task-forces/", views.mechanisms, name="mechanisms"),
    path("task-forces/new/", views.mechanism_create, name="mechanism_create"),
    path("task-forces/<int:pk>/", views.mechanism_detail, name="mechanism"),
    path("task-forces/<int:pk>/edit/", views.mechanism_edit, name="mechanism_edit"),
    path("task-forces/<int:pk>/members/add/", views.mechanism_member_add,
         name="mechanism_member_add"),
    path("task-forces/<int:pk>/members/<int:member_id>/remove/", views.mechanism_member_remove,
         name="mechanism_member_remove"),
    path("task-forces/<int:pk>/meetings/", views.mechanism_meetings, name="mechanism_meetings"),
    path("task-forces/<int:pk>/meetings/new/", views.meeting_add, name="meeting_add"),
]
