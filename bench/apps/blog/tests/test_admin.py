import re

from django.contrib.auth.models import Group, User
from django.test import Client, TestCase

from blog.models import Post, Tag

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def token(response):
    return CSRF.search(response.content.decode()).group(1)


class EditorsGroup(TestCase):
    def test_editors_may_add_change_and_view_posts_and_tags_but_not_delete(self):
        perms = Group.objects.get(name="Editors").permissions.order_by("codename")
        self.assertEqual(
            [(p.content_type.app_label, p.codename) for p in perms],
            [
                ("blog", "add_post"),
                ("blog", "add_tag"),
                ("blog", "change_post"),
                ("blog", "change_tag"),
                ("blog", "view_post"),
                ("blog", "view_tag"),
            ],
        )


class EditorPublishes(TestCase):
    """An editor logs in and publishes through the admin's forms, CSRF enforced."""

    @classmethod
    def setUpTestData(cls):
        cls.tag = Tag.objects.create(name="python", slug="python")
        cls.other_tag = Tag.objects.create(name="pypy", slug="pypy")
        cls.editor = User.objects.create_user("ed", password="quill-Ink-7531", is_staff=True)
        cls.editor.groups.add(Group.objects.get(name="Editors"))
        cls.second = User.objects.create_user("al", password="quill-Ink-7531", is_staff=True)
        cls.second.groups.add(Group.objects.get(name="Editors"))

    def login(self, username):
        c = Client(enforce_csrf_checks=True)
        r = c.get("/admin/login/")
        r = c.post(
            "/admin/login/",
            {"csrfmiddlewaretoken": token(r), "username": username,
             "password": "quill-Ink-7531", "next": "/admin/"},
        )
        self.assertRedirects(r, "/admin/")
        return c

    def add_post(self, client, slug, **extra):
        form = client.get("/admin/blog/post/add/")
        self.assertEqual(form.status_code, 200)
        data = {
            "csrfmiddlewaretoken": token(form),
            "title": "Fresh <post>",
            "slug": slug,
            "intro": "An intro.",
            "body": "First paragraph.\n\nSecond paragraph.",
            "date": "2024-05-06",
            "tags": [self.tag.pk, self.other_tag.pk],
            "published": "on",
            "_save": "Save",
        }
        data.update(extra)
        return client.post("/admin/blog/post/add/", data)

    def test_add_form_has_no_author_field_and_lists_tags(self):
        c = self.login("ed")
        page = c.get("/admin/blog/post/add/").content.decode()
        self.assertNotIn('name="author"', page)
        self.assertEqual(re.findall(r'<option value="(\d+)">', page),
                         [str(self.other_tag.pk), str(self.tag.pk)])
        self.assertRegex(page, r'name="date" value="\d{4}-\d{2}-\d{2}"')

    def test_publish_sets_author_to_the_logged_in_editor(self):
        c = self.login("ed")
        r = self.add_post(c, "fresh-post", author=self.second.pk)  # a forged author is ignored
        self.assertRedirects(r, "/admin/blog/post/")
        post = Post.objects.get(slug="fresh-post")
        self.assertEqual(post.author, self.editor)
        self.assertTrue(post.published)
        self.assertEqual(str(post.date), "2024-05-06")
        self.assertEqual(sorted(post.tags.values_list("slug", flat=True)), ["pypy", "python"])
        page = self.client.get("/posts/fresh-post/")
        self.assertContains(page, "<h1>Fresh &lt;post&gt;</h1>", html=True)
        self.assertContains(page, "<p>First paragraph.</p>\n\n<p>Second paragraph.</p>")

    def test_changing_a_post_keeps_its_author(self):
        self.add_post(self.login("ed"), "kept")
        c = self.login("al")
        post = Post.objects.get(slug="kept")
        url = f"/admin/blog/post/{post.pk}/change/"
        r = c.post(url, {
            "csrfmiddlewaretoken": token(c.get(url)), "title": "Edited", "slug": "kept",
            "intro": "i", "body": "b", "date": "2024-05-07", "tags": [self.tag.pk], "_save": "Save",
        })
        self.assertRedirects(r, "/admin/blog/post/")
        post.refresh_from_db()
        self.assertEqual((post.title, post.author.username, post.published), ("Edited", "ed", False))

    def test_duplicate_slug_is_a_form_error_not_a_second_post(self):
        c = self.login("ed")
        self.add_post(c, "once")
        r = self.add_post(c, "once")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Post with this Slug already exists.")
        self.assertEqual(Post.objects.filter(slug="once").count(), 1)

    def test_csrf_is_enforced(self):
        c = self.login("ed")
        r = c.post("/admin/blog/post/add/", {"title": "x", "slug": "x", "intro": "i", "body": "b",
                                             "date": "2024-01-01"})
        self.assertEqual(r.status_code, 403)
        self.assertFalse(Post.objects.filter(slug="x").exists())

    def test_editors_cannot_delete_posts_or_manage_users(self):
        c = self.login("ed")
        self.add_post(c, "stays")
        post = Post.objects.get(slug="stays")
        self.assertEqual(c.get(f"/admin/blog/post/{post.pk}/delete/").status_code, 403)
        self.assertEqual(c.get("/admin/auth/user/").status_code, 403)
        dashboard = c.get("/admin/")
        self.assertContains(dashboard, '<a href="/admin/blog/post/add/" class="addlink">Add</a>',
                            html=True)
        self.assertNotContains(dashboard, "/admin/auth/user/")

    def test_changelist_filters_and_search(self):
        c = self.login("ed")
        self.add_post(c, "alpha-one", title="Alpha one")
        self.add_post(c, "beta-two", title="Beta two", published="")

        def listed(url):
            r = c.get(url)
            self.assertEqual(r.status_code, 200)
            return [p.slug for p in r.context["cl"].result_list]

        self.assertEqual(listed("/admin/blog/post/?q=alpha"), ["alpha-one"])
        self.assertEqual(listed("/admin/blog/post/?published__exact=0"), ["beta-two"])
        self.assertEqual(listed(f"/admin/blog/post/?tags__id__exact={self.tag.pk}"),
                         ["beta-two", "alpha-one"])
        self.assertContains(c.get("/admin/blog/post/"), '<td class="field-tag_list">pypy, python</td>',
                            count=2, html=True)

    def test_non_staff_cannot_log_in(self):
        User.objects.create_user("reader", password="quill-Ink-7531")
        c = Client(enforce_csrf_checks=True)
        r = c.get("/admin/login/")
        r = c.post("/admin/login/", {"csrfmiddlewaretoken": token(r), "username": "reader",
                                     "password": "quill-Ink-7531", "next": "/admin/"})
        self.assertContains(r, "Please enter the correct username and password")
