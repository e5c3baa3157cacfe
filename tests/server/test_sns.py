"""SNS message signatures with a locally made RSA key and self-signed certificate: served
by the library's test double, and once by a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from opsagent.server.auth import (
    AuthFailure,
    AuthSettings,
    AuthUnavailable,
    authenticate,
    load_auth_settings,
)
from opsagent.server.sns import (
    CachedCertificates,
    StaticCertificates,
    UrllibCertificates,
    canonical_string,
)

SAMPLE = Path(__file__).resolve().parents[1] / "ingest" / "samples" / "cloudwatch" / \
    "sns_rds_cpu.json"
NOW = 1768478400.0  # 2026-01-15T12:00:00Z
STAMP = "2026-01-15T11:59:30.512Z"
TOPIC = "arn:aws:sns:us-east-1:111122223333:ops-alarms"
CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem"
TOKEN = "tok-sns-tests-8c7b6a5f"
AUTH = load_auth_settings({"token": TOKEN, "sources": {"sns": {"topic_arns": [TOPIC]}}})


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _certificate(key: rsa.RSAPrivateKey, *, days: int = 1) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    start = dt.datetime.fromtimestamp(NOW, dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start - dt.timedelta(days=days))
            .not_valid_after(start + dt.timedelta(days=days))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


KEY = _key()
PEM = _certificate(KEY)
CERTS = {CERT_URL: PEM}


def sign(message: dict[str, Any], key: rsa.RSAPrivateKey = KEY) -> dict[str, Any]:
    digest = hashes.SHA1() if message["SignatureVersion"] == "1" else hashes.SHA256()
    signature = key.sign(canonical_string(message), padding.PKCS1v15(), digest)
    return {**message, "Signature": base64.b64encode(signature).decode()}


def notification(version: str = "2", **changes: Any) -> dict[str, Any]:
    sample = json.loads(SAMPLE.read_text())
    message = {"Type": "Notification", "MessageId": sample["MessageId"], "TopicArn": TOPIC,
               "Subject": sample["Subject"], "Message": sample["Message"],
               "Timestamp": STAMP, "SignatureVersion": version, "SigningCertURL": CERT_URL,
               "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe"
                                 f"&SubscriptionArn={TOPIC}:0f1e2d3c"}
    message.update(changes)
    return sign({k: v for k, v in message.items() if v is not None})


def confirmation(kind: str = "SubscriptionConfirmation", **changes: Any) -> dict[str, Any]:
    origin = "https://sns.us-east-1.amazonaws.com"
    message = {"Type": kind, "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
               "Token": "2336412f37fb687f5d51e6e241d164b05333", "TopicArn": TOPIC,
               "Message": f"You have chosen to subscribe to the topic {TOPIC}.\nTo confirm "
                          "the subscription, visit the SubscribeURL included in this message.",
               "SubscribeURL": f"{origin}/?Action=ConfirmSubscription&TopicArn={TOPIC}"
                               "&Token=2336412f37fb687f5d51e6e241d164b05333",
               "Timestamp": STAMP, "SignatureVersion": "1", "SigningCertURL": CERT_URL}
    message.update(changes)
    return sign(message)


def headers(message: dict[str, Any]) -> dict[str, str]:
    return {"x-amz-sns-message-type": message["Type"],
            "x-amz-sns-message-id": message["MessageId"],
            "x-amz-sns-topic-arn": message["TopicArn"],
            "content-type": "text/plain; charset=UTF-8"}


def check(message: dict[str, Any], *, source: str = "cloudwatch", auth: AuthSettings = AUTH,
          now: float = NOW, certs: Any = None, raw: bytes | None = None) -> Any:
    certificates = StaticCertificates(CERTS) if certs is None else certs
    body = json.dumps(message).encode() if raw is None else raw
    return authenticate(source, headers(message), body, auth, now=now, env={},
                        certificates=certificates)


def refusal(message: dict[str, Any], **kwargs: Any) -> str:
    with pytest.raises(AuthFailure) as info:
        check(message, **kwargs)
    assert TOKEN not in info.value.reason
    return info.value.reason


@pytest.mark.parametrize("version", ["1", "2"])
@pytest.mark.parametrize("subject", [True, False])
def test_a_signed_notification_is_accepted(version: str, subject: bool) -> None:
    message = notification(version, Subject=None if not subject else "ALARM: orders-db")
    result = check(message)
    assert result.principal == f"sns:{TOPIC}"
    assert result.delivery_id == message["MessageId"]
    assert result.sns_confirmation is None


def test_the_canonical_string_follows_the_documented_field_order() -> None:
    message = notification()
    expected = "".join(f"{k}\n{message[k]}\n" for k in
                       ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"))
    assert canonical_string(message) == expected.encode()
    message = notification(Subject=None)
    expected = "".join(f"{k}\n{message[k]}\n" for k in
                       ("Message", "MessageId", "Timestamp", "TopicArn", "Type"))
    assert canonical_string(message) == expected.encode()
    sub = confirmation()
    expected = "".join(f"{k}\n{sub[k]}\n" for k in ("Message", "MessageId", "SubscribeURL",
                                                    "Timestamp", "Token", "TopicArn", "Type"))
    assert canonical_string(sub) == expected.encode()


def test_a_tampered_or_foreign_signature_is_refused() -> None:
    message = notification()
    assert refusal({**message, "Message": message["Message"].replace("97.3", "17.3")}) == \
        "signature does not match"
    assert refusal({**message, "Subject": "OK: all good"}) == "signature does not match"
    assert refusal({**message, "SignatureVersion": "1"}) == "signature does not match"
    assert refusal(notification(), certs=StaticCertificates({CERT_URL: _certificate(_key())})) \
        == "signature does not match"
    assert refusal({**message, "Signature": "!!!"}).startswith("malformed Signature")
    unsigned = dict(message)
    del unsigned["Signature"]
    assert refusal(unsigned) == "missing field Signature in the SNS message"


def test_a_topic_outside_the_allow_list_is_refused_before_any_fetch() -> None:
    other = "arn:aws:sns:us-east-1:999988887777:attacker"
    certs = StaticCertificates(CERTS)
    assert refusal(notification(TopicArn=other), certs=certs) == f"topic not allowed: {other}"
    assert certs.requests == []


def test_stale_and_replayed_messages() -> None:
    message = notification()
    first = check(message)
    assert check(message, now=NOW + 200) == first  # a replay within the window: a duplicate
    assert refusal(message, now=NOW + 271) == "timestamp outside the allowed skew of 300 s"
    assert check(message, now=NOW + 270) == first  # 299.5 s after it was sent
    assert refusal(message, now=NOW - 331) == "timestamp outside the allowed skew of 300 s"
    wide = load_auth_settings({"sources": {"sns": {"topic_arns": [TOPIC], "max_skew_s": 3600}}})
    assert check(message, auth=wide, now=NOW + 3000) == first
    assert refusal(notification(Timestamp="yesterday")) == \
        "unreadable Timestamp in the SNS message"


@pytest.mark.parametrize("url", [
    "https://127.0.0.1/SimpleNotificationService-1.pem",
    "https://sns.evil.com/SimpleNotificationService-1.pem",
    "https://sns.us-east-1.amazonaws.com.evil.com/SimpleNotificationService-1.pem",
    "https://evil.com/sns.us-east-1.amazonaws.com/x.pem",
    "https://sns.us-east-1.amazonaws.com@evil.com/x.pem",
    "https://user@sns.us-east-1.amazonaws.com/x.pem",
    "https://sns.us-east-1.amazonaws.com:8443/x.pem",
    "https://sns.us-east-1.amazonaws.com\\@evil.com/x.pem",
    "https://SNS.us-east-1.amazonaws.com.evil.com/x.pem",
    "file:///etc/ssl/cert.pem",
])
def test_the_default_origin_refuses_other_hosts_without_fetching(url: str) -> None:
    certs = StaticCertificates({url: PEM})
    assert refusal(notification(SigningCertURL=url), certs=certs) == \
        "certificate URL is not an AWS SNS host"
    assert certs.requests == []


@pytest.mark.parametrize(("url", "reason"), [
    ("http://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem",
     "certificate URL is not https"),
    ("//sns.us-east-1.amazonaws.com/x.pem", "certificate URL is not https"),
    ("https://sns.us-east-1.amazonaws.com/x.txt",
     "certificate URL is not a .pem file at the host's root"),
    ("https://sns.us-east-1.amazonaws.com/a/../x.pem",
     "certificate URL is not a .pem file at the host's root"),
    ("https://sns.us-east-1.amazonaws.com/x.pem?redirect=https://evil.com/x.pem",
     "certificate URL is not a .pem file at the host's root"),
])
def test_scheme_and_path_of_the_certificate_url_are_checked(url: str, reason: str) -> None:
    certs = StaticCertificates({url: PEM})
    assert refusal(notification(SigningCertURL=url), certs=certs) == reason
    assert certs.requests == []


def test_the_default_origin_accepts_aws_regions_including_china() -> None:
    for url in ("https://sns.eu-west-3.amazonaws.com/SimpleNotificationService-9.pem",
                "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-9.pem"):
        certs = StaticCertificates({url: PEM})
        assert check(notification(SigningCertURL=url), certs=certs).principal == f"sns:{TOPIC}"
        assert certs.requests == [url]


def test_a_subscription_confirmation_returns_the_validated_subscribe_url() -> None:
    message = confirmation()
    result = check(message)
    assert result.sns_confirmation == message["SubscribeURL"]
    assert result.delivery_id == message["MessageId"]
    unsubscribed = check(confirmation("UnsubscribeConfirmation"))
    assert unsubscribed.sns_confirmation is None


@pytest.mark.parametrize(("url", "reason"), [
    (f"https://sns.evil.com/?Action=ConfirmSubscription&TopicArn={TOPIC}&Token=t",
     "subscribe URL is not an AWS SNS host"),
    (f"http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn={TOPIC}&Token=t",
     "subscribe URL is not https"),
    (f"https://sns.us-east-1.amazonaws.com/?Action=Publish&TopicArn={TOPIC}&Token=t",
     "subscribe URL is not a ConfirmSubscription of this topic"),
    ("https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:"
     "us-east-1:999988887777:other&Token=t",
     "subscribe URL is not a ConfirmSubscription of this topic"),
    (f"https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn={TOPIC}",
     "subscribe URL is not a ConfirmSubscription of this topic"),
])
def test_a_subscribe_url_elsewhere_is_refused_even_when_signed(url: str, reason: str) -> None:
    assert refusal(confirmation(SubscribeURL=url)) == reason


def test_messages_that_are_not_sns_messages() -> None:
    message = notification()
    assert refusal(message, raw=b"not json") == "not an SNS message: the body is not JSON"
    assert refusal(message, raw=b"[1, 2]") == \
        "not an SNS message: the body is not a JSON object"
    assert refusal({**message, "Type": "Publish"}).startswith("unsupported SNS message type")
    assert refusal({**message, "SignatureVersion": "3"}) == "unsupported SignatureVersion: 3"
    mismatched = {**headers(message), "x-amz-sns-message-type": "SubscriptionConfirmation"}
    with pytest.raises(AuthFailure, match="does not match the message's Type"):
        authenticate("sns", mismatched, json.dumps(message).encode(), AUTH, now=NOW, env={},
                     certificates=StaticCertificates(CERTS))


def test_an_expired_or_unreadable_certificate_is_refused() -> None:
    assert refusal(notification(), now=NOW + 2 * 86400 + 1,
                   auth=load_auth_settings({"sources": {"sns": {
                       "topic_arns": [TOPIC], "max_skew_s": 10 ** 6}}})) == \
        "signing certificate is not valid at this time"
    assert refusal(notification(), certs=StaticCertificates({CERT_URL: b"<html>"})) == \
        "signing certificate is not a PEM X.509 certificate"


def test_a_certificate_that_cannot_be_fetched_is_a_503_so_sns_retries() -> None:
    with pytest.raises(AuthUnavailable) as info:
        check(notification(), certs=StaticCertificates({}))
    assert info.value.status == 503
    assert info.value.reason.startswith("signing certificate not available: no certificate at")


def test_an_sns_message_cannot_be_replaced_by_the_token() -> None:
    body = json.dumps(notification()).encode()
    with pytest.raises(AuthFailure):
        authenticate("cloudwatch", {**headers(notification()), "authorization": "Bearer " + TOKEN,
                                    "x-amz-sns-message-type": "Notification"},
                     body.replace(b"ops-alarms", b"other"), AUTH, now=NOW, env={},
                     certificates=StaticCertificates(CERTS))
    # a cloudwatch delivery that is not an SNS message (no SNS header) takes the token
    result = authenticate("cloudwatch", {"authorization": "Bearer " + TOKEN}, body, AUTH,
                          now=NOW, env={})
    assert result.principal == "token"
    # and source sns always means an SNS message
    assert refusal(notification(), source="sns", raw=b"{}").startswith(
        "unsupported SNS message type")


# -- a real HTTP server on 127.0.0.1, through the configurable origin -------------------------

class _Files(BaseHTTPRequestHandler):
    files: ClassVar[dict[str, bytes]] = {}
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        if self.path == "/redirect.pem":
            self.send_response(302)
            self.send_header("Location", "/SimpleNotificationService-local.pem")
            self.end_headers()
            return
        data = self.files.get(self.path)
        self.send_response(200 if data is not None else 404)
        self.send_header("Content-Length", str(len(data or b"")))
        self.end_headers()
        self.wfile.write(data or b"")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    _Files.files = {"/SimpleNotificationService-local.pem": PEM,
                    "/huge.pem": b"-" * 200_000}
    _Files.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_the_certificate_is_fetched_from_a_real_server_and_cached(local_server: str) -> None:
    local = load_auth_settings({"sources": {"sns": {
        "topic_arns": [TOPIC], "allowed_cert_origin": r"http://127\.0\.0\.1:\d+"}}})
    url = f"{local_server}/SimpleNotificationService-local.pem"
    certs = CachedCertificates(UrllibCertificates(timeout_s=5))
    subscribe = (f"{local_server}/?Action=ConfirmSubscription&TopicArn={TOPIC}&Token=abc")
    result = check(confirmation(SigningCertURL=url, SubscribeURL=subscribe), auth=local,
                   certs=certs)
    assert result.sns_confirmation == subscribe
    assert check(notification(SigningCertURL=url), auth=local, certs=certs).principal == \
        f"sns:{TOPIC}"
    assert _Files.hits == ["/SimpleNotificationService-local.pem"]  # fetched once
    # the default origin refuses the same local server
    assert refusal(notification(SigningCertURL=url), certs=certs) == \
        "certificate URL is not an AWS SNS host"
    assert _Files.hits == ["/SimpleNotificationService-local.pem"]


def test_the_real_fetcher_caps_size_refuses_redirects_and_reports_errors(
        local_server: str) -> None:
    local = load_auth_settings({"sources": {"sns": {
        "topic_arns": [TOPIC], "allowed_cert_origin": r"http://127\.0\.0\.1:\d+"}}})
    fetcher = UrllibCertificates(timeout_s=5, max_bytes=64 * 1024)
    for path, why in (("/huge.pem", "larger than 65536 bytes"), ("/redirect.pem", "HTTP 302"),
                      ("/missing.pem", "HTTP 404")):
        with pytest.raises(AuthUnavailable) as info:
            check(notification(SigningCertURL=local_server + path), auth=local, certs=fetcher)
        assert info.value.reason.endswith(why)
    assert "/SimpleNotificationService-local.pem" not in _Files.hits  # the redirect not taken


def test_settings_with_sns_show_their_pattern() -> None:
    assert "amazonaws" in AUTH.model_dump_json()
