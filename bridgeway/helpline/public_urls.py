from django.urls import path

from bridgeway.helpline import public

app_name = "helpline_public"
urlpatterns = [
    path("<str:slug>/", public.form, name="form"),
]
