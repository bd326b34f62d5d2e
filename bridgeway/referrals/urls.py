from django.urls import path

from bridgeway.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("settings/", views.referral_settings, name="settings"),
    path("statistics/", views.referral_statistics_view, name="statistics"),
    path("new/<uuid:case_pk>/", views.referral_new, name="new"),
    path("<uuid:pk>/", views.referral_detail, name="detail"),
    path("<uuid:pk>/accept/", views.accept, name="accept"),
    path("<uuid:pk>/decline/", views.decline, name="decline"),
    path("<uuid:pk>/complete/", views.complete, name="complete"),
    path("<uuid:pk>/revoke/", views.revoke, name="revoke"),
    path("<uuid:pk>/transfer/", views.transfer, name="transfer"),
    path("<uuid:pk>/documents/<uuid:document_id>/", views.document, name="document"),
    path("new/<uuid:case_pk>/offplatform/", views.referral_new_offplatform,
         name="new-offplatform"),
    path("<uuid:pk>/package/", views.package_view, name="package"),
    path("<uuid:pk>/messages/", views.message_post, name="message-post"),
    path("<uuid:pk>/messages/<uuid:message_id>/attachment/", views.attachment,
         name="message-attachment"),
]
