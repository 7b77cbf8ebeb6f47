from django.urls import path

from ventanilla.registry import views
from ventanilla.registry.views.audit import access_log

app_name = "office"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("declare/", views.declare_choose, name="declare_choose"),
    path("declare/<slug:event_type>/", views.declare, name="declare"),
    path("records/<uuid:record_id>/", views.record, name="record"),
    path("records/<uuid:record_id>/duplicates/", views.duplicates, name="duplicates"),
    path("records/<uuid:record_id>/correct/", views.correct, name="correct"),
    path("records/<uuid:record_id>/<slug:action>/", views.record_action, name="record_action"),
    path("search/", views.search, name="search"),
    path("persons/<uuid:person_id>/", views.person, name="person"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("access-log/", access_log, name="access_log"),
]
