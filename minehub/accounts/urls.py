from django.urls import path

from minehub.accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile_edit, name="profile"),
    path("people/", views.expert_list, name="expert-list"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
]
