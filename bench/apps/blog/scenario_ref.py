#!/usr/bin/python3
"""A small reference interpreter for mixperf scenario files, used to validate bench/scenarios/blog.yaml
without mixperf: the blog's Django tests run the file's requests through Django's test client, and
the command line below runs them against a live server with one thread per user.

It implements the part of docs/scenarios.md that blog.yaml uses -- requests with form/query/headers,
expect, regex/header/cookie captures, set, pick, push, sleep, loops over counts and list variables,
fixed_count and weighted user classes, between/constant waits, and the templates -- and rejects
anything else by name, so a scenario feature it does not know is never silently ignored. It is a
test instrument, not a load generator: one Python thread per user cannot load a server the way
`mixperf load` does.

    /usr/bin/python3 scenario_ref.py SCENARIO --host URL -u USERS -t SECONDS [--seed N] [--json FILE]
                                     [--no-teardown]
    /usr/bin/python3 scenario_ref.py SCENARIO --host URL --teardown-only
"""
import argparse
import http.cookiejar
import json
import os
import random
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid as uuidlib
from dataclasses import dataclass, field

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from blog import lorem  # noqa: E402  (the app's own word list; no Django needed)

METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
REQUEST_KEYS = {"url", "name", "query", "headers", "form", "json", "body", "follow_redirects",
                "timeout", "expect", "capture", "push", "request"} | set(METHODS)
TOP_KEYS = {"host", "defaults", "variables", "pools", "counters", "setup", "teardown", "users"}
USER_KEYS = {"name", "weight", "fixed_count", "wait", "on_start", "on_stop", "tasks"}


class ScenarioError(Exception):
    """The file uses something this interpreter does not implement, or is malformed."""


class RequestFailed(Exception):
    """A request failed (transport, expectation or capture): the rest of the flow is skipped."""


@dataclass
class Response:
    status: int
    text: str
    headers: dict  # lower-case name -> last value
    cookies: dict  # the user's jar after the response


# --- transports ------------------------------------------------------------------------------


class UrllibTransport:
    """Real HTTP with a cookie jar, for a live server."""

    def __init__(self, host, timeout=30.0):
        self.host = host.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.timeout = timeout
        cookies = urllib.request.HTTPCookieProcessor(self.jar)
        self.follow = urllib.request.build_opener(cookies)
        self.nofollow = urllib.request.build_opener(cookies, _NoRedirect())

    def send(self, method, url, headers, body, follow):
        if not url.startswith(("http://", "https://")):
            url = self.host + url
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        opener = self.follow if follow else self.nofollow
        try:
            with opener.open(req, timeout=self.timeout) as r:
                status, data, hdrs = r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            status, data, hdrs = e.code, e.read(), e.headers
        except (urllib.error.URLError, OSError) as e:
            raise RequestFailed(f"transport error: {e}") from e
        return Response(status, data.decode("utf-8", "replace"),
                        {k.lower(): v for k, v in hdrs.items()},
                        {c.name: c.value for c in self.jar})


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class DjangoClientTransport:
    """Django's test client with CSRF checks enforced, as a browser-less browser would face them."""

    def __init__(self):
        from django.test import Client

        self.client = Client(enforce_csrf_checks=True)

    def send(self, method, url, headers, body, follow):
        extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()
                 if k.lower() != "content-type"}
        ctype = headers.get("Content-Type", "application/octet-stream")
        r = self.client.generic(method, url, data=body or b"", content_type=ctype, **extra)
        # Redirects as a browser (and libcurl) follows them: 301-303 become a GET without a body,
        # 307/308 repeat the request.
        hops = 0
        while follow and r.status_code in (301, 302, 303, 307, 308):
            hops += 1
            if hops > 10:
                raise RequestFailed("more than 10 redirects")
            url = urllib.parse.urljoin(url, r["Location"])
            if r.status_code < 307:
                method, body, ctype = "GET", b"", "application/octet-stream"
            r = self.client.generic(method, url, data=body or b"", content_type=ctype, **extra)
        return Response(r.status_code, r.content.decode("utf-8", "replace"),
                        {k.lower(): v for k, v in r.items()},
                        {k: m.value for k, m in self.client.cookies.items()})


# --- templates -------------------------------------------------------------------------------

EXPR = re.compile(r"\{\{\s*(.*?)\s*\}\}")
CALL = re.compile(r"^(random\.int|random\.string|random\.choice)\((.*)\)$")


class User:
    def __init__(self, run, cls, index, class_index, transport, flow=None):
        self.run, self.cls = run, cls
        self.index, self.class_index = index, class_index
        self.transport = transport
        # Setup and teardown get streams of their own, apart from user 0's.
        self.rng = random.Random(f"{run.seed}:{flow or index}")
        self.vars = dict(getattr(run, "variables", {}))
        self.user_class = cls["name"] if cls else flow

    def value(self, expr):
        if expr.startswith('"') and expr.endswith('"') and len(expr) >= 2:
            return expr[1:-1]
        m = CALL.match(expr)
        if m:
            fn, args = m.group(1), [a.strip() for a in m.group(2).split(",")]
            if fn == "random.int":
                return str(self.rng.randint(self._int(args[0]), self._int(args[1])))
            if fn == "random.string":
                return "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789")
                               for _ in range(self._int(args[0])))
            return self.rng.choice(self._var(args[0]))
        if expr == "user.index":
            return str(self.index)
        if expr == "user.class_index":
            return str(self.class_index)
        if expr == "user.class":
            return self.user_class
        if expr.startswith("counter."):
            return str(self.run.next_counter(expr[len("counter."):]))
        if expr == "lorem.word":
            return self.rng.choice(lorem.WORDS)
        if expr == "lorem.sentence":
            return lorem.sentence(self.rng)
        if expr == "lorem.paragraph":
            return lorem.paragraph(self.rng)
        if expr == "uuid":
            return str(uuidlib.UUID(int=self.rng.getrandbits(128), version=4))
        if expr.startswith("env."):
            name = expr[4:]
            if name not in os.environ:
                raise ScenarioError(f"environment variable {name} is not set")
            return os.environ[name]
        if expr == "time.unix":
            return str(int(time.time()))
        if expr == "time.unix_ms":
            return str(int(time.time() * 1000))
        return self._var(expr)

    def _int(self, text):
        return int(text) if re.fullmatch(r"-?\d+", text) else int(self._var(text))

    def _var(self, name):
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ScenarioError(f"unsupported template expression {name!r}")
        if name not in self.vars:
            raise RequestFailed(f"variable '{name}' has no value")
        return self.vars[name]

    def render(self, template, escape=None):
        if not isinstance(template, str):
            template = "" if template is None else str(template)

        def sub(m):
            v = self.value(m.group(1))
            if isinstance(v, list):
                raise RequestFailed(f"list variable in template {template!r}")
            return escape(v) if escape else v

        return EXPR.sub(sub, template)


# --- the run ---------------------------------------------------------------------------------


@dataclass
class Stat:
    ok: int = 0
    failed: int = 0
    failures: dict = field(default_factory=dict)  # message -> count


class Run:
    def __init__(self, path, seed=1, text=None):
        self.path = path
        self.doc = yaml.safe_load(text if text is not None else open(path).read())
        self.seed = seed
        self._check()
        self.lock = threading.Lock()
        self.counters = {}
        self.pools = {name: [] for name in self.doc.get("pools", [])}
        self.pushes = []  # (user class, class index, pool, value): who pushed what
        self.stats = {}        # (method, name) -> Stat, users only
        self.flow_stats = {}   # the same for setup and teardown
        defaults = self.doc.get("defaults", {})
        self.default_headers = dict(defaults.get("headers", {}))
        self.default_follow = defaults.get("follow_redirects", True)
        boot = User(self, None, 0, 0, None, flow="variables")
        self.variables = {k: boot.render(v) for k, v in self.doc.get("variables", {}).items()}

    def _check(self):
        unknown = set(self.doc) - TOP_KEYS
        if unknown:
            raise ScenarioError(f"top-level keys not supported here: {sorted(unknown)}")
        for u in self.doc["users"]:
            bad = set(u) - USER_KEYS
            if bad:
                raise ScenarioError(f"user class {u.get('name')}: keys not supported: {sorted(bad)}")

    @property
    def classes(self):
        return self.doc["users"]

    def next_counter(self, name):
        with self.lock:
            self.counters[name] = self.counters.get(name, 0) + 1
            return self.counters[name]

    def record(self, table, method, name, message):
        with self.lock:
            s = table.setdefault((method, name), Stat())
            if message is None:
                s.ok += 1
            else:
                s.failed += 1
                s.failures[message] = s.failures.get(message, 0) + 1

    # -- users

    def plan(self, users):
        """(class, class_index) in spawn order: fixed_count classes first, then the weighted."""
        fixed = [c for c in self.classes if "fixed_count" in c]
        weighted = [c for c in self.classes if "fixed_count" not in c]
        out = [(c, i) for c in fixed for i in range(c["fixed_count"])]
        rest = users - len(out)
        if rest < 0:
            raise ScenarioError(f"{users} users cannot hold {len(out)} fixed-count users")
        total = sum(c.get("weight", 1) for c in weighted)
        counts = [int(rest * c.get("weight", 1) / total) for c in weighted]
        for k in range(rest - sum(counts)):  # largest remainders would matter with 2+ classes
            counts[k % len(counts)] += 1
        for c, n in zip(weighted, counts):
            out += [(c, i) for i in range(n)]
        return out

    def wait_seconds(self, user):
        spec = user.cls.get("wait")
        if spec is None:
            return 0.0
        kind, *args = str(spec).split()
        if kind == "between":
            return user.rng.uniform(float(args[0]), float(args[1]))
        if kind == "constant":
            return float(args[0])
        raise ScenarioError(f"wait kind {kind!r} not supported here")

    def run_task(self, user):
        tasks = user.cls["tasks"]
        weights = [t.get("weight", 1) if isinstance(t, dict) else 1 for t in tasks]
        task = user.rng.choices(tasks, weights)[0]
        steps = task["steps"] if isinstance(task, dict) else task
        return self.run_flow(user, steps, self.stats)

    # -- flows

    def run_flow(self, user, steps, table):
        """Runs steps; False when a request failed (the rest was skipped), None when a pick found
        an empty pool (skipped, not a failure), True otherwise."""
        try:
            for step in steps:
                if self._step(user, step, table) == "skip":
                    return None
        except RequestFailed:
            return False
        return True

    def _step(self, user, step, table):
        if set(step) & (set(METHODS) | {"request"}):
            kind = "request"
        else:
            kinds = set(step) & {"set", "pick", "push", "sleep", "loop"}
            if len(kinds) != 1:
                raise ScenarioError(f"step with keys {sorted(step)}: not understood")
            kind = kinds.pop()
        if kind == "set":
            for k, v in step["set"].items():
                user.vars[k] = user.render(v)
        elif kind == "pick":
            pool = self.pools[step["pick"]["pool"]]
            with self.lock:
                if not pool:
                    return "skip"
                user.vars[step["pick"]["as"]] = user.rng.choice(pool)
        elif kind == "push":
            self._push(user, step["push"])
        elif kind == "sleep":
            time.sleep(float(step["sleep"]))
        elif kind == "loop":
            spec = step["loop"]
            if "count" in spec:
                items = [str(i) for i in range(int(user.render(spec["count"])))]
            elif isinstance(spec["over"], list):
                items = [user.render(x) for x in spec["over"]]
            elif str(spec["over"]).startswith("pool."):
                with self.lock:
                    items = list(self.pools[spec["over"][5:]])
            else:
                items = user.vars.get(spec["over"])
                if not isinstance(items, list):
                    raise RequestFailed(f"loop over {spec['over']!r}: not a list variable")
            for item in items:
                user.vars[spec["as"]] = item
                for sub in step["steps"]:
                    if self._step(user, sub, table) == "skip":
                        return "skip"
        else:
            self._request(user, step, table)
        return None

    def _push(self, user, spec):
        for p in spec if isinstance(spec, list) else [spec]:
            value = user.render(p["value"])
            with self.lock:
                self.pools[p["pool"]].append(value)
                self.pushes.append((user.user_class, user.class_index, p["pool"], value))

    def _request(self, user, step, table):
        bad = set(step) - REQUEST_KEYS
        if bad:
            raise ScenarioError(f"request keys not supported here: {sorted(bad)}")
        if "request" in step:
            method, url_t = step["request"]["method"].upper(), step["request"]["url"]
        else:
            method = next(m for m in METHODS if m in step).upper()
            url_t = step[method.lower()]
        name = step.get("name", url_t)
        if "json" in step or "body" in step:
            raise ScenarioError("json/body bodies are not used by blog.yaml and not supported here")
        url = user.render(url_t, lambda v: urllib.parse.quote(v, safe=""))
        if "query" in step:
            query = [(k, user.render(v)) for k, v in step["query"].items()]
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(query)
        headers = {k: user.render(v) for k, v in {**self.default_headers,
                                                   **step.get("headers", {})}.items()}
        if any("\r" in v or "\n" in v for v in headers.values()):
            return self._fail(table, method, name, "header value contains CR or LF")
        body = None
        if "form" in step:
            pairs = [(k, user.render(v)) for k, v in step["form"].items()]
            body = urllib.parse.urlencode(pairs).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        follow = step.get("follow_redirects", self.default_follow)
        resp = user.transport.send(method, url, headers, body, follow)

        message = self._expect(user, step.get("expect"), resp)
        if message:
            return self._fail(table, method, name, message)
        for cap in step.get("capture", []):
            message = self._capture(user, cap, resp)
            if message:
                return self._fail(table, method, name, message)
        if "push" in step:
            self._push(user, step["push"])
        self.record(table, method, name, None)
        return None

    def _fail(self, table, method, name, message):
        self.record(table, method, name, message)
        raise RequestFailed(message)

    @staticmethod
    def _listify(v):
        return [] if v is None else (v if isinstance(v, list) else [v])

    def _expect(self, user, spec, resp):
        if not spec:
            return None if resp.status < 400 else f"status {resp.status}"
        statuses = spec.get("status")
        if statuses and resp.status not in statuses:
            return f"expected status {statuses[0] if len(statuses) == 1 else statuses}, got {resp.status}"
        if not statuses and resp.status >= 400:
            return f"status {resp.status}"
        for t in self._listify(spec.get("contains")):
            text = user.render(t)
            if text not in resp.text:
                return f'body does not contain "{text}"'
        for t in self._listify(spec.get("not_contains")):
            text = user.render(t)
            if text in resp.text:
                return f'body contains "{text}"'
        return None

    def _capture(self, user, cap, resp):
        var = cap["var"]
        found = None
        if "regex" in cap:
            rx = re.compile(cap["regex"])
            group = cap.get("group", 1 if rx.groups else 0)
            values = [m.group(group) for m in rx.finditer(resp.text)]
            pick = cap.get("pick", "first")
            if values:
                found = {"first": values[0], "all": values,
                         "random": user.rng.choice(values)}[pick]
            what = "regex found no match"
        elif "header" in cap:
            found = resp.headers.get(cap["header"].lower())
            what = "no such header"
        elif "cookie" in cap:
            found = resp.cookies.get(cap["cookie"])
            what = "no such cookie"
        else:
            raise ScenarioError(f"capture {cap}: kind not supported here")
        if found is None:
            if "default" in cap:
                found = user.render(cap["default"])
            elif cap.get("optional"):
                return None
            else:
                return f"capture '{var}': {what}"
        user.vars[var] = found
        return None

    def run_setup(self, transport):
        user = User(self, None, 0, 0, transport, flow="setup")
        return self.run_flow(user, self.doc.get("setup", []), self.flow_stats)

    def run_teardown(self, transport):
        user = User(self, None, 0, 0, transport, flow="teardown")
        return self.run_flow(user, self.doc.get("teardown", []), self.flow_stats)

    def start(self, cls, index, class_index, transport):
        """A user of class cls that has run its on_start flow; None if that flow failed."""
        user = User(self, cls, index, class_index, transport)
        ok = self.run_flow(user, cls.get("on_start", []), self.stats)
        return user if ok is not False else None

    def totals(self, table=None):
        table = self.stats if table is None else table
        return {f"{m} {n}": {"ok": s.ok, "failed": s.failed, "failures": s.failures}
                for (m, n), s in sorted(table.items())}


# --- command line: one thread per user against a live server -----------------------------------


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--host", required=True)
    ap.add_argument("-u", "--users", type=int, help="required unless --teardown-only")
    ap.add_argument("-t", "--run-time", type=float, help="seconds; required unless --teardown-only")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="write setup/users/teardown statistics and the pools here")
    ap.add_argument("--no-teardown", action="store_true", help="leave the data for inspection")
    ap.add_argument("--teardown-only", action="store_true", help="run only the teardown flow")
    args = ap.parse_args(argv)

    if not args.teardown_only and (args.users is None or args.run_time is None):
        ap.error("-u and -t are required")
    run = Run(args.scenario, seed=args.seed)
    if args.teardown_only:
        ok = run.run_teardown(UrllibTransport(args.host))
        for key, s in sorted(run.totals(run.flow_stats).items()):
            print(f"{key:45} ok {s['ok']:6} failed {s['failed']:4}")
        return 0 if ok else 1
    if run.run_setup(UrllibTransport(args.host)) is False:
        print(json.dumps(run.totals(run.flow_stats), indent=1), file=sys.stderr)
        print("setup failed", file=sys.stderr)
        return 3
    stop = threading.Event()
    deadline = time.monotonic() + args.run_time

    def life(cls, index, class_index):
        user = run.start(cls, index, class_index, UrllibTransport(args.host))
        while user and not stop.is_set() and time.monotonic() < deadline:
            run.run_task(user)
            stop.wait(min(run.wait_seconds(user), max(0.0, deadline - time.monotonic())))

    threads = [threading.Thread(target=life, args=(cls, i, ci), daemon=True)
               for i, (cls, ci) in enumerate(run.plan(args.users))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()) + 60)
    stop.set()
    teardown = None if args.no_teardown else run.run_teardown(UrllibTransport(args.host))
    report = {"setup_teardown": run.totals(run.flow_stats), "users": run.totals(),
              "pools": run.pools, "counters": run.counters, "pushes": run.pushes,
              "teardown_ok": teardown is not False}
    text = json.dumps(report, indent=1)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text)
    failed = sum(s.failed for s in run.stats.values()) + sum(
        s.failed for s in run.flow_stats.values())
    for key, s in sorted(run.totals().items()):
        print(f"{key:45} ok {s['ok']:6} failed {s['failed']:4}")
    print(f"failures: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
