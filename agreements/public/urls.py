from django.urls import path

from . import views

urlpatterns = [
    path("", views.public_list, name="public-list"),
    path("<path:reference>/", views.public_detail, name="public-detail"),
]
