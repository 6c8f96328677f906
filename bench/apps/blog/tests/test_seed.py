from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils.text import slugify

from blog.management.commands.benchstate import state
from blog.models import Post, Tag


def seed(**kw):
    call_command("seed", stdout=open("/dev/null", "w"), **kw)


def wipe():
    User.objects.all().delete()  # cascades to the posts
    Tag.objects.all().delete()


class Seed(TestCase):
    def test_creates_admin_author_tags_and_published_posts(self):
        seed(posts=30, tags=5, seed=7)
        self.assertEqual(Post.objects.count(), 30)
        self.assertEqual(Post.objects.filter(published=True, author__username="seed-author").count(), 30)
        self.assertEqual(Tag.objects.count(), 5)
        admin = authenticate(username="admin", password="mixperf-admin")
        self.assertTrue(admin is not None and admin.is_superuser and admin.is_staff)
        self.assertFalse(User.objects.get(username="seed-author").has_usable_password())
        posts = list(Post.objects.prefetch_related("tags"))
        # Slugs are the slugified title plus the post's number, so titles may repeat.
        self.assertEqual(sorted(int(p.slug.rsplit("-", 1)[1]) for p in posts), list(range(1, 31)))
        for post in posts:
            self.assertEqual(post.slug.rsplit("-", 1)[0], slugify(post.title)[:100])
            self.assertIn(len(post.tags.all()), (1, 2, 3))
            self.assertIn(post.date.year, (2021, 2022))
            self.assertGreaterEqual(post.body.count("\n\n"), 2)  # 3-6 paragraphs

    def test_same_seed_same_data_other_seed_other_data(self):
        seed(posts=40, tags=6, seed=7)
        first = state()
        wipe()
        seed(posts=40, tags=6, seed=7)
        self.assertEqual(state(), first)
        wipe()
        seed(posts=40, tags=6, seed=8)
        other = state()
        self.assertEqual(len(other["posts"]), 40)
        self.assertNotEqual([p["title"] for p in other["posts"]], [p["title"] for p in first["posts"]])

    def test_admin_credentials_from_options(self):
        seed(posts=1, admin_username="boss", admin_password="s3cret-Pass")
        self.assertIsNotNone(authenticate(username="boss", password="s3cret-Pass"))

    def test_refuses_a_seeded_database_and_bad_counts(self):
        seed(posts=2)
        with self.assertRaisesMessage(CommandError, "already has blog data"):
            seed(posts=2)
        self.assertEqual(Post.objects.count(), 2)
        wipe()
        with self.assertRaisesMessage(CommandError, "--tags must be between 1 and"):
            seed(posts=1, tags=0)
        with self.assertRaisesMessage(CommandError, "--posts must be 0 or more"):
            seed(posts=-1)
