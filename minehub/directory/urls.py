from django.urls import path

from minehub.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.organisation_list, name="organisation-list"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
]
