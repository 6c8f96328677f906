#!/usr/bin/python3
"""Test server for the HTTP client (stdlib only, for Debian's /usr/bin/python3).

Binds 127.0.0.1 on an ephemeral port, prints the port on one line, and serves until stdin closes
(so it dies with the test that started it) or it is killed. With --tls CERT KEY it speaks HTTPS.

Endpoints (any method):
  /echo...               the request as JSON: method, target, version, headers (in order), body,
                         conn (id of the TCP connection, counted from 1), peer_port, nreq (requests
                         on this connection so far)
  /cookies/set?c=V&c=W   200 "ok" with one Set-Cookie header per c (V is the header value)
  /redirect?code=N&to=L  status N with Location L (L used verbatim); optional c=V sets cookies
  /chain/N               N > 0: 302 to the relative "N-1" with Set-Cookie hopN=1; N == 0: as /echo
  /gzip /deflate /deflate-raw /gzip-chunked   GZIP_TEXT compressed that way
  /bad-gzip              Content-Encoding: gzip with a body that is not gzip
  /chunked               a chunked body with chunk extensions and trailers: "hello world!"
  /eof                   a body delimited by closing the connection: "until the end"
  /close                 "closing" with Connection: close, then closes
  /large?n=N             N bytes of LARGE_PATTERN repeated, with Content-Length
  /status?code=N         status N, with Content-Length: 5 but no body for 204/304
  /interim               100 Continue and 103 Early Hints before the 200 "final"
  /slow?delay=S          waits S seconds, then "slow"
  /drop-next             "armed"; the next request on this connection is read and then the
                         connection is closed without a response
  /head                  HEAD: Content-Length 11 and no body; other methods: "head body!"
"""
import gzip
import http.server
import itertools
import json
import os
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse
import zlib

GZIP_TEXT = b"compressed hello " * 64
LARGE_PATTERN = b"0123456789abcdefghijklmnopqrstuvwxyz"

_conn_ids = itertools.count(1)
_conn_lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mixperf-test"
    sys_version = ""
    disable_nagle_algorithm = True

    def version_string(self):
        return self.server_version

    def setup(self):
        super().setup()
        with _conn_lock:
            self.conn_id = next(_conn_ids)
        self.nreq = 0
        self.drop_next = False

    def log_message(self, fmt, *args):
        pass

    def __getattr__(self, name):
        # Every method token goes to route(), including ones http.server has never heard of.
        if name.startswith("do_"):
            return self.route
        raise AttributeError(name)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def reply(self, status, body=b"", headers=(), close=False):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def raw(self, data, close=False):
        self.wfile.write(data)
        self.wfile.flush()
        if close:
            self.close_connection = True

    def route(self):
        self.nreq += 1
        body = self.read_body()
        if self.drop_next:
            self.close_connection = True
            return
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        path = url.path
        cookies = [("Set-Cookie", v) for v in q.get("c", [])]

        if path.startswith("/echo") or path == "/chain/0":
            self.echo(body)
        elif path == "/cookies/set":
            self.reply(200, b"ok", cookies)
        elif path == "/redirect":
            code = int(q.get("code", ["302"])[0])
            self.reply(code, b"moved", [("Location", q.get("to", ["/echo"])[0])] + cookies)
        elif path.startswith("/chain/"):
            n = int(path.rsplit("/", 1)[1])
            self.reply(302, b"", [("Location", str(n - 1)), ("Set-Cookie", "hop%d=1; Path=/" % n)])
        elif path == "/gzip":
            self.reply(200, gzip.compress(GZIP_TEXT), [("Content-Encoding", "gzip")])
        elif path == "/deflate":
            self.reply(200, zlib.compress(GZIP_TEXT), [("Content-Encoding", "deflate")])
        elif path == "/deflate-raw":
            c = zlib.compressobj(wbits=-15)
            self.reply(200, c.compress(GZIP_TEXT) + c.flush(), [("Content-Encoding", "deflate")])
        elif path == "/gzip-chunked":
            data = gzip.compress(GZIP_TEXT)
            out = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
            for i in range(0, len(data), 7):
                piece = data[i:i + 7]
                out += b"%x\r\n%s\r\n" % (len(piece), piece)
            self.raw(out + b"0\r\n\r\n")
        elif path == "/bad-gzip":
            self.reply(200, b"this is not gzip at all", [("Content-Encoding", "gzip")])
        elif path == "/chunked":
            self.raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
                     b"5;name=value\r\nhello\r\n"
                     b"7 ; a=\"b\"\r\n world!\r\n"
                     b"0\r\nX-Sum: 12\r\n\r\n")
        elif path == "/eof":
            self.raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", close=True)
        elif path == "/close":
            self.reply(200, b"closing", close=True)
        elif path == "/large":
            n = int(q.get("n", ["1000000"])[0])
            data = (LARGE_PATTERN * (n // len(LARGE_PATTERN) + 1))[:n]
            self.reply(200, data)
        elif path == "/status":
            code = int(q.get("code", ["200"])[0])
            if code in (204, 304):
                self.raw(b"HTTP/1.1 %d Status\r\nContent-Length: 5\r\n\r\n" % code)
            else:
                self.reply(code, b"status")
        elif path == "/interim":
            self.raw(b"HTTP/1.1 100 Continue\r\n\r\n"
                     b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                     b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Final: yes\r\n\r\nfinal")
        elif path == "/slow":
            time.sleep(float(q.get("delay", ["1"])[0]))
            self.reply(200, b"slow")
        elif path == "/drop-next":
            self.drop_next = True
            self.reply(200, b"armed")
        elif path == "/head":
            if self.command == "HEAD":
                self.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n")
            else:
                self.reply(200, b"head body!!")
        else:
            self.reply(404, b"not found")

    def echo(self, body):
        doc = {
            "method": self.command,
            "target": self.path,
            "version": self.request_version,
            "headers": [[k, v] for k, v in self.headers.items()],
            "body": body.decode("latin-1"),
            "conn": self.conn_id,
            "peer_port": self.client_address[1],
            "nreq": self.nreq,
        }
        self.reply(200, json.dumps(doc).encode(), [("Content-Type", "application/json")])


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass  # clients that time out and hang up are part of the tests


def main():
    server = Server(("127.0.0.1", 0), Handler)
    if len(sys.argv) == 4 and sys.argv[1] == "--tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[2], sys.argv[3])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    elif len(sys.argv) != 1:
        sys.exit("usage: httpd.py [--tls CERT KEY]")
    print(server.server_address[1], flush=True)

    def watch_stdin():
        try:
            while os.read(0, 4096):
                pass
        finally:
            os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
