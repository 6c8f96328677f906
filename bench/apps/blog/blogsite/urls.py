from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

urlpatterns = [
    path("admin/", admin.site.urls),
    # The admin's CSS/JS, for people browsing by hand (settings.py says why this is harmless).
    re_path(r"^static/(?P<path>admin/.*)$", serve, {"document_root": settings.ADMIN_STATIC_ROOT}),
    path("", include("blog.urls")),
]
