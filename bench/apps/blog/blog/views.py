import calendar
import datetime

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.db.models import Q
from django.shortcuts import get_object_or_404, render

from .models import Post, Tag


def _listing():
    return Post.objects.published().select_related("author").prefetch_related("tags")


def _page(request, queryset):
    # get_page() never raises: a page number past the end shows the last page, so a scenario can
    # ask for any page of a growing blog without turning its guesses into 404s.
    return Paginator(queryset, settings.BLOG_POSTS_PER_PAGE).get_page(request.GET.get("page"))


def healthz(request):
    """Readiness probe: touches neither the database nor the session (no cookie, no Vary)."""
    return HttpResponse("ok", content_type="text/plain")


def index(request):
    page = _page(request, _listing())
    return render(request, "blog/index.html", {"page": page})


def post_detail(request, slug):
    post = get_object_or_404(
        Post.objects.published().select_related("author").prefetch_related("tags"), slug=slug
    )
    return render(
        request,
        "blog/post_detail.html",
        {
            "post": post,
            "related": post.related(),
            "newer": Post.objects.published()
            .filter(Q(date__gt=post.date) | Q(date=post.date, pk__gt=post.pk))
            .order_by("date", "pk")
            .first(),
            "older": Post.objects.published()
            .filter(Q(date__lt=post.date) | Q(date=post.date, pk__lt=post.pk))
            .first(),
        },
    )


def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    page = _page(request, _listing().filter(tags=tag))
    return render(request, "blog/tag.html", {"tag": tag, "page": page})


def archive(request, year, month=None):
    if not 1 <= year <= 9999 or (month is not None and not 1 <= month <= 12):
        raise Http404("No such month")
    posts = _listing().filter(date__year=year)
    if month is not None:
        posts = posts.filter(date__month=month)
        period = datetime.date(year, month, 1)
        label = f"{calendar.month_name[month]} {year}"
    else:
        period = datetime.date(year, 1, 1)
        label = str(year)
    page = _page(request, posts)
    return render(
        request,
        "blog/archive.html",
        {"page": page, "period": period, "label": label, "year": year, "month": month},
    )
