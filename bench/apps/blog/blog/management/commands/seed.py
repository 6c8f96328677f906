"""`manage.py seed --posts N [--tags T] [--seed S]`: the benchmark's fixed starting data.

Creates the admin superuser, T tags and N published posts by one seed author. For a given seed the
data are identical (titles, slugs, text, dates, tags, creation order), so runs start from the same
database. Dates lie in 2021-2022 whatever today is; posts published during a run carry today's date.
"""
import datetime
import os
import random

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from blog import lorem
from blog.models import Post, Tag

FIRST_DAY = datetime.date(2021, 1, 1)
DAYS = 730  # two years: with the default 200 posts, every month has posts

DEFAULT_ADMIN_USER = "admin"
DEFAULT_ADMIN_PASSWORD = "mixperf-admin"
DEFAULT_AUTHOR = "seed-author"


class Command(BaseCommand):
    help = "Create the admin user, tags and published posts for the benchmark (fresh database)."

    def add_arguments(self, parser):
        parser.add_argument("--posts", type=int, default=200, help="published posts (default 200)")
        parser.add_argument("--tags", type=int, default=12, help="tags (default 12)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--admin-username",
            default=os.environ.get("MIXPERF_BLOG_ADMIN_USER", DEFAULT_ADMIN_USER),
            help=f"superuser name (env MIXPERF_BLOG_ADMIN_USER, default {DEFAULT_ADMIN_USER})",
        )
        parser.add_argument(
            "--admin-password",
            default=os.environ.get("MIXPERF_BLOG_ADMIN_PASSWORD", DEFAULT_ADMIN_PASSWORD),
            help="superuser password (env MIXPERF_BLOG_ADMIN_PASSWORD, "
            f"default {DEFAULT_ADMIN_PASSWORD})",
        )
        parser.add_argument(
            "--author", default=DEFAULT_AUTHOR, help=f"seed posts' author (default {DEFAULT_AUTHOR})"
        )

    def handle(self, *args, **opts):
        posts, ntags = opts["posts"], opts["tags"]
        if posts < 0:
            raise CommandError("--posts must be 0 or more")
        if not 1 <= ntags <= len(lorem.TOPICS):
            raise CommandError(f"--tags must be between 1 and {len(lorem.TOPICS)}")
        User = get_user_model()
        taken = User.objects.filter(username__in=[opts["admin_username"], opts["author"]])
        if Post.objects.exists() or Tag.objects.exists() or taken.exists():
            raise CommandError("the database already has blog data; seed a freshly migrated one")

        rng = random.Random(opts["seed"])
        with transaction.atomic():
            User.objects.create_superuser(
                opts["admin_username"], f"{opts['admin_username']}@example.com", opts["admin_password"]
            )
            author = User.objects.create_user(
                opts["author"], first_name="Seed", last_name="Author", password=None
            )
            names = rng.sample(lorem.TOPICS, ntags)
            Tag.objects.bulk_create(Tag(name=n, slug=slugify(n)) for n in names)
            tags = list(Tag.objects.order_by("pk"))

            drafts, tag_choice = [], []
            for i in range(posts):
                title = lorem.title(rng)
                drafts.append(
                    Post(
                        title=title,
                        slug=f"{slugify(title)[:100]}-{i + 1}",
                        intro=lorem.sentence(rng, 12, 24),
                        body="\n\n".join(lorem.paragraph(rng) for _ in range(rng.randint(3, 6))),
                        date=FIRST_DAY + datetime.timedelta(days=rng.randrange(DAYS)),
                        author=author,
                        published=True,
                    )
                )
                tag_choice.append(rng.sample(tags, rng.randint(1, min(3, len(tags)))))
            Post.objects.bulk_create(drafts)
            pk_of = dict(Post.objects.values_list("slug", "pk"))
            Through = Post.tags.through
            Through.objects.bulk_create(
                Through(post_id=pk_of[d.slug], tag_id=t.pk)
                for d, chosen in zip(drafts, tag_choice)
                for t in chosen
            )
        self.stdout.write(
            f"seeded {posts} posts, {ntags} tags, superuser {opts['admin_username']!r}, "
            f"author {opts['author']!r} (seed {opts['seed']})"
        )
