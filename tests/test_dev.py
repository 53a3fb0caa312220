"""`make run` says "ready" only once its web server answers HTTP (partnerhub/dev.py)."""

import http.server
import socket
import threading
import time

from partnerhub import dev


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Unavailable(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(503)
        self.end_headers()

    def log_message(self, *args):
        pass


def serve_after(delay: float, port: int) -> http.server.HTTPServer:
    server = http.server.HTTPServer(("127.0.0.1", port), Unavailable, bind_and_activate=False)

    def start():
        time.sleep(delay)
        server.server_bind()
        server.server_activate()
        server.serve_forever(poll_interval=0.05)

    threading.Thread(target=start, daemon=True).start()
    return server


def test_waiting_ends_when_the_server_starts_answering_whatever_the_status():
    port = free_port()
    server = serve_after(1.0, port)
    started = time.monotonic()
    try:
        result = dev.wait_until_answers(f"http://127.0.0.1:{port}/healthz", timeout=20, gave_up=lambda: None)
    finally:
        server.shutdown()
        server.server_close()
    assert result is None
    assert time.monotonic() - started >= 1.0


def test_a_server_that_never_answers_is_reported_with_its_url_after_the_timeout():
    url = f"http://127.0.0.1:{free_port()}/healthz"
    started = time.monotonic()
    result = dev.wait_until_answers(url, timeout=1, gave_up=lambda: None)
    assert result == f"{url} did not answer within 1 s"
    assert 1.0 <= time.monotonic() - started < 5


def test_waiting_stops_at_once_when_a_child_exits_or_ctrl_c_arrives():
    url = f"http://127.0.0.1:{free_port()}/healthz"
    started = time.monotonic()
    result = dev.wait_until_answers(url, timeout=30, gave_up=lambda: "runserver 127.0.0.1:8000 exited with 1")
    assert result == "runserver 127.0.0.1:8000 exited with 1"
    assert time.monotonic() - started < 2


def test_a_port_taken_by_another_server_is_noticed_before_anything_starts():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert dev.port_in_use("127.0.0.1", listener.getsockname()[1])
    assert not dev.port_in_use("127.0.0.1", free_port())
