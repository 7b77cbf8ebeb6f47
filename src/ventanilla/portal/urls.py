from django.urls import path

from ventanilla.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("me/records/", views.my_records, name="my_records"),
    path("me/access-log/", views.my_access_log, name="my_access_log"),
]
