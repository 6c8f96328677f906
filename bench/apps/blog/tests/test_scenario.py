"""bench/scenarios/blog.yaml, run request by request through Django's test client.

The file itself is interpreted (scenario_ref.py), so these tests exercise exactly its URLs, form
fields, regex captures and expectations against the real app, with CSRF checks enforced: an admin
creates the editors through the admin's user forms, editors log in and publish, readers read, and
teardown deletes the editors and their posts. Users take turns instead of running concurrently.
"""
import html
import re
from pathlib import Path

from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import TestCase

from blog.management.commands.benchstate import state
from blog.models import Post
from scenario_ref import DjangoClientTransport, Run

BLOG_YAML = Path(__file__).resolve().parents[3] / "scenarios" / "blog.yaml"
EDITORS, READERS, ROUNDS = 5, 50, 3


def scaled_yaml(editors):
    """blog.yaml with its editor count changed the way docs/blog.md's sed does it."""
    return "\n".join(
        re.sub(r"count: \d+", f"count: {editors}", line) if "# EDITORS" in line else line
        for line in BLOG_YAML.read_text().split("\n")
    )


def failures(table):
    return {k: s.failures for k, s in table.items() if s.failed}


class BlogScenario(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed", posts=200, tags=12, seed=1, stdout=open("/dev/null", "w"))

    def test_the_editor_count_appears_exactly_twice(self):
        text = BLOG_YAML.read_text()
        self.assertEqual(re.findall(r"count: (\d+).*# EDITORS", text), ["20", "20"])
        run = Run(str(BLOG_YAML), text=scaled_yaml(EDITORS))
        self.assertEqual([c["fixed_count"] for c in run.classes if "fixed_count" in c], [EDITORS])

    def test_the_client_enforces_csrf(self):
        r = DjangoClientTransport().send(
            "POST", "/admin/login/", {"Content-Type": "application/x-www-form-urlencoded"},
            b"username=admin&password=mixperf-admin", True)
        self.assertEqual(r.status, 403)

    def test_whole_scenario(self):
        before = state()
        run = Run(str(BLOG_YAML), seed=3, text=scaled_yaml(EDITORS))

        # setup: the admin creates the editors through the admin's forms.
        self.assertIs(run.run_setup(DjangoClientTransport()), True, failures(run.flow_stats))
        editors = User.objects.filter(username__startswith="editor").order_by("username")
        self.assertEqual([u.username for u in editors], [f"editor{i}" for i in range(EDITORS)])
        for u in editors:
            self.assertTrue(u.is_staff and u.is_active and not u.is_superuser, u)
            self.assertEqual([g.name for g in u.groups.all()], ["Editors"])
            self.assertTrue(u.check_password("quill-Ink-7531"))
            self.assertEqual((u.first_name, u.last_name), ("Editor", u.username[len("editor"):]))
        self.assertEqual(run.flow_stats[("POST", "/admin/auth/user/add/")].ok, EDITORS)

        # users: editors first (fixed_count), then readers; each logs in with its own jar.
        plan = run.plan(EDITORS + READERS)
        self.assertEqual([c["name"] for c, _ in plan], ["Editor"] * EDITORS + ["Reader"] * READERS)
        users = [run.start(cls, i, ci, DjangoClientTransport()) for i, (cls, ci) in enumerate(plan)]
        self.assertNotIn(None, users)
        for _ in range(ROUNDS):
            for user in users:
                run.run_task(user)
        self.assertEqual(failures(run.stats), {})

        publishes = run.stats[("POST", "/admin/blog/post/add/")].ok
        self.assertEqual(publishes, EDITORS * ROUNDS)
        self.assertEqual(run.stats[("GET", "/admin/")].ok, EDITORS * ROUNDS)
        self.assertEqual(run.stats[("POST", "/admin/login/")].ok, EDITORS)
        reads = run.stats[("GET", "/posts/[slug]/")].ok
        self.assertGreater(reads, READERS)  # index-and-post and new-post tasks both read posts
        self.assertGreater(run.stats[("GET", "/?page=[n]")].ok, 0)
        self.assertGreater(run.stats[("GET", "/tags/[tag]/")].ok, 0)
        self.assertGreater(run.stats[("GET", "/archive/[year]/[month]/")].ok, 0)

        # Nothing lost, nothing doubled; each post by the editor whose slug it carries, who is
        # also the user that pushed it.
        slugs = run.pools["slugs"]
        self.assertEqual(len(slugs), publishes)
        self.assertEqual(len(set(slugs)), publishes)
        self.assertEqual(Post.objects.count(), 200 + publishes)
        for user_class, class_index, pool, slug in run.pushes:
            post = Post.objects.get(slug=slug)
            self.assertEqual((user_class, pool), ("Editor", "slugs"))
            self.assertEqual(post.author.username, f"editor{class_index}")
            self.assertTrue(slug.startswith(f"post-e{class_index}-"))
            self.assertTrue(post.published)
            self.assertEqual(post.tags.count(), 1)
            page = self.client.get(f"/posts/{slug}/")
            self.assertContains(page, f"<h1>{html.escape(post.title)}</h1>")

        # teardown: the editors go, their posts with them; the seed data stays exactly.
        self.assertIs(run.run_teardown(DjangoClientTransport()), True, failures(run.flow_stats))
        self.assertEqual(run.flow_stats[("POST", "/admin/auth/user/[id]/delete/")].ok, EDITORS)
        self.assertEqual(state(), before)


class ReferenceRunnerFails(TestCase):
    """The instrument can fail: expectations, captures and empty pools behave as documented."""

    def run_flow(self, yaml_text):
        run = Run("inline.yaml", text=yaml_text)
        user = run.start(run.classes[0], 0, 0, DjangoClientTransport())
        return run, user, run.run_task(user)

    def test_failed_expectation_stops_the_flow(self):
        run, _, ok = self.run_flow("""
users:
  - name: R
    tasks:
      - steps:
          - get: /healthz
            expect: {contains: "not there"}
          - get: /healthz
            name: second
""")
        self.assertIs(ok, False)
        self.assertEqual(run.stats[("GET", "/healthz")].failures, {'body does not contain "not there"': 1})
        self.assertNotIn(("GET", "second"), run.stats)

    def test_status_and_capture_failures(self):
        run, _, ok = self.run_flow("""
users:
  - name: R
    tasks:
      - steps:
          - get: /posts/missing/
            expect: {status: [200]}
""")
        self.assertEqual(run.stats[("GET", "/posts/missing/")].failures,
                         {"expected status 200, got 404": 1})
        run, _, ok = self.run_flow("""
users:
  - name: R
    tasks:
      - steps:
          - get: /healthz
            capture: [{var: x, regex: 'nothing (here)'}]
""")
        self.assertEqual(run.stats[("GET", "/healthz")].failures,
                         {"capture 'x': regex found no match": 1})

    def test_empty_pool_skips_without_failure_and_urls_escape_values(self):
        run, user, ok = self.run_flow("""
pools: [p]
users:
  - name: R
    tasks:
      - steps:
          - set: {v: "a/b c"}
          - get: "/tags/{{ v }}/"
            expect: {status: [404]}
          - pick: {pool: p, as: x}
          - get: /never/
""")
        self.assertIsNone(ok)
        self.assertEqual(run.stats[("GET", "/tags/{{ v }}/")].ok, 1)
        self.assertNotIn(("GET", "/never/"), run.stats)
