# Locust peer of plain.yaml: FastHttpUser (Locust's fastest client), no wait.
from locust import task
from locust.contrib.fasthttp import FastHttpUser


class Getter(FastHttpUser):
    @task
    def get(self):
        self.client.get("/1k.bin")
