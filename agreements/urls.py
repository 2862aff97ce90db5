from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("public/", views.public_list, name="public-list"),
    path("public/<path:reference>/", views.public_detail, name="public-detail"),
]
