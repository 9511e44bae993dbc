from django.urls import path

from minehub.directory import project_views, views

app_name = "directory"

urlpatterns = [
    path("", views.organisation_list, name="organisation-list"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("projects/", project_views.project_list, name="project-list"),
    path("projects/<slug:slug>/", project_views.project_detail, name="project-detail"),
]
