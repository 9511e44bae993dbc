"""URLs of the exchange's moderation views (included by ``exchange.urls`` under
``exchange/moderation/``)."""

from django.urls import URLPattern, path

from minehub.exchange import moderation_views as views

urlpatterns: list[URLPattern] = [
    path("", views.queue, name="moderation-queue"),
    path("act/", views.act, name="moderation-act"),
    path("log/", views.log, name="moderation-log"),
    path("report/<str:content_type>/<int:pk>/", views.report, name="report"),
    path("domains/", views.domains, name="moderation-domains"),
    path("domains/<int:pk>/delete/", views.domain_delete, name="moderation-domain-delete"),
    path("edit/<str:content_type>/<int:pk>/", views.edit, name="moderation-edit"),
    path("threads/<int:pk>/lock/", views.lock, name="moderation-lock"),
    path("members/<int:pk>/", views.member, name="moderation-member"),
]
