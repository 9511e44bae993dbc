from django.urls import path

from minehub.search import views

app_name = "search"
urlpatterns = [
    path("", views.results_page, name="results"),
    path("statistics/", views.statistics, name="statistics"),
]
