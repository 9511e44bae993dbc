"""Reader addresses of news, events, their feeds and calendars (``publishing`` namespace)."""

from django.urls import path

from minehub.publishing import feeds, newsletter_views, views

urlpatterns = [
    path("news/", views.news_list, name="news-list"),
    path("news/feed/rss/", feeds.NewsFeed(), name="news-rss"),
    path("news/feed/atom/", feeds.NewsAtomFeed(), name="news-atom"),
    path("news/feed/topic/<slug:slug>/rss/", feeds.TopicNewsFeed(), name="news-topic-rss"),
    path("news/feed/topic/<slug:slug>/atom/", feeds.TopicNewsAtomFeed(), name="news-topic-atom"),
    path("news/<slug:slug>/", views.news_detail, name="news-detail"),
    path(
        "newsletters/unsubscribe/<str:token>/",
        newsletter_views.unsubscribe,
        name="newsletter-unsubscribe",
    ),
    path("events/", views.event_list, name="event-list"),
    path("events/calendar.ics", views.events_ical_feed, name="events-ical-feed"),
    path("events/<slug:slug>/", views.event_detail, name="event-detail"),
    path("events/<slug:slug>/event.ics", views.event_ical, name="event-ical"),
]
