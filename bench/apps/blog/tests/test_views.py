import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.test import TestCase, override_settings

from blog.models import Post, Tag


def make_post(n, date, author, tags=(), published=True, **kw):
    post = Post.objects.create(
        title=kw.pop("title", f"Post number {n}"),
        slug=f"post-{n}",
        intro=kw.pop("intro", f"Intro {n}."),
        body=kw.pop("body", f"Body of {n}."),
        date=date,
        author=author,
        published=published,
        **kw,
    )
    post.tags.set(tags)
    return post


@override_settings(BLOG_POSTS_PER_PAGE=3)
class ReaderPages(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.author = User.objects.create_user("writer", first_name="Wren", last_name="Writer")
        cls.py, cls.dj, cls.db = (
            Tag.objects.create(name="python", slug="python"),
            Tag.objects.create(name="django", slug="django"),
            Tag.objects.create(name="db", slug="db"),
        )
        d = datetime.date
        # Seven published posts over three months, and one draft that must never appear.
        cls.posts = [
            make_post(1, d(2022, 1, 5), cls.author, [cls.py]),
            make_post(2, d(2022, 1, 20), cls.author, [cls.py, cls.dj]),
            make_post(3, d(2022, 2, 1), cls.author, [cls.py, cls.dj, cls.db]),
            make_post(4, d(2022, 2, 1), cls.author, [cls.db]),
            make_post(5, d(2022, 3, 9), cls.author, [cls.dj]),
            make_post(6, d(2022, 3, 10), cls.author, []),
            make_post(7, d(2022, 3, 11), cls.author, [cls.py, cls.dj]),
        ]
        make_post(8, d(2022, 3, 12), cls.author, [cls.py, cls.dj, cls.db], published=False)

    def titles(self, response):
        return [p.title for p in response.context["page"]]

    def test_settings_are_the_benchmark_ones(self):
        self.assertFalse(settings.DEBUG)
        self.assertEqual(
            settings.PASSWORD_HASHERS, ["django.contrib.auth.hashers.MD5PasswordHasher"]
        )
        self.assertEqual(settings.DATABASES["default"]["ENGINE"], "blogsite.sqlite_immediate")

    def test_index_lists_published_posts_newest_first_in_pages(self):
        r = self.client.get("/")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(self.titles(r), ["Post number 7", "Post number 6", "Post number 5"])
        self.assertContains(r, "<h1>Latest posts</h1>", html=False)
        self.assertContains(r, "Page 1 of 3")
        self.assertContains(r, '<a rel="next" href="?page=2">Older</a>', html=True)
        self.assertNotContains(r, "Post number 8")
        # Same date: the later id first.
        r = self.client.get("/?page=2")
        self.assertEqual(self.titles(r), ["Post number 4", "Post number 3", "Post number 2"])
        self.assertContains(r, '<a rel="prev" href="?page=1">Newer</a>', html=True)

    def test_index_page_out_of_range_shows_last_page_and_bad_number_the_first(self):
        self.assertEqual(self.titles(self.client.get("/?page=99")), ["Post number 1"])
        self.assertEqual(self.titles(self.client.get("/?page=0")), ["Post number 1"])
        self.assertEqual(self.titles(self.client.get("/?page=x"))[0], "Post number 7")

    def test_index_uses_inheritance_includes_and_sidebar_tags(self):
        r = self.client.get("/")
        names = [t.name for t in r.templates]
        for name in [
            "blog/index.html",
            "blog/base.html",
            "blog/includes/post_summary.html",
            "blog/includes/tag_list.html",
            "blog/includes/pagination.html",
            "blog/includes/sidebar.html",
            "blog/includes/tag_cloud.html",
            "blog/includes/archive_months.html",
            "blog/includes/recent_posts.html",
        ]:
            self.assertIn(name, names)
        # Tag cloud: published posts only, most used first.
        self.assertContains(r, '<a href="/tags/django/" title="4 posts">django</a>', html=True)
        self.assertContains(r, '<a href="/tags/db/" title="2 posts">db</a>', html=True)
        self.assertContains(
            r, '<li><a href="/archive/2022/3/">March 2022</a> (3)</li>', html=True
        )
        self.assertContains(r, "March 11, 2022 by writer")

    def test_post_page(self):
        r = self.client.get("/posts/post-3/")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, 'id="post-post-3"')
        self.assertContains(r, "<h1>Post number 3</h1>", html=True)
        self.assertContains(r, "By Wren Writer")
        self.assertContains(r, '<time datetime="2022-02-01">Tuesday, 1 February 2022</time>', html=True)
        self.assertContains(r, "1 minute read")
        self.assertContains(r, '<div class="intro"><p>Intro 3.</p></div>', html=True)
        self.assertContains(
            r,
            '<p class="tags"><a href="/tags/db/">db</a> <a href="/tags/django/">django</a> '
            '<a href="/tags/python/">python</a></p>',
            html=True,
        )
        # Newer/older by (date, id): post 4 has the same date and a larger id.
        self.assertEqual(r.context["newer"].slug, "post-4")
        self.assertEqual(r.context["older"].slug, "post-2")

    def test_related_posts_rank_by_shared_tags_then_date_and_skip_drafts(self):
        r = self.client.get("/posts/post-3/")
        related = [(p.slug, p.shared) for p in r.context["related"]]
        self.assertEqual(
            related,
            [("post-7", 2), ("post-2", 2), ("post-5", 1), ("post-4", 1), ("post-1", 1)],
        )
        self.assertContains(r, "<h2>Related posts</h2>", html=True)
        self.assertContains(r, "2 shared tags")
        r = self.client.get("/posts/post-6/")
        self.assertEqual(list(r.context["related"]), [])
        self.assertNotContains(r, "Related post")

    def test_body_uses_linebreaks_and_reading_time_pluralizes(self):
        long_body = "\n\n".join(["word " * 150] * 3)
        make_post(9, datetime.date(2021, 6, 1), self.author, body=long_body)
        r = self.client.get("/posts/post-9/")
        self.assertContains(r, "3 minutes read")
        self.assertEqual(r.content.decode().count("<p>word word"), 3)

    def test_drafts_and_unknown_posts_are_404(self):
        self.assertEqual(self.client.get("/posts/post-8/").status_code, 404)
        r = self.client.get("/posts/nothing-here/")
        self.assertEqual(r.status_code, 404)
        self.assertContains(r, "<h1>Not found</h1>", status_code=404, html=True)

    def test_tag_page(self):
        r = self.client.get("/tags/django/")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Posts tagged &ldquo;django&rdquo;")
        self.assertContains(r, "4 posts")
        self.assertEqual(self.titles(r), ["Post number 7", "Post number 5", "Post number 3"])
        self.assertEqual(self.titles(self.client.get("/tags/django/?page=2")), ["Post number 2"])
        r = self.client.get("/tags/db/")
        self.assertContains(r, "2 posts")
        self.assertEqual(self.client.get("/tags/none/").status_code, 404)

    def test_archive(self):
        r = self.client.get("/archive/2022/2/")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "<h1>Archive: February 2022</h1>", html=True)
        self.assertEqual(self.titles(r), ["Post number 4", "Post number 3"])
        self.assertContains(r, "2 posts")
        r = self.client.get("/archive/2022/")
        self.assertContains(r, "<h1>Archive: 2022</h1>", html=True)
        self.assertContains(r, "7 posts")
        r = self.client.get("/archive/2021/4/")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "No posts in this period.")
        self.assertContains(r, "0 posts")
        self.assertEqual(self.client.get("/archive/2022/13/").status_code, 404)
        self.assertEqual(self.client.get("/archive/2022/0/").status_code, 404)

    def test_healthz_touches_neither_database_nor_session(self):
        with self.assertNumQueries(0):
            r = self.client.get("/healthz")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.content, b"ok")
        self.assertEqual(r["Content-Type"], "text/plain")
        self.assertFalse(r.has_header("Vary"))
        self.assertEqual(list(r.cookies), [])

    def test_admin_static_files_are_served(self):
        r = self.client.get("/static/admin/css/base.css")
        self.assertEqual(r.status_code, 200)
        self.assertIn(b"body", b"".join(r.streaming_content))
        self.assertEqual(self.client.get("/static/admin/css/nope.css").status_code, 404)
        self.assertEqual(self.client.get("/static/blog/settings.py").status_code, 404)

    def test_reader_pages_do_not_create_sessions(self):
        for url in ["/", "/posts/post-1/", "/tags/python/", "/archive/2022/1/"]:
            r = self.client.get(url)
            self.assertEqual(r.status_code, 200, url)
            self.assertEqual(list(r.cookies), [], url)
