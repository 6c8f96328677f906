"""A WSGI server with a known CPU split for the `profile: true` end-to-end test: every request
to /work runs mod_a.spin for 7 units and mod_b.spin for 3 (the same loop, twomod.py), so the
profile of the server should give mod_a 70% of the two modules' self time. The two alternate in
small chunks through the request: with mod_a's whole share first and mod_b's last, runs on the
busy development machine gave mod_a 59-84% of the two (the on-CPU samples that survive
preemption are not spread evenly over a request: a freshly woken thread is likely preempted less
often than later on), while chunks interleaved like this stayed within 67-75%.
Usage: srvapp.py PORT"""
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server

import mod_a
import mod_b

UNIT = 600
CHUNKS = 20


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def app(environ, start_response):
    if environ.get("PATH_INFO") == "/work":
        x = 0
        for _ in range(CHUNKS):
            x += mod_a.spin(7 * UNIT) + mod_b.spin(3 * UNIT)
        body = ("%d\n" % x).encode()
    else:
        body = b"ready\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def main():
    make_server("127.0.0.1", int(sys.argv[1]), app, handler_class=Quiet).serve_forever()


if __name__ == "__main__":
    main()
