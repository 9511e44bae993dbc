from django.urls import path

from minehub.monitoring import alert_views, views

app_name = "monitoring"

urlpatterns = [
    path("", views.site_list, name="site-list"),
    path("sites/<str:code>/", views.site_detail, name="site-detail"),
    path("stations/<str:code>/", views.station_detail, name="station-detail"),
    path("stations/<str:code>/data.csv", views.station_data, name="station-data"),
    path("stations/<str:code>/data.xlsx", views.station_data_xlsx, name="station-data-xlsx"),
    path("exceedances/", views.exceedance_list, name="exceedance-list"),
    path("map/", views.monitoring_map, name="map"),
    path("map/features.geojson", views.map_features, name="map-features"),
    path("map/outlines.geojson", views.map_outlines, name="map-outlines"),
    path("near/", views.near, name="near"),
    path("standards/", views.standard_list, name="standard-list"),
    path("standards/<slug:code>/", views.standard_detail, name="standard-detail"),
    path("alerts/", alert_views.alert_settings, name="alerts"),
    path("alerts/<int:pk>/unfollow/", alert_views.unfollow, name="alert-unfollow"),
    path("alerts/unsubscribe/<str:token>/", alert_views.unsubscribe, name="alert-unsubscribe"),
    path("sites/<str:code>/follow/", alert_views.follow_site, name="site-follow"),
    path("imports/", views.import_upload, name="import-upload"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:pk>/errors.csv", views.import_errors_csv, name="import-errors"),
    path("imports/<int:pk>/commit/", views.import_commit, name="import-commit"),
    path("imports/<int:pk>/discard/", views.import_discard, name="import-discard"),
    path("imports/<int:pk>/publish/", views.import_publish, name="import-publish"),
]
