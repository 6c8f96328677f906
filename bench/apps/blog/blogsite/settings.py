"""Settings of the mixperf blog benchmark (docs/blog.md explains each choice).

Everything a run varies comes from the environment:
  MIXPERF_BLOG_DB          SQLite database file (a per-run directory); default: blog.sqlite3 here
  MIXPERF_BLOG_SECRET_KEY  default: a fixed key, so that runs are comparable (never deploy this)
  MIXPERF_BLOG_DEBUG       "1" turns DEBUG on for development by hand; benchmarks keep it off
"""
import os
from pathlib import Path

import django

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get(
    "MIXPERF_BLOG_SECRET_KEY", "mixperf-blog-benchmark-key-not-secret-0123456789abcdefghij"
)
DEBUG = os.environ.get("MIXPERF_BLOG_DEBUG") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "blog",
]

# The stock middleware of a Django 3.2 project: sessions, CSRF, auth and messages all run on every
# request, as on a real site.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "blogsite.urls"
WSGI_APPLICATION = "blogsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "blog.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": {
        # Django's SQLite backend, with write transactions that queue instead of failing under
        # concurrent workers (see blogsite/sqlite_immediate/base.py).
        "ENGINE": "blogsite.sqlite_immediate",
        "NAME": os.environ.get("MIXPERF_BLOG_DB", str(BASE_DIR / "blog.sqlite3")),
        "OPTIONS": {"timeout": 30},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

# Database-backed sessions, Django's default: a login writes a row, every admin page reads one.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# MD5 instead of PBKDF2 (260,000 iterations in Django 3.2, ~0.1 s of C code per login): the
# researchers measure the interpreter running Django, not a key-derivation loop in OpenSSL, and
# every editor logs in. Never use this hasher outside a benchmark.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The stock validators: the admin's add-user form runs them, as on a real site.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_L10N = True
USE_TZ = True

# Only the admin has static files. No load generator fetches them (none is a browser), so they
# cost the benchmark nothing; blogsite/urls.py serves them through Django so that the admin looks
# right to a person opening it by hand, and no page refers to a file that would answer 404.
STATIC_URL = "/static/"
ADMIN_STATIC_ROOT = Path(django.__file__).resolve().parent / "contrib" / "admin" / "static"

BLOG_TITLE = "The Mixperf Blog"
BLOG_POSTS_PER_PAGE = 10

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # Server errors go to gunicorn's error log so a failing benchmark request can be diagnosed.
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}
