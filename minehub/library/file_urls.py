"""Attached files and their text extraction; included in the ``library`` namespace under
``files/`` (so the names below are ``library:attachment-download`` and so on)."""

from django.urls import path

from minehub.library import file_views

urlpatterns = [
    path(
        "<int:pk>/<str:filename>",
        file_views.attachment_download,
        name="attachment-download",
    ),
    path("stored/<int:pk>/", file_views.file_status, name="file-status"),
    path("stored/<int:pk>/retry/", file_views.file_retry, name="file-retry"),
    path("stored/<int:pk>/text/", file_views.file_text, name="file-text"),
]
