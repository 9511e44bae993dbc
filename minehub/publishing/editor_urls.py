from django.urls import path

from minehub.publishing import editor, newsletter_views

urlpatterns = [
    path("edit/", editor.dashboard, name="dashboard"),
    path("edit/preview/", editor.preview, name="preview"),
    path("edit/newsletters/draft/", newsletter_views.draft, name="newsletter-draft"),
    path("edit/newsletters/<int:pk>/send/", newsletter_views.send, name="newsletter-send"),
    path("edit/mailings/<int:pk>/", newsletter_views.mailing_detail, name="mailing-detail"),
    path("edit/<slug:type_key>/new/", editor.create, name="create"),
    path("edit/<slug:type_key>/<int:pk>/", editor.edit, name="edit"),
    path("edit/<slug:type_key>/<int:pk>/status/", editor.change_status, name="change-status"),
    path("edit/<slug:type_key>/<int:pk>/history/", editor.history, name="history"),
    path(
        "edit/<slug:type_key>/<int:pk>/history/<int:revision_id>/restore/",
        editor.restore,
        name="restore",
    ),
]
