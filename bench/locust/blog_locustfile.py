"""bench/scenarios/blog.yaml for Locust 2.12 (Debian's python3-locust), as close as Locust allows,
so that `make bench` can drive the same workload with both generators and compare their cost.

    BLOG_EDITORS=20 /usr/bin/locust -f bench/locust/blog_locustfile.py --headless \
        -u 220 -r 50 -t 30s --host http://127.0.0.1:PORT

FastHttpUser (geventhttpclient), not HttpUser (requests): it is Locust's cheapest client, so the
comparison with mixperf is against Locust at its best, and it has what the scenario needs -- a
cookie jar per user and redirects followed with 302/303 turned into GET, like a browser. (Its one
deviation, response.url being the requested URL, does not matter: ids come from page bodies, as in
blog.yaml.)

Mapping from blog.yaml:
  setup/teardown  events.test_start / events.test_stop, with a plain urllib client of their own, so
                  that (as in mixperf) their requests are not in the run's statistics
  variables       BLOG_EDITORS (default 20), MIXPERF_BLOG_ADMIN_USER/_PASSWORD (defaults admin and
                  mixperf-admin), read from the environment as blog.yaml reads them
  Editor          fixed_count = BLOG_EDITORS, same waits and steps; user.class_index is a
                  per-class counter; the add form's tags multi-select sends one field per tag
  Reader          weight 1, the same on_start (home page, page count) and three tasks with
                  weights 3/3/1
  teardown        the same bulk delete of the editors ("Select all", delete_selected, confirm)
  pools.slugs     a module-level list: shared by all users of this process (Locust's --processes
                  or distributed workers would each have their own, unlike mixperf's pool)
  counter.post    itertools.count, run-wide in this process
  MIXPERF_BLOG_TIMES  when set, a file that receives "users_start T" after setup and "users_stop T"
                  before teardown (wall-clock seconds), so that bench/blog/compare.py measures the
                  same window as mixperf's JSON (start_wall_ns, elapsed_s) gives it
  MIXPERF_BLOG_RUN_TIME  when set, seconds after setup at which the run stops: mixperf's -t counts
                  from the end of setup, Locust's -t from before test_start (which runs setup), so
                  compare.py gives Locust a long -t and this instead, for equal user time
  expect/capture  catch_response + regexes identical to blog.yaml's; a failure marks the request
                  failed and ends the task (the rest of the flow is skipped, as in mixperf); a
                  failed on_start stops the user (StopUser), as in mixperf
"""
import http.cookiejar
import itertools
import os
import random
import re
import string
import sys
import time

import gevent
import urllib.parse
import urllib.request

from locust import FastHttpUser, between, events, task
from locust.exception import StopUser

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apps", "blog"))
from blog import lorem  # noqa: E402  (the blog's own word list)

EDITORS = int(os.environ.get("BLOG_EDITORS", "20"))
ADMIN_USER = os.environ.get("MIXPERF_BLOG_ADMIN_USER", "admin")
ADMIN_PASSWORD = os.environ.get("MIXPERF_BLOG_ADMIN_PASSWORD", "mixperf-admin")
EDITOR_PASSWORD = "quill-Ink-7531"

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PAGES = re.compile(r"Page \d+ of (\d+)</span>")
SELECTED = re.compile(r'name="_selected_action" value="(\d+)"')
FORM = {"Content-Type": "application/x-www-form-urlencoded"}

SLUGS = []  # pool "slugs"
POST_COUNTER = itertools.count(1)  # counter.post
EDITOR_INDEX = itertools.count(0)  # user.class_index of the Editor class


class FlowFailed(Exception):
    """A request failed; the rest of the flow is skipped."""


def _note_time(event):
    path = os.environ.get("MIXPERF_BLOG_TIMES")
    if path:
        with open(path, "a") as f:
            f.write(f"{event} {time.time():.6f}\n")


def _first(rx, text, what):
    m = re.search(rx, text)
    if not m:
        raise FlowFailed(f"capture '{what}': regex found no match")
    return m.group(1)


# --- setup and teardown: a client of their own, outside the statistics --------------------------


class _Browser:
    def __init__(self, host):
        self.host = host.rstrip("/")
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def fetch(self, path, form=None, expect=()):
        """form: a dict, or a list of (name, value) pairs for repeated fields."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        with self.opener.open(self.host + path, data=data, timeout=30) as r:
            body = r.read().decode()
        for text in expect:
            if text not in body:
                raise RuntimeError(f"{path}: body does not contain {text!r}")
        return body

    def login(self, username, password):
        token = _first(CSRF, self.fetch("/admin/login/"), "csrf")
        self.fetch(
            "/admin/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": password,
             "next": "/admin/"},
            expect=["<h1>Site administration</h1>"],
        )


@events.test_start.add_listener
def create_editors(environment, **kwargs):
    b = _Browser(environment.host)
    b.login(ADMIN_USER, ADMIN_PASSWORD)
    for i in range(EDITORS):
        token = _first(CSRF, b.fetch("/admin/auth/user/add/"), "csrf")
        page = b.fetch(
            "/admin/auth/user/add/",
            {"csrfmiddlewaretoken": token, "username": f"editor{i}",
             "password1": EDITOR_PASSWORD, "password2": EDITOR_PASSWORD, "_save": "Save"},
            expect=["was added successfully", "<h1>Change user</h1>"],
        )
        uid = _first(r'href="/admin/auth/user/(\d+)/history/"', page, "uid")
        joined_date = _first(r'name="date_joined_0" value="([^"]+)"', page, "joined_date")
        joined_time = _first(r'name="date_joined_1" value="([^"]+)"', page, "joined_time")
        b.fetch(
            f"/admin/auth/user/{uid}/change/",
            {
                "csrfmiddlewaretoken": _first(CSRF, page, "csrf"),
                "username": f"editor{i}", "first_name": "Editor", "last_name": str(i),
                "email": "", "is_active": "on", "is_staff": "on",
                "groups": _first(r'<option value="(\d+)">Editors</option>', page, "group"),
                "date_joined_0": joined_date, "date_joined_1": joined_time,
                "initial-date_joined_0": joined_date, "initial-date_joined_1": joined_time,
                "_save": "Save",
            },
            expect=["was changed successfully"],
        )
    _note_time("users_start")
    if os.environ.get("MIXPERF_BLOG_RUN_TIME"):
        gevent.spawn_later(float(os.environ["MIXPERF_BLOG_RUN_TIME"]), environment.runner.quit)


@events.test_stop.add_listener
def delete_editors(environment, **kwargs):
    _note_time("users_stop")
    b = _Browser(environment.host)
    b.login(ADMIN_USER, ADMIN_PASSWORD)
    page = b.fetch("/admin/auth/user/?q=editor")
    confirm = b.fetch(
        "/admin/auth/user/?q=editor",
        [("csrfmiddlewaretoken", _first(CSRF, page, "csrf")), ("action", "delete_selected")]
        + [("_selected_action", i) for i in SELECTED.findall(page)]
        + [("select_across", "1"), ("index", "0")],
        expect=["<h1>Are you sure?</h1>"],
    )
    b.fetch(
        "/admin/auth/user/?q=editor",
        [("csrfmiddlewaretoken", _first(CSRF, confirm, "csrf")), ("action", "delete_selected"),
         ("post", "yes")] + [("_selected_action", i) for i in SELECTED.findall(confirm)],
        expect=["Successfully deleted"],
    )


# --- users ---------------------------------------------------------------------------------------


class BlogUser(FastHttpUser):
    abstract = True

    def step(self, method, path, name=None, form=None, status=200, contains=(), not_contains=()):
        """One request with blog.yaml's expectation semantics; returns the body text. form: a
        list of (name, value) pairs (a field may repeat), sent urlencoded like mixperf's form."""
        data = urllib.parse.urlencode(form) if form is not None else None
        headers = FORM if form is not None else None
        with self.client.request(method, path, name=name, data=data, headers=headers,
                                 catch_response=True) as r:
            body = (r.text or "") if r.status_code else ""
            if r.status_code != status:
                problem = f"expected status {status}, got {r.status_code}"
            else:
                problem = next(
                    itertools.chain(
                        (f'body does not contain "{t}"' for t in contains if t not in body),
                        (f'body contains "{t}"' for t in not_contains if t in body),
                    ),
                    None,
                )
            if problem:
                r.failure(problem)
            else:
                r.success()
        if problem:
            raise FlowFailed(problem)
        return body

    def capture(self, rx, body, what, pick="first", default=None):
        values = re.findall(rx, body)
        if not values and default is not None:
            return default
        if not values:
            # A failed capture fails the request in mixperf; here the request already counted as a
            # success, so the capture failure is reported as an error of its own.
            self.environment.events.request.fire(
                request_type="CAPTURE", name=what, response_time=0, response_length=0,
                exception=FlowFailed(f"capture '{what}': regex found no match"), context={})
            raise FlowFailed(what)
        if pick == "all":
            return values
        return values[0] if pick == "first" else self.rng.choice(values)

    def on_start(self):
        self.rng = random.Random()


class Editor(BlogUser):
    fixed_count = EDITORS
    wait_time = between(2, 5)

    def on_start(self):
        super().on_start()
        self.class_index = next(EDITOR_INDEX)
        try:
            page = self.step("GET", "/admin/login/")
            self.step(
                "POST", "/admin/login/",
                form=[("csrfmiddlewaretoken", self.capture(CSRF, page, "csrf")),
                      ("username", f"editor{self.class_index}"), ("password", EDITOR_PASSWORD),
                      ("next", "/admin/")],
                contains=["<h1>Site administration</h1>"],
                not_contains=["Please enter the correct"],
            )
        except FlowFailed:
            raise StopUser()

    @task
    def publish(self):
        try:
            self.step("GET", "/admin/", contains=["<h1>Site administration</h1>"])
            form = self.step("GET", "/admin/blog/post/add/", contains=["<h1>Add post</h1>"])
            csrf = self.capture(CSRF, form, "csrf")
            tag_ids = self.capture(r'<option value="(\d+)">', form, "tag_ids", pick="all")
            today = self.capture(r'name="date" value="([0-9-]+)"', form, "today")
            rand = "".join(self.rng.choice(string.ascii_lowercase + string.digits) for _ in range(6))
            slug = f"post-e{self.class_index}-{next(POST_COUNTER)}-{rand}"
            self.step(
                "POST", "/admin/blog/post/add/",
                form=[("csrfmiddlewaretoken", csrf), ("title", lorem.sentence(self.rng)),
                      ("slug", slug), ("intro", lorem.sentence(self.rng)),
                      ("body", lorem.paragraph(self.rng)), ("date", today), ("initial-date", today)]
                + [("tags", self.rng.choice(tag_ids)) for _ in range(3)]
                + [("published", "on"), ("_save", "Save")],
                contains=["was added successfully", "<h1>Select post to change</h1>"],
            )
            SLUGS.append(slug)
        except FlowFailed:
            pass


class Reader(BlogUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self):
        super().on_start()
        try:
            page = self.step("GET", "/", contains=["<h1>Latest posts</h1>"])
        except FlowFailed:
            raise StopUser()
        self.pages = int(self.capture(PAGES, page, "pages", default="1"))

    @task(3)
    def index_and_post(self):
        try:
            page = self.step("GET", f"/?page={self.rng.randint(1, self.pages)}",
                             name="/?page=[n]", contains=["<h1>Latest posts</h1>"])
            slug = self.capture(r'<h2><a href="/posts/([a-z0-9-]+)/">', page, "slug", "random")
            self.pages = int(self.capture(PAGES, page, "pages", default="1"))
            self.step("GET", f"/posts/{slug}/", name="/posts/[slug]/",
                      contains=[f'id="post-{slug}"'])
        except FlowFailed:
            pass

    @task(3)
    def new_post_and_tag(self):
        if not SLUGS:
            return  # an empty pool skips the flow, not a failure
        slug = self.rng.choice(SLUGS)
        try:
            page = self.step("GET", f"/posts/{slug}/", name="/posts/[slug]/",
                             contains=[f'id="post-{slug}"'])
            tag = self.capture(r'href="/tags/([a-z0-9-]+)/"', page, "tag", "random")
            self.step("GET", f"/tags/{tag}/", name="/tags/[tag]/", contains=["<h1>Posts tagged"])
        except FlowFailed:
            pass

    @task(1)
    def archive(self):
        try:
            self.step("GET", f"/archive/{self.rng.randint(2021, 2022)}/{self.rng.randint(1, 12)}/",
                      name="/archive/[year]/[month]/", contains=["<h1>Archive: "])
        except FlowFailed:
            pass
