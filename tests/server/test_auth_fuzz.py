"""Whatever a sender posts, authentication answers with a result or an AuthFailure whose
reason is one printable line: never another exception, never a secret."""

from __future__ import annotations

import json
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from opsagent.server.auth import AuthFailure, authenticate, load_auth_settings
from opsagent.server.sns import StaticCertificates

SECRET = "fuzz-secret-6d5c4b3a2f1e"
TOKEN = "fuzz-token-0a9b8c7d6e5f"
AUTH = load_auth_settings({"token": TOKEN, "sources": {
    "github": {"secret": SECRET}, "pagerduty": {"secret": SECRET},
    "sentry": {"secret": SECRET},
    "grafana": {"secret": SECRET, "timestamp_header": "X-Grafana-Alerting-Timestamp"},
    "sns": {"topic_arns": ["arn:aws:sns:us-east-1:111122223333:ops-alarms"]}}})
HEADERS = ["authorization", "x-hub-signature-256", "x-github-delivery",
           "x-pagerduty-signature", "sentry-hook-signature", "sentry-hook-timestamp",
           "request-id", "x-grafana-alerting-signature", "x-grafana-alerting-timestamp",
           "x-amz-sns-message-type", "x-amz-sns-message-id"]
SNS_FIELDS = ["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp",
              "SignatureVersion", "Signature", "SigningCertURL", "SubscribeURL", "Token"]
VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["Bearer " + TOKEN[:-1], "Basic Og==", "sha256=" + "0" * 64, "v1=",
                     "Notification", "SubscriptionConfirmation", "2", "1768478400",
                     "arn:aws:sns:us-east-1:111122223333:ops-alarms",
                     "https://sns.us-east-1.amazonaws.com/x.pem", "2026-01-15T12:00:00Z",
                     "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription"]))
JSON_VALUES = st.one_of(VALUES, st.integers(), st.none(), st.lists(VALUES, max_size=2),
                        st.dictionaries(VALUES, VALUES, max_size=2))
SNS_BODIES = st.dictionaries(st.sampled_from(SNS_FIELDS), JSON_VALUES).map(
    lambda d: json.dumps(d).encode())
BODIES = st.one_of(st.binary(max_size=200), SNS_BODIES)


@settings(max_examples=300, deadline=None)
@given(source=st.sampled_from(["auto", "github", "pagerduty", "sentry", "grafana", "sns",
                               "cloudwatch", "alertmanager"]),
       headers=st.dictionaries(st.sampled_from(HEADERS), VALUES, max_size=6),
       body=BODIES)
def test_any_request_gets_a_result_or_a_one_line_refusal(source: str, headers: dict[str, str],
                                                         body: bytes) -> None:
    try:
        authenticate(source, headers, body, AUTH, now=1768478400.0, env={},
                     certificates=StaticCertificates({}))
    except AuthFailure as exc:
        assert exc.reason and exc.reason.isprintable()
        assert SECRET not in exc.reason and TOKEN not in exc.reason


def test_importing_authentication_does_not_load_cryptography_or_urllib() -> None:
    code = ("import sys, opsagent.server.auth, opsagent.server.sns; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('cryptography', 'http') or m == 'urllib.request'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
