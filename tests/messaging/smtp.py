"""A real SMTP server on 127.0.0.1, just enough of RFC 5321 for smtplib, that plays the mail
server in tests: it records what it receives and refuses what the test says."""

import socketserver
import threading
from dataclasses import dataclass, field

import pytest


@dataclass
class MailServer:
    host: str
    port: int
    refuse: dict[str, int] = field(default_factory=dict)  # recipient -> reply code to RCPT
    data_code: int = 250  # the reply to a message's data
    hang_up_after: int | None = None  # close the connection after this many messages
    stall_after: int | None = None  # stop answering after this many messages (until teardown)
    connections: int = 0
    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)  # from, to, data
    lock: threading.Lock = field(default_factory=threading.Lock)
    released: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def mail_server(settings):
    """A mail server Django's SMTP email backend sends to."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.mail = MailServer(*server.server_address)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.server_address
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield server.mail
    server.mail.released.set()
    server.shutdown()
    server.server_close()


class _Handler(socketserver.StreamRequestHandler):
    def handle(self):
        mail: MailServer = self.server.mail
        with mail.lock:
            mail.connections += 1
        delivered = 0
        sender, recipients = "", []
        self.reply("220 test ready")
        while line := self.rfile.readline():
            command, _, argument = line.decode().rstrip("\r\n").partition(" ")
            command = command.upper()
            if command in ("EHLO", "HELO", "NOOP"):
                self.reply("250 test")
            elif command == "MAIL":
                sender, recipients = _address(argument), []
                self.reply("250 ok")
            elif command == "RCPT":
                code = mail.refuse.get(_address(argument), 250)
                if code == 250:
                    recipients.append(_address(argument))
                self.reply(f"{code} {'ok' if code == 250 else 'refused'}")
            elif command == "DATA":
                self.reply("354 go ahead")
                data = self.read_data()
                if mail.data_code == 250:
                    with mail.lock:
                        mail.received.append((sender, recipients, data))
                self.reply(f"{mail.data_code} {'queued' if mail.data_code == 250 else 'refused'}")
                delivered += 1
                if mail.hang_up_after is not None and delivered >= mail.hang_up_after:
                    return
                if mail.stall_after is not None and delivered >= mail.stall_after:
                    mail.released.wait(30)
                    return
            elif command == "RSET":
                sender, recipients = "", []
                self.reply("250 ok")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 unknown command")

    def read_data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line)
        return b"".join(lines)

    def reply(self, text: str) -> None:
        self.wfile.write(f"{text}\r\n".encode())


def _address(argument: str) -> str:
    return argument.partition(":")[2].strip().strip("<>").split(">")[0]
