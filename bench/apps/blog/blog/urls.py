from django.urls import path

from . import views

app_name = "blog"

urlpatterns = [
    path("", views.index, name="index"),
    path("healthz", views.healthz, name="healthz"),
    path("posts/<slug:slug>/", views.post_detail, name="post"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
    path("archive/<int:year>/", views.archive, name="archive_year"),
    path("archive/<int:year>/<int:month>/", views.archive, name="archive_month"),
]
