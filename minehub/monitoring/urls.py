from django.urls import path

from minehub.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.site_list, name="site-list"),
    path("sites/<str:code>/", views.site_detail, name="site-detail"),
    path("stations/<str:code>/", views.station_detail, name="station-detail"),
    path("stations/<str:code>/data.csv", views.station_data, name="station-data"),
    path("exceedances/", views.exceedance_list, name="exceedance-list"),
    path("standards/", views.standard_list, name="standard-list"),
    path("standards/<slug:code>/", views.standard_detail, name="standard-detail"),
    path("imports/", views.import_upload, name="import-upload"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:pk>/errors.csv", views.import_errors_csv, name="import-errors"),
    path("imports/<int:pk>/commit/", views.import_commit, name="import-commit"),
    path("imports/<int:pk>/discard/", views.import_discard, name="import-discard"),
    path("imports/<int:pk>/publish/", views.import_publish, name="import-publish"),
]
