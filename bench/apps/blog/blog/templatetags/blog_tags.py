import math

from django import template
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.http import urlencode

from ..models import Post, Tag

register = template.Library()


@register.inclusion_tag("blog/includes/tag_cloud.html")
def tag_cloud():
    tags = (
        Tag.objects.annotate(n=Count("posts", filter=Q(posts__published=True)))
        .filter(n__gt=0)
        .order_by("-n", "name")
    )
    return {"tags": tags}


@register.inclusion_tag("blog/includes/archive_months.html")
def archive_months(limit=12):
    months = (
        Post.objects.published()
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("-month")[:limit]
    )
    return {"months": months}


@register.inclusion_tag("blog/includes/recent_posts.html")
def recent_posts(count=5):
    return {"posts": Post.objects.published().only("title", "slug", "date")[:count]}


@register.filter
def reading_time(text, words_per_minute=200):
    """Minutes needed to read `text`, at least 1."""
    return max(1, math.ceil(len(str(text).split()) / words_per_minute))


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current URL's query string with `page` replaced (keeps any other parameter)."""
    params = context["request"].GET.copy()
    params["page"] = number
    return "?" + urlencode(sorted(params.items()))
