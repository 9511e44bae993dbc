from django.urls import include, path

from minehub.library import views

app_name = "library"

urlpatterns = [
    path("", views.document_list, name="document-list"),
    path("documents/<slug:slug>/", views.document_detail, name="document-detail"),
    path("legal-acts/", views.legal_act_list, name="legal-act-list"),
    path("legal-acts/<slug:slug>/", views.legal_act_detail, name="legal-act-detail"),
    path("files/", include("minehub.library.file_urls")),
]
