"""A WSGI app for the gunicorn end-to-end test: each request burns a little CPU in a function
whose name the test looks for in the profile."""


def render(n):
    return sum(i * i for i in range(n))


def application(environ, start_response):
    body = ("%d\n" % render(200000)).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
