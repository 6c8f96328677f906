"""`manage.py benchstate`: the blog's data as JSON, for tests that check what a load run did.

Prints {"users": [...], "tags": [...], "posts": [{"slug", "title", "author", "published", "date",
"tags"}...]} with every list sorted, so two states can be compared for equality.
"""
import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from blog.models import Post, Tag


def state():
    posts = Post.objects.select_related("author").prefetch_related("tags").order_by("slug")
    return {
        "users": sorted(get_user_model().objects.values_list("username", flat=True)),
        "tags": sorted(Tag.objects.values_list("slug", flat=True)),
        "posts": [
            {
                "slug": p.slug,
                "title": p.title,
                "author": p.author.username,
                "published": p.published,
                "date": p.date.isoformat(),
                "tags": sorted(t.slug for t in p.tags.all()),
            }
            for p in posts
        ],
    }


class Command(BaseCommand):
    help = "Print the blog's users, tags and posts as JSON."

    def handle(self, *args, **opts):
        self.stdout.write(json.dumps(state(), indent=1, sort_keys=True))
