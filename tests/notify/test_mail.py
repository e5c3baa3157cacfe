"""E-mail through a real SMTP server on 127.0.0.1 (aiosmtpd) that requires STARTTLS
(a self-signed certificate made here with ``cryptography``) before AUTH."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from opsagent.notify import Event, MemoryOutbox, notify
from opsagent.notify.mail import EmailNotifier

from .messages import AT, example_report, target


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"ops" \
            and auth_data.password == b"smtp-pass"
        if ok:
            self.logins.append(session.peer[0])
        return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[tuple[Inbox, int, Path]]:
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context,
                            require_starttls=True, auth_require_tls=True,
                            authenticator=inbox.authenticate)
    controller.start()
    try:
        yield inbox, port, cert
    finally:
        controller.stop()


def mail_target(port: int, cert: Path, password: str = "smtp-pass"):  # type: ignore[no-untyped-def]
    return target("email", dry_run=False,
                  smtp={"host": "127.0.0.1", "port": port, "username": "ops",
                        "password": password, "ca_file": str(cert), "timeout_s": 10},
                  to=["oncall@example.com", "lead@example.com"])


def test_email_arrives_over_starttls_with_text_and_html(smtp_server) -> None:  # type: ignore[no-untyped-def]
    inbox, port, cert = smtp_server
    mail = mail_target(port, cert)
    delivery = notify(example_report(), mail, EmailNotifier(mail), MemoryOutbox(), at=AT)
    assert delivery.status == "sent", delivery.line()
    assert inbox.logins == ["127.0.0.1"]  # AUTH happened, which the server allows only on TLS
    [(sender, rcpts, raw)] = inbox.messages
    assert sender == "opsagent@example.com"
    assert rcpts == ["oncall@example.com", "lead@example.com"]
    message = message_from_bytes(raw, policy=default)
    assert message["Subject"].startswith("[opsagent] HIGH checkout-service: ")
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Roll back the last deployment of checkout-service" in text
    assert "<ol><li>Page the on-call engineer" in html
    assert "https://ops.example.com/incidents/inc-" in text and "href=\"https://ops" in html
    assert b"smtp-pass" not in raw


def test_resolution_subject(smtp_server) -> None:  # type: ignore[no-untyped-def]
    inbox, port, cert = smtp_server
    mail = mail_target(port, cert)
    event = Event("resolved", AT, revision=2, resolved=True)
    request = EmailNotifier(mail).render(example_report(), event)
    assert EmailNotifier(mail).send(request).ok
    message = message_from_bytes(inbox.messages[0][2], policy=default)
    assert message["Subject"].startswith("[opsagent] RESOLVED HIGH checkout-service")


def test_wrong_password_fails_without_showing_it(smtp_server) -> None:  # type: ignore[no-untyped-def]
    inbox, port, cert = smtp_server
    mail = mail_target(port, cert, password="wrong-pass")
    delivery = notify(example_report(), mail, EmailNotifier(mail), MemoryOutbox(), at=AT)
    assert delivery.status == "failed" and "authentication failed" in delivery.detail
    assert "wrong-pass" not in delivery.line() and not inbox.messages
    assert "wrong-pass" not in delivery.request.describe()  # type: ignore[union-attr]


def test_an_untrusted_certificate_is_refused(smtp_server) -> None:  # type: ignore[no-untyped-def]
    inbox, port, _cert = smtp_server
    mail = target("email", dry_run=False, smtp={"host": "127.0.0.1", "port": port,
                                                "username": "ops", "password": "smtp-pass"})
    delivery = notify(example_report(), mail, EmailNotifier(mail), MemoryOutbox(), at=AT,
                      sleep=lambda s: None)
    assert delivery.status == "failed" and "CERTIFICATE_VERIFY_FAILED" in delivery.detail
    assert not inbox.messages
