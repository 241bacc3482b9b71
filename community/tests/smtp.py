"""A real SMTP server on a spare loopback port, for tests that read mail as it arrives.

It speaks just enough SMTP for smtplib (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT),
keeps each message's raw bytes as the client sent them, and can be told to stall:
accept connections and say nothing, as a hung mail server does.
"""

import socketserver
import threading
import time


class _Session(socketserver.StreamRequestHandler):
    timeout = 30

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        server = self.server.owner
        with server.lock:
            server.connections += 1
        while server.stalled.is_set():
            time.sleep(0.05)  # connected, but the greeting never comes
        self.reply("220 sink ESMTP")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.reply("250-sink")
                self.reply("250 8BITMIME")
            elif verb == b"DATA":
                self.reply("354 go ahead")
                data = b""
                while (chunk := self.rfile.readline()) and chunk != b".\r\n":
                    data += chunk
                with server.lock:
                    server.messages.append(data)
                self.reply("250 queued")
            elif verb == b"QUIT":
                self.reply("221 bye")
                return
            else:  # MAIL, RCPT, RSET, NOOP
                self.reply("250 OK")


class _Threaded(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SMTPSink:
    def __init__(self, *, stalled=False):
        self.lock = threading.Lock()
        self.messages = []
        self.connections = 0
        self.stalled = threading.Event()
        if stalled:
            self.stalled.set()
        self._server = _Threaded(("127.0.0.1", 0), _Session)
        self._server.owner = self
        self.port = self._server.server_address[1]
        self.url = f"smtp://127.0.0.1:{self.port}"

    def recover(self):
        self.stalled.clear()

    def wait_for(self, count, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} message(s), got {len(self.messages)}")

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.stalled.clear()
        self._server.shutdown()
        self._server.server_close()
