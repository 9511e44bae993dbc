from django.urls import include, path

from minehub.exchange import following_urls, moderation_urls, posting_urls, views

app_name = "exchange"

urlpatterns = [
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/<int:pk>/", views.open_notification, name="open"),
    path("notifications/read/", views.mark_all_read, name="mark-all-read"),
    path("exchange/", include(posting_urls.urlpatterns)),
    path("exchange/moderation/", include(moderation_urls.urlpatterns)),
    path("exchange/following/", include(following_urls.urlpatterns)),
]
