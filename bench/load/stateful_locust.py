# Locust peer of stateful.yaml: same requests, same capture, same check.
import re

from locust import task
from locust.contrib.fasthttp import FastHttpUser

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Member(FastHttpUser):
    @task
    def login(self):
        page = self.client.get("/login")
        token = TOKEN.search(page.text).group(1)
        with self.client.post("/login", data={"csrfmiddlewaretoken": token,
                                              "username": "user%d" % id(self)},
                              catch_response=True) as resp:
            if resp.status_code != 200 or "welcome" not in resp.text:
                resp.failure("not logged in")
