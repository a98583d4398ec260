"""A loopback HTTP server (127.0.0.1, port 0) in the test process that fronts a real TSA.

Only the network edge is staged: the answers come from the store's real OpenSSL TSA unless a
test swaps in a misbehaving handler.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable

from asn1crypto import tsp

from sealing.tsa import Transport

#: (request body, request Content-Type) -> (HTTP status, reply Content-Type, reply body)
Handler = Callable[[bytes, str], tuple[int, str, bytes]]

QUERY = "application/timestamp-query"
REPLY = "application/timestamp-reply"


class LoopbackTsa:
    """Serves ``handler`` on http://127.0.0.1:PORT/tsr until :meth:`close`."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests = 0
        outer = self

        class _Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                outer.requests += 1
                status, ctype, reply = outer.handler(body, self.headers.get("Content-Type", ""))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/tsr"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def honest(tsa: Transport) -> Handler:
    """A correct RFC 3161 front end: 415 unless the request is a timestamp query."""

    def handle(body: bytes, ctype: str) -> tuple[int, str, bytes]:
        if ctype != QUERY:
            return 415, "text/plain", b"unsupported media type"
        return 200, REPLY, tsa(body)

    return handle


def status(code: int) -> Handler:
    return lambda body, ctype: (code, "text/plain", b"error")


def content_type(ctype: str, tsa: Transport) -> Handler:
    return lambda body, _ctype: (200, ctype, tsa(body))


def garbage() -> Handler:
    return lambda body, ctype: (200, REPLY, b"<html>this is not a timestamp reply</html>")


def slow(tsa: Transport, seconds: float) -> Handler:
    def handle(body: bytes, ctype: str) -> tuple[int, str, bytes]:
        time.sleep(seconds)
        return 200, REPLY, tsa(body)

    return handle


def rewrite_request(tsa: Transport, change: Callable[[tsp.TimeStampReq], None]) -> Handler:
    """A TSA that answers a different request than it was sent (wrong nonce, other message)."""

    def handle(body: bytes, ctype: str) -> tuple[int, str, bytes]:
        req = tsp.TimeStampReq.load(body)
        change(req)
        return 200, REPLY, tsa(req.dump(force=True))

    return handle


def other_nonce(req: tsp.TimeStampReq) -> None:
    req["nonce"] = int(req["nonce"].native) + 1


def other_message(req: tsp.TimeStampReq) -> None:
    imprint = req["message_imprint"]
    imprint["hashed_message"] = bytes(32)
