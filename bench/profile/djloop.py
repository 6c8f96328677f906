"""A Django template-rendering loop (Debian python3-django): the profiler's accuracy workload.

Renders a blog-like page (inheritance, includes, loops, filters, autoescaping, lazy translation,
custom tags) over and over, for the given number of CPU seconds (default 10). Many short
functions across many modules make it the case where reading a running stack goes wrong."""
import sys
import time

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    USE_I18N=True,
    USE_TZ=True,
    INSTALLED_APPS=["django.contrib.humanize"],
    TEMPLATES=[{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "loaders": [("django.template.loaders.cached.Loader", [("django.template.loaders.locmem.Loader", {
                "base.html": (
                    "<html><head><title>{% block title %}{% endblock %}</title></head><body>"
                    "{% block body %}{% endblock %}"
                    "<footer>{{ footer|default:'no footer'|upper }}</footer></body></html>"),
                "post.html": (
                    "{% load humanize %}<article class=\"{% cycle 'odd' 'even' %}\">"
                    "<h2><a href=\"/p/{{ post.slug|urlencode }}/\">{{ post.title|title }}</a></h2>"
                    "<p class=\"meta\">{{ post.author.name|default:'anonymous' }}, "
                    "{{ post.views|intcomma }} views, {{ post.date|date:'Y-m-d' }}</p>"
                    "<p>{{ post.intro|truncatewords:12 }}</p>"
                    "<ul>{% for tag in post.tags %}<li>{{ tag|lower|slugify }}</li>"
                    "{% empty %}<li>untagged</li>{% endfor %}</ul>"
                    "{% if post.body|length > 200 %}<p>{{ post.body|linebreaksbr }}</p>{% endif %}"
                    "</article>"),
                "index.html": (
                    "{% extends 'base.html' %}{% load humanize %}"
                    "{% block title %}{{ site|escape }} &mdash; page {{ page }}{% endblock %}"
                    "{% block body %}{% with total=posts|length %}"
                    "<h1>{{ total }} post{{ total|pluralize }}</h1>{% endwith %}"
                    "{% for post in posts %}{% include 'post.html' %}{% endfor %}"
                    "<nav>{% for n in pages %}<a href=\"?page={{ n }}\">{{ n }}</a>"
                    "{% if not forloop.last %} | {% endif %}{% endfor %}</nav>"
                    "{% endblock %}"),
            })])],
        },
    }],
)
django.setup()

from django.template.loader import get_template  # noqa: E402
from django.utils import timezone  # noqa: E402


def make_posts(n):
    now = timezone.now()
    words = ("django template render profile module function sampling accurate "
             "<script>alert(1)</script> & friends").split()
    posts = []
    for i in range(n):
        posts.append({
            "slug": "post-%d/x y" % i,
            "title": " ".join(words[(i + k) % len(words)] for k in range(5)),
            "author": {"name": "editor%d" % (i % 7)} if i % 5 else {},
            "views": i * 12345,
            "date": now,
            "intro": " ".join(words * 3),
            "tags": [words[(i * 3 + k) % len(words)] for k in range(i % 4)],
            "body": "line\n" * (i % 80),
        })
    return posts


def main():
    """djloop.py SECONDS: render for that much CPU time. djloop.py pages=N: render N pages (fixed
    work, for slowdown measurements) and print the wall and CPU seconds it took."""
    arg = sys.argv[1] if len(sys.argv) > 1 else "10"
    template = get_template("index.html")
    posts = make_posts(20)
    ctx = {"site": "Blog <&>", "page": 3, "posts": posts, "pages": range(1, 11), "footer": None}
    if arg.startswith("pages="):
        n = int(arg[6:])
        w0, c0 = time.perf_counter(), time.process_time()
        for _ in range(n):
            template.render(ctx)
        print("wall %.6f cpu %.6f pages %d" % (time.perf_counter() - w0,
                                               time.process_time() - c0, n))
        return
    end = time.process_time() + float(arg)
    pages = 0
    while time.process_time() < end:
        template.render(ctx)
        pages += 1
    print("pages %d" % pages)


if __name__ == "__main__":
    main()
