from django.conf import settings


def site(request):
    return {"blog_title": settings.BLOG_TITLE}
