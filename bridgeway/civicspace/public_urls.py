from django.urls import path, re_path

from bridgeway.civicspace import public

app_name = "civicspace_public"
urlpatterns = [
    path("", public.index, name="index"),
    path("feed.atom", public.feed, name="feed"),
    re_path(r"^export\.(?P<fmt>csv|json|xlsx)$", public.export, name="export"),
    path("incidents/<uuid:pk>/", public.incident, name="incident"),
    re_path(r"^(?P<code>[A-Z]{2})/$", public.country, name="country"),
]
