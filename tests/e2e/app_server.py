#!/usr/bin/python3
"""A small web application for the load engine's end-to-end tests (stdlib only).

It behaves like the parts of a Django site a load test touches: a login form with a CSRF token
(cookie + hidden field, both required on POST), a session cookie, redirects after POST, pages that
need the session, JSON endpoints, and it records what really happened so a test can ask:
GET /__log returns every request counted by "METHOD /path" (query removed), the accepted POSTs,
the posts created and the posts read.

Binds 127.0.0.1 on an ephemeral port and prints the port on its first line of output.

Routes:
  GET  /login               form with csrfmiddlewaretoken; sets csrftoken cookie
  POST /login               needs csrftoken cookie == form token and a username; sets sessionid,
                            303 -> /welcome (403 otherwise)
  GET  /welcome             200 "welcome USER" with a session, 403 without
  POST /posts               needs session + CSRF (form csrfmiddlewaretoken or X-CSRFToken header);
                            201 {"id": N, "slug": "post-N", "tags": [...]}, Location: /posts/N
  GET  /posts/N             200 "post N by USER" if created, 404 otherwise
  DELETE /posts/N           needs session; 204
  GET  /status/N            answers status N
  GET  /slow?ms=N           answers after N ms
  ANY  /echo                200 JSON of the request: method, path, query, headers, body
  GET  /redirect?to=P       302 -> P
  GET  /__log               the log (not itself counted)
"""
import http.server
import json
import secrets
import sys
import threading
import time
import urllib.parse


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.sessions = {}  # sessionid -> username
        self.csrf = set()  # tokens handed out
        self.posts = {}  # id -> {"author": ..., "title": ...}
        self.next_id = 1
        self.reads = []  # ids read (found or not)
        self.accepted = []  # accepted POSTs: {"path", "user", "form"}
        self.rejected = []  # refused POSTs: {"path", "why"}
        self.deleted = []
        self.echoes = []

    def snapshot(self):
        with self.lock:
            return {
                "counts": dict(self.counts),
                "posts": {str(k): v for k, v in self.posts.items()},
                "reads": list(self.reads),
                "accepted": list(self.accepted),
                "rejected": list(self.rejected),
                "deleted": list(self.deleted),
                "echoes": list(self.echoes),
                "sessions": len(self.sessions),
            }


STATE = State()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "app_server/1"
    # Headers and body go out in separate writes: without this, Nagle's algorithm and delayed ACKs
    # add 40 ms to every response.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        pass

    # -- helpers --
    def cookies(self):
        jar = {}
        for header in self.headers.get_all("Cookie") or []:
            for part in header.split(";"):
                if "=" in part:
                    k, v = part.strip().split("=", 1)
                    jar[k] = v
        return jar

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def reply(self, status, body=b"", ctype="text/html; charset=utf-8", headers=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if status not in (204, 304):
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status not in (204, 304) and self.command != "HEAD":
            self.wfile.write(body)

    def user(self):
        return STATE.sessions.get(self.cookies().get("sessionid"))

    def count(self, path):
        with STATE.lock:
            key = "%s %s" % (self.command, path)
            STATE.counts[key] = STATE.counts.get(key, 0) + 1

    def csrf_ok(self, form):
        token = self.cookies().get("csrftoken")
        sent = form.get("csrfmiddlewaretoken") or self.headers.get("X-CSRFToken")
        with STATE.lock:
            return token is not None and token == sent and token in STATE.csrf

    # -- dispatch --
    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        path, query = url.path, urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if path == "/__log":
            return self.reply(200, json.dumps(STATE.snapshot()), "application/json")
        self.count(path)
        raw = self.body() if self.command in ("POST", "PUT", "PATCH", "DELETE") else b""
        form = {}
        if (self.headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
            form = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode(), keep_blank_values=True).items()}

        if path == "/echo" or path.startswith("/echo/"):
            rec = {
                "method": self.command,
                "path": path,
                "raw_path": self.path,
                "query": url.query,
                "headers": [[k, v] for k, v in self.headers.items()],
                "body": raw.decode("utf-8", "replace"),
            }
            with STATE.lock:
                STATE.echoes.append(rec)
            return self.reply(200, json.dumps(rec), "application/json")
        if path == "/login" and self.command == "GET":
            token = secrets.token_hex(16)
            with STATE.lock:
                STATE.csrf.add(token)
            page = ('<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="%s">'
                    '<input name="username"></form>' % token)
            return self.reply(200, page, headers=[("Set-Cookie", "csrftoken=%s; Path=/" % token)])
        if path == "/login" and self.command == "POST":
            if not self.csrf_ok(form) or not form.get("username"):
                with STATE.lock:
                    STATE.rejected.append({"path": path, "why": "csrf" if form.get("username") else "user"})
                return self.reply(403, "CSRF verification failed")
            sid = secrets.token_hex(16)
            with STATE.lock:
                STATE.sessions[sid] = form["username"]
                STATE.accepted.append({"path": path, "user": form["username"], "form": form})
            return self.reply(303, "", headers=[("Location", "/welcome"),
                                                ("Set-Cookie", "sessionid=%s; Path=/; HttpOnly" % sid)])
        if path == "/welcome":
            user = self.user()
            if not user:
                return self.reply(403, "login required")
            return self.reply(200, "<h1>welcome %s</h1>" % user)
        if path == "/posts" and self.command == "POST":
            user = self.user()
            if not user or not self.csrf_ok(form):
                with STATE.lock:
                    STATE.rejected.append({"path": path, "why": "session" if not user else "csrf"})
                return self.reply(403, "forbidden")
            with STATE.lock:
                pid = STATE.next_id
                STATE.next_id += 1
                STATE.posts[pid] = {"author": user, "title": form.get("title", "")}
                STATE.accepted.append({"path": path, "user": user, "form": form, "id": pid})
            doc = {"id": pid, "slug": "post-%d" % pid, "tags": ["t%d" % pid, "x"], "author": {"name": user}}
            return self.reply(201, json.dumps(doc), "application/json", headers=[("Location", "/posts/%d" % pid)])
        if path.startswith("/posts/"):
            try:
                pid = int(path[len("/posts/"):].strip("/"))
            except ValueError:
                return self.reply(404, "no such post")
            if self.command == "DELETE":
                if not self.user():
                    return self.reply(403, "login required")
                with STATE.lock:
                    found = STATE.posts.pop(pid, None)
                    STATE.deleted.append(pid)
                return self.reply(204 if found else 404, "")
            with STATE.lock:
                STATE.reads.append(pid)
                post = STATE.posts.get(pid)
            if not post:
                return self.reply(404, "no such post")
            return self.reply(200, "<p>post %d by %s</p>" % (pid, post["author"]))
        if path.startswith("/status/"):
            code = int(path[len("/status/"):])
            return self.reply(code, "status %d" % code)
        if path == "/slow":
            time.sleep(int(query.get("ms", ["100"])[0]) / 1000.0)
            return self.reply(200, "slow")
        if path == "/redirect":
            return self.reply(302, "", headers=[("Location", query.get("to", ["/welcome"])[0])])
        return self.reply(404, "not found")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def handle_error(self, request, client_address):
        # Clients that go away mid-answer (a load test being stopped) are normal here.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    print(srv.server_address[1], flush=True)
    try:
        srv.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
