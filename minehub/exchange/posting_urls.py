"""URLs of the exchange's posting views (included by ``exchange.urls``)."""

from django.urls import URLPattern, path

from minehub.exchange import posting_views as views

urlpatterns: list[URLPattern] = [
    path("", views.post_list, name="post-list"),
    path("new/", views.post_create, name="post-create"),
    path("<int:pk>/", views.post_detail, name="post-detail"),
    path("<int:pk>/reply/", views.post_reply, name="post-reply"),
    path("<int:pk>/edit/", views.post_edit, name="post-edit"),
    path("<int:pk>/delete/", views.post_delete, name="post-delete"),
    path("<int:pk>/accept/<int:reply_pk>/", views.accept, name="post-accept"),
    path("replies/<int:pk>/edit/", views.reply_edit, name="reply-edit"),
    path("replies/<int:pk>/delete/", views.reply_delete, name="reply-delete"),
    path("replies/<int:pk>/vote/", views.vote, name="reply-vote"),
    path(
        "comment/<slug:content_type_key>/<int:object_pk>/",
        views.comment_on_content,
        name="comment",
    ),
]
