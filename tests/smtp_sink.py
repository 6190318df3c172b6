"""A real SMTP server on localhost that keeps what it receives: enough of RFC 5321 for
smtplib (EHLO, MAIL, RCPT, DATA, QUIT; no TLS, no AUTH), for the report delivery test."""

from __future__ import annotations

import email
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message


class _Session(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        self._reply("220 learnloop-test-sink")
        in_data, lines = False, []
        while line := self.rfile.readline():
            if in_data:
                if line.rstrip(b"\r\n") == b".":
                    self.server.messages.append(email.message_from_bytes(b"".join(lines)))  # type: ignore[attr-defined]
                    in_data, lines = False, []
                    self._reply("250 queued")
                else:
                    lines.append(line[1:] if line.startswith(b"..") else line)
                continue
            command = line.decode("ascii", "replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self._reply("250 learnloop-test-sink")
            elif command == "DATA":
                in_data = True
                self._reply("354 end with <CRLF>.<CRLF>")
            elif command == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("250 ok")

    def _reply(self, text: str) -> None:
        self.wfile.write(f"{text}\r\n".encode("ascii"))


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


@contextmanager
def smtp_sink() -> Iterator[tuple[int, list[Message]]]:
    """(port, received messages) while the server runs."""
    server = _Server(("127.0.0.1", 0), _Session)
    server.messages = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], server.messages  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
