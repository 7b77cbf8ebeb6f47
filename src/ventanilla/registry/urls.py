from django.urls import path

from ventanilla.registry import views

app_name = "office"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("declare/", views.declare_choose, name="declare_choose"),
    path("search/", views.search, name="search"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
