"""Starts the real lumina binary for browser journeys: its own port, data folder and database."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_postgres_database(admin_url):
    """Creates an empty database next to the admin one and returns its URL (psql from Debian)."""
    name = "journey_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", admin_url, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    return admin_url.rsplit("/", 1)[0] + "/" + name


class LuminaServer:
    def __init__(self, binary, database, postgres_url=None):
        self.binary = binary
        self.data_dir = tempfile.mkdtemp(prefix="lumina-journey-")
        self.port = free_port()
        if database == "postgres":
            self.database_url = create_postgres_database(postgres_url)
        else:
            self.database_url = f"sqlite://{self.data_dir}/lumina.db"
        self.log_path = os.path.join(self.data_dir, "server.log")
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=60):
        # Jobs run when a journey presses "Run now": a real hourly fire at HH:00 during a journey
        # that counts runs would fail it for reasons that are not the code's.
        quiet = "cron 0 0 29 2 *"
        env = dict(os.environ, LUMINA_BCRYPT_COST="4", LUMINA_SCHEDULE_CLEANING=quiet,
                   LUMINA_SCHEDULE_INSIGHTS=quiet, LUMINA_SCHEDULE_REPORTS=quiet)
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [self.binary, "serve", "--port", str(self.port), "--data-dir", self.data_dir,
             "--database-url", self.database_url],
            stdout=log, stderr=log, env=env)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("lumina exited during start-up:\n" + self.log())
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("lumina did not become healthy:\n" + self.log())

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()[-6000:]
        except OSError:
            return ""

    def api(self, method, path, body=None, token=None):
        request = urllib.request.Request(self.url + path, method=method,
                                         data=json.dumps(body).encode() if body is not None else None)
        request.add_header("Content-Type", "application/json")
        request.add_header("Accept", "application/json")
        if token:
            request.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")
