from django.urls import path

from bridgeway.stats import public

app_name = "stats_public"
urlpatterns = [
    path("", public.index, name="index"),
    path("<int:pk>/", public.release, name="release"),
]
