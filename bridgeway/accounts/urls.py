from django.urls import path

from bridgeway.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account_settings, name="settings"),
    path("tokens/new/", views.token_create, name="token_create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
