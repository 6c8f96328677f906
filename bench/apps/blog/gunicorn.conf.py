"""gunicorn settings for the blog benchmark (gunicorn 20.1, Debian's python3-gunicorn).

  MIXPERF_BLOG_BIND        address to listen on, required: 127.0.0.1:PORT (serve.sh picks a free
                           port; a fixed default would collide with concurrent runs)
  MIXPERF_BLOG_WORKERS     sync worker processes (default 2)
  MIXPERF_BLOG_ACCESS_LOG  access log file, or "-" for stderr (default: none; logging every request
                           would add its own cost to what is measured)
  MIXPERF_BLOG_PIDFILE     where the master writes its pid (default: none)
"""
import os

_here = os.path.dirname(os.path.abspath(__file__))

bind = os.environ.get("MIXPERF_BLOG_BIND")
if not bind:
    raise SystemExit("gunicorn.conf.py: set MIXPERF_BLOG_BIND=127.0.0.1:PORT (serve.sh does)")
workers = int(os.environ.get("MIXPERF_BLOG_WORKERS", "2"))
# Sync workers, one request at a time per process: the classic Django deployment, and the one in
# which interpreter speed shows most directly in throughput.
worker_class = "sync"
wsgi_app = "blogsite.wsgi:application"
chdir = _here
pythonpath = _here
raw_env = ["DJANGO_SETTINGS_MODULE=blogsite.settings"]
proc_name = "mixperf-blog"

accesslog = os.environ.get("MIXPERF_BLOG_ACCESS_LOG") or None
errorlog = "-"
loglevel = "warning"
pidfile = os.environ.get("MIXPERF_BLOG_PIDFILE") or None

# A request that takes longer than this under heavy load kills the worker; long enough that only a
# real hang does.
timeout = 60
graceful_timeout = 10
# The backlog of connections waiting for a free worker: large enough for a few hundred simulated
# users connecting at once.
backlog = 2048
