from django.urls import path

from minehub.exchange import views

app_name = "exchange"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.open_notification, name="open"),
    path("read/", views.mark_all_read, name="mark-all-read"),
]
