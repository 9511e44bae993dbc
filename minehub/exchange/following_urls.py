"""URLs of the exchange's following views (included by ``exchange.urls``)."""

from django.urls import URLPattern, path

from minehub.exchange import following_views

urlpatterns: list[URLPattern] = [
    path(
        "follow/<slug:model_key>/<int:pk>/",
        following_views.follow_target,
        name="follow",
    ),
    path(
        "unfollow/<slug:model_key>/<int:pk>/",
        following_views.unfollow_target,
        name="unfollow",
    ),
    path("preferences/", following_views.preferences, name="following-preferences"),
    path("unsubscribe/<str:token>/", following_views.unsubscribe, name="unsubscribe"),
]
