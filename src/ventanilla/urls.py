from django.urls import include, path
from django.views.i18n import set_language

from ventanilla.api import api
from ventanilla.core import views as core_views

urlpatterns = [
    path("healthz", core_views.health, name="health"),
    path("metrics", core_views.metrics, name="metrics"),
    path("api/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("office/", include("ventanilla.registry.urls")),
    path("", include("ventanilla.portal.urls")),
]

# Error pages in the user's language on the design system. Django's own handlers serve
# 403.html and 404.html with the request; these two would render theirs without it.
handler400 = "ventanilla.portal.views.bad_request"
handler500 = "ventanilla.portal.views.server_error"
