"""Webhook and API authentication: the token, and GitHub, PagerDuty, Sentry and Grafana
signatures, with real HMAC-SHA256 over real vendor payloads."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from opsagent.errors import ConfigError
from opsagent.server.auth import (
    AuthFailure,
    AuthSettings,
    AuthUnavailable,
    authenticate,
    authenticate_api,
    check_auth_settings,
    load_auth_settings,
)

SAMPLES = Path(__file__).resolve().parents[1] / "ingest" / "samples"
NOW = 1768478400.0  # 2026-01-15T12:00:00Z
TOKEN = "tok-3b1f0c9e8a7d6c5b4a39"
GH_SECRET = "gh-secret-5e4d3c2b1a"
GH_OLD = "gh-old-secret-99aa88bb"
PD_SECRET = "pd-secret-7f6e5d4c3b"
PD_OLD = "pd-old-secret-1122aabb"
SENTRY_SECRET = "sentry-client-secret-0a1b2c"
GRAFANA_SECRET = "grafana-hmac-secret-d4e5f6"
ALL_SECRETS = (TOKEN, GH_SECRET, GH_OLD, PD_SECRET, PD_OLD, SENTRY_SECRET, GRAFANA_SECRET)
ENV = {"GH_SECRET": GH_SECRET, "PD_SECRET": PD_SECRET, "PD_OLD": PD_OLD}

def sample(vendor: str, name: str) -> bytes:
    return (SAMPLES / vendor / name).read_bytes()


def hexmac(secret: str, data: bytes) -> str:
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def settings(**auth: Any) -> AuthSettings:
    return load_auth_settings({"token": TOKEN, **auth})


SIGNED = settings(sources={
    "github": {"secret": [GH_SECRET, GH_OLD]},
    "pagerduty": {"secret_env": ["PD_SECRET", "PD_OLD"]},
    "sentry": {"secret": SENTRY_SECRET},
    "grafana": {"secret": GRAFANA_SECRET},
})


def refused(source: str, headers: dict[str, str], body: bytes,
            auth: AuthSettings = SIGNED, now: float = NOW,
            env: dict[str, str] | None = None) -> AuthFailure:
    with pytest.raises(AuthFailure) as info:
        authenticate(source, headers, body, auth, now=now, env=ENV if env is None else env)
    return info.value


def accepted(source: str, headers: dict[str, str], body: bytes,
             auth: AuthSettings = SIGNED, now: float = NOW, env: dict[str, str] | None = None):
    return authenticate(source, headers, body, auth, now=now, env=ENV if env is None else env)


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def basic(password: str, user: str = "alertmanager") -> dict[str, str]:
    raw = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"authorization": f"Basic {raw}"}


# -- the token -----------------------------------------------------------------------------

BODY = sample("alertmanager", "firing_checkout.json")


def test_bearer_token_is_accepted_for_an_unsigned_source() -> None:
    result = accepted("alertmanager", bearer(), BODY)
    assert (result.principal, result.delivery_id, result.sns_confirmation) == \
        ("token", None, None)


def test_basic_auth_with_the_token_as_password_is_accepted_whatever_the_user() -> None:
    assert accepted("alertmanager", basic(TOKEN), BODY).principal == "token"
    assert accepted("alertmanager", basic(TOKEN, user=""), BODY).principal == "token"
    assert accepted("alertmanager", {"authorization": "bearer " + TOKEN}, BODY)


@pytest.mark.parametrize(("headers", "reason"), [
    ({}, "missing credentials: no Authorization header"),
    (bearer("tok-wrong"), "token does not match"),
    (bearer(TOKEN + "x"), "token does not match"),
    (bearer(TOKEN[:-1]), "token does not match"),
    ({"authorization": "Bearer"}, "token does not match"),
    (basic("tok-wrong"), "token does not match"),
    ({"authorization": f"Token {TOKEN}"}, "unsupported Authorization scheme"),
    ({"authorization": "Basic !!notbase64"}, "malformed basic credentials"),
    ({"authorization": "Basic " + base64.b64encode(TOKEN.encode()).decode()},
     "malformed basic credentials"),
])
def test_bad_or_missing_credentials_are_refused(headers: dict[str, str], reason: str) -> None:
    failure = refused("alertmanager", headers, BODY)
    assert failure.reason.startswith(reason)
    assert failure.status == 401


def test_without_a_configured_token_nothing_is_accepted() -> None:
    failure = refused("alertmanager", bearer(""), BODY, auth=AuthSettings(), env={})
    assert failure.reason == "no token configured on the server"
    with pytest.raises(AuthFailure, match="no token configured"):
        authenticate_api(bearer(TOKEN), AuthSettings(), env={})


def test_the_token_comes_from_the_environment_first() -> None:
    env = {"OPSAGENT_SERVE_TOKEN": "tok-from-env-123456"}
    assert authenticate_api(bearer("tok-from-env-123456"), settings(), env=env) == "token"
    # the environment's token replaces the config file's
    refused("alertmanager", bearer(), BODY, auth=settings(), env=env)
    assert authenticate_api(bearer("tok-from-env-123456"), AuthSettings(), env=env) == "token"


def test_the_configured_token_may_name_a_variable_and_rotate() -> None:
    by_ref = load_auth_settings({"token": "${MY_TOKEN}"})
    by_name = load_auth_settings({"token_env": "MY_TOKEN"})
    env = {"MY_TOKEN": "tok-in-variable-42"}
    for auth in (by_ref, by_name):
        assert authenticate_api(bearer("tok-in-variable-42"), auth, env=env) == "token"
        with pytest.raises(AuthFailure):
            authenticate_api(bearer("${MY_TOKEN}"), auth, env=env)
    both = load_auth_settings({"token": ["tok-new-aaaa", "tok-old-bbbb"]})
    assert authenticate_api(bearer("tok-old-bbbb"), both, env={}) == "token"
    assert authenticate_api(bearer("tok-new-aaaa"), both, env={}) == "token"


def test_a_token_variable_that_is_not_set_is_unavailable_not_a_pass() -> None:
    auth = load_auth_settings({"token": "${MY_TOKEN}"})
    with pytest.raises(AuthUnavailable) as info:
        authenticate_api(bearer("${MY_TOKEN}"), auth, env={})
    assert info.value.status == 503
    assert info.value.reason == "the token is not available: environment variable MY_TOKEN " \
                                "is not set"


# -- GitHub --------------------------------------------------------------------------------

GH_BODY = sample("github", "deployment_status_failure.json")


def github(secret: str = GH_SECRET, body: bytes = GH_BODY) -> dict[str, str]:
    return {"x-hub-signature-256": "sha256=" + hexmac(secret, body),
            "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
            "x-github-event": "deployment_status"}


def test_github_signature_good_and_rotated() -> None:
    for secret in (GH_SECRET, GH_OLD):
        result = accepted("github", github(secret), GH_BODY)
        assert (result.principal, result.delivery_id) == \
            ("github", "72d3162e-cc78-11e3-81ab-4c9367dc0958")


def test_githubs_published_test_vector() -> None:
    # docs.github.com, "Validating webhook deliveries": its test secret, payload, signature
    auth = settings(sources={"github": {"secret": "It's a Secret to Everybody"}})
    signed = {"x-hub-signature-256": "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c"
                                     "46f4379c8b043e17"}
    assert accepted("github", signed, b"Hello, World!", auth=auth).principal == "github"
    assert refused("github", signed, b"Hello, World?", auth=auth).reason == \
        "signature does not match"


def test_github_signature_bad_missing_or_malformed_is_refused() -> None:
    assert refused("github", github("not-the-secret"), GH_BODY).reason == \
        "signature does not match"
    assert refused("github", github(), GH_BODY + b" ").reason == "signature does not match"
    headers = github()
    del headers["x-hub-signature-256"]
    assert refused("github", headers, GH_BODY).reason == \
        "missing signature header X-Hub-Signature-256"
    for value in ("sha1=" + "a" * 40, "sha256=xyz", "sha256=" + "a" * 63, "a" * 64):
        reason = refused("github", {"x-hub-signature-256": value}, GH_BODY).reason
        assert reason.startswith("malformed signature header X-Hub-Signature-256")


def test_a_configured_signature_cannot_be_replaced_by_the_token() -> None:
    reason = refused("github", bearer(), GH_BODY).reason
    assert reason == "missing signature header X-Hub-Signature-256"
    # without a GitHub secret, the token is what GitHub must send (basic auth in the URL)
    assert accepted("github", {**basic(TOKEN), "x-github-delivery": "d-1"}, GH_BODY,
                    auth=settings()).delivery_id == "d-1"


def test_a_replayed_github_delivery_is_accepted_with_the_same_delivery_id() -> None:
    first = accepted("github", github(), GH_BODY)
    again = accepted("github", github(), GH_BODY, now=NOW + 86400)
    assert first == again  # not an auth failure: the store drops it by delivery id


def test_a_secret_named_by_a_variable_that_is_not_set_refuses_with_503() -> None:
    auth = settings(sources={"github": {"secret_env": "GITHUB_WEBHOOK_SECRET"}})
    failure = refused("github", github(), GH_BODY, auth=auth, env={})
    assert isinstance(failure, AuthUnavailable)
    assert failure.reason == ("the signing secret of github is not available: environment "
                              "variable GITHUB_WEBHOOK_SECRET is not set")
    assert accepted("github", github(), GH_BODY, auth=auth,
                    env={"GITHUB_WEBHOOK_SECRET": GH_SECRET}).principal == "github"


# -- PagerDuty -----------------------------------------------------------------------------

PD_BODY = sample("pagerduty", "v3_incident_triggered.json")


def pagerduty(*secrets: str, body: bytes = PD_BODY) -> dict[str, str]:
    return {"x-pagerduty-signature": ",".join("v1=" + hexmac(s, body) for s in secrets)}


def test_pagerduty_signature_good_rotated_and_with_several_signatures() -> None:
    for headers in (pagerduty(PD_SECRET), pagerduty(PD_OLD),
                    pagerduty("pd-other-account", PD_SECRET),  # PagerDuty mid-rotation
                    {"x-pagerduty-signature": "v0=abc, v1=" + hexmac(PD_SECRET, PD_BODY)}):
        result = accepted("pagerduty", headers, PD_BODY)
        assert (result.principal, result.delivery_id) == \
            ("pagerduty", "01DZJ4X3NW5JBH7ZK0Q3C5W3T9")


def test_pagerduty_event_id_is_the_delivery_id() -> None:
    body = json.dumps({"event": {"id": "01DEN8TTX0DXUXIQTIC3VDA6QM",
                                 "event_type": "incident.triggered"}}).encode()
    assert accepted("pagerduty", pagerduty(PD_SECRET, body=body), body).delivery_id == \
        "01DEN8TTX0DXUXIQTIC3VDA6QM"


def test_pagerduty_signature_bad_missing_or_malformed_is_refused() -> None:
    assert refused("pagerduty", pagerduty("pd-wrong", "pd-wrong-2"), PD_BODY).reason == \
        "signature does not match"
    assert refused("pagerduty", bearer(), PD_BODY).reason == \
        "missing signature header X-PagerDuty-Signature"
    reason = refused("pagerduty", {"x-pagerduty-signature": "v2=" + "a" * 64}, PD_BODY).reason
    assert reason.startswith("malformed signature header X-PagerDuty-Signature")


# -- Sentry --------------------------------------------------------------------------------

SENTRY_BODY = sample("sentry", "issue_alert.json")


def sentry(secret: str = SENTRY_SECRET, sent: float = NOW,
           body: bytes = SENTRY_BODY) -> dict[str, str]:
    return {"sentry-hook-signature": hexmac(secret, body),
            "sentry-hook-timestamp": str(int(sent)),
            "sentry-hook-resource": "event_alert",
            "request-id": "2f6e3c2a-5d7e-4b4c-9f0a-1b2c3d4e5f60"}


def test_sentry_signature_good_and_replayed_within_the_window() -> None:
    result = accepted("sentry", sentry(), SENTRY_BODY)
    assert (result.principal, result.delivery_id) == \
        ("sentry", "2f6e3c2a-5d7e-4b4c-9f0a-1b2c3d4e5f60")
    assert accepted("sentry", sentry(), SENTRY_BODY, now=NOW + 299) == result


def test_sentry_signature_bad_missing_stale_is_refused() -> None:
    assert refused("sentry", sentry("wrong"), SENTRY_BODY).reason == "signature does not match"
    for now in (NOW + 301, NOW - 301):
        assert refused("sentry", sentry(), SENTRY_BODY, now=now).reason == \
            "timestamp outside the allowed skew of 300 s"
    headers = sentry()
    del headers["sentry-hook-timestamp"]
    assert refused("sentry", headers, SENTRY_BODY).reason == \
        "missing timestamp header Sentry-Hook-Timestamp"
    assert refused("sentry", {**sentry(), "sentry-hook-timestamp": "yesterday"},
                   SENTRY_BODY).reason.startswith("unreadable timestamp in Sentry-Hook-Timestamp")
    assert refused("sentry", bearer(), SENTRY_BODY).reason == \
        "missing signature header Sentry-Hook-Signature"


def test_the_skew_limit_is_configurable_globally_and_per_source() -> None:
    wide = settings(max_skew_s=3600, sources={"sentry": {"secret": SENTRY_SECRET}})
    assert accepted("sentry", sentry(), SENTRY_BODY, auth=wide, now=NOW + 1800)
    narrow = settings(sources={"sentry": {"secret": SENTRY_SECRET, "max_skew_s": 60}})
    assert refused("sentry", sentry(), SENTRY_BODY, auth=narrow, now=NOW + 61).reason == \
        "timestamp outside the allowed skew of 60 s"


# -- Grafana -------------------------------------------------------------------------------

GRAFANA_BODY = sample("grafana", "firing_values.json")


def test_grafana_signature_over_the_body_in_the_default_header() -> None:
    headers = {"x-grafana-alerting-signature": hexmac(GRAFANA_SECRET, GRAFANA_BODY)}
    result = accepted("grafana", headers, GRAFANA_BODY)
    assert (result.principal, result.delivery_id) == ("grafana", None)
    assert refused("grafana", {"x-grafana-alerting-signature": hexmac("x", GRAFANA_BODY)},
                   GRAFANA_BODY).reason == "signature does not match"
    assert refused("grafana", bearer(), GRAFANA_BODY).reason == \
        "missing signature header X-Grafana-Alerting-Signature"


def test_grafana_signature_with_a_timestamp_header_signs_timestamp_colon_body() -> None:
    auth = settings(sources={"grafana": {
        "secret": ["grafana-new-secret", GRAFANA_SECRET], "header": "X-Signature",
        "timestamp_header": "X-Grafana-Alerting-Timestamp"}})
    stamp = str(int(NOW))
    good = {"x-signature": hexmac(GRAFANA_SECRET, stamp.encode() + b":" + GRAFANA_BODY),
            "x-grafana-alerting-timestamp": stamp}
    assert accepted("grafana", good, GRAFANA_BODY, auth=auth).principal == "grafana"
    assert accepted("grafana", good, GRAFANA_BODY, auth=auth, now=NOW - 300)  # replay in window
    assert refused("grafana", good, GRAFANA_BODY, auth=auth, now=NOW + 301).reason == \
        "timestamp outside the allowed skew of 300 s"
    body_only = {**good, "x-signature": hexmac(GRAFANA_SECRET, GRAFANA_BODY)}
    assert refused("grafana", body_only, GRAFANA_BODY, auth=auth).reason == \
        "signature does not match"
    moved = {**good, "x-grafana-alerting-timestamp": str(int(NOW) + 1)}
    assert refused("grafana", moved, GRAFANA_BODY, auth=auth).reason == \
        "signature does not match"
    assert refused("grafana", {"x-signature": good["x-signature"]}, GRAFANA_BODY,
                   auth=auth).reason == \
        "missing timestamp header X-Grafana-Alerting-Timestamp"


# -- source auto ---------------------------------------------------------------------------

def test_auto_checks_the_signature_a_configured_vendor_sent_else_the_token() -> None:
    assert accepted("auto", github(), GH_BODY).principal == "github"
    assert refused("auto", github("wrong"), GH_BODY).reason == "signature does not match"
    assert accepted("auto", pagerduty(PD_SECRET), PD_BODY).principal == "pagerduty"
    assert accepted("auto", bearer(), GH_BODY).principal == "token"
    assert refused("auto", {}, GH_BODY).reason.startswith("missing credentials")


# -- settings ------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "field"), [
    ({"tokn": "x"}, "serve.auth.tokn"),
    ({"sources": {"gitlab": {"secret": "x"}}}, "serve.auth.sources.gitlab"),
    ({"sources": {"github": {}}}, "serve.auth.sources.github"),
    ({"sources": {"github": {"secret": "x", "header": "X-Sig"}}},
     "serve.auth.sources.github.header"),
    ({"sources": {"sns": {"topic_arns": []}}}, "serve.auth.sources.sns.topic_arns"),
    ({"sources": {"sns": {"topic_arns": ["arn:x"], "allowed_cert_origin": "("}}},
     "serve.auth.sources.sns.allowed_cert_origin"),
    ({"max_skew_s": 0}, "serve.auth.max_skew_s"),
])
def test_bad_settings_are_a_config_error_naming_the_field(data: dict[str, Any],
                                                          field: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_auth_settings(data, source="opsagent.yaml")
    assert info.value.field == field
    assert str(info.value).startswith(f"opsagent.yaml: field '{field}': ")


def test_start_up_check_names_a_missing_variable_and_says_whether_a_token_is_set() -> None:
    auth = settings(sources={"pagerduty": {"secret_env": "PD_SECRET"}})
    assert check_auth_settings(auth, {"PD_SECRET": "x"}) is True
    with pytest.raises(ConfigError) as info:
        check_auth_settings(auth, {}, source="opsagent.yaml")
    assert str(info.value) == ("opsagent.yaml: field 'serve.auth.sources.pagerduty': "
                               "environment variable PD_SECRET is not set")
    assert check_auth_settings(AuthSettings(), {}) is False
    assert check_auth_settings(AuthSettings(), {"OPSAGENT_SERVE_TOKEN": "t"}) is True


def test_settings_never_show_a_literal_secret() -> None:
    shown = repr(SIGNED) + str(SIGNED) + SIGNED.model_dump_json()
    for secret in (TOKEN, GH_SECRET, SENTRY_SECRET, GRAFANA_SECRET):
        assert secret not in shown


def test_no_reason_contains_a_secret_or_a_digest() -> None:
    """Every refusal above, again, in one place: none names a secret or a digest."""
    stale = {"x-signature": "0" * 64, "x-grafana-alerting-timestamp": "1"}
    grafana_ts = settings(sources={"grafana": {"secret": GRAFANA_SECRET, "header": "X-Signature",
                                               "timestamp_header": "X-Grafana-"
                                                                   "Alerting-Timestamp"}})
    cases: list[tuple[str, dict[str, str], bytes, AuthSettings, float]] = [
        ("alertmanager", bearer(TOKEN[:-1]), BODY, SIGNED, NOW),
        ("alertmanager", basic(GH_SECRET), BODY, SIGNED, NOW),
        ("alertmanager", {"authorization": "Digest " + TOKEN}, BODY, SIGNED, NOW),
        ("github", github("wrong"), GH_BODY, SIGNED, NOW),
        ("github", bearer(), GH_BODY, SIGNED, NOW),
        ("pagerduty", pagerduty("wrong"), PD_BODY, SIGNED, NOW),
        ("sentry", sentry("wrong"), SENTRY_BODY, SIGNED, NOW),
        ("sentry", sentry(), SENTRY_BODY, SIGNED, NOW + 1000),
        ("grafana", {"x-grafana-alerting-signature": "f" * 64}, GRAFANA_BODY, SIGNED, NOW),
        ("grafana", stale, GRAFANA_BODY, grafana_ts, NOW),
    ]
    digests = {hexmac(s, body) for s in ALL_SECRETS
               for body in (BODY, GH_BODY, PD_BODY, SENTRY_BODY, GRAFANA_BODY)}
    digests |= {hexmac(GRAFANA_SECRET, b"1:" + GRAFANA_BODY)}
    reasons = [refused(*case[:3], auth=case[3], now=case[4]).reason for case in cases]
    assert len(set(reasons)) >= 5
    for reason in reasons:
        assert "\n" not in reason
        for secret in (*ALL_SECRETS, *digests):
            assert secret not in reason, reason


def test_every_config_snippet_of_the_documentation_is_valid() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "serve-auth.md").read_text()
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", doc, re.S)
              if b.startswith("# opsagent.yaml")]
    assert len(blocks) >= 6
    env = {"OPSAGENT_TOKEN": TOKEN, "GITHUB_WEBHOOK_SECRET": GH_SECRET,
           "PAGERDUTY_WEBHOOK_SECRET": PD_SECRET, "PAGERDUTY_WEBHOOK_SECRET_OLD": PD_OLD,
           "SENTRY_CLIENT_SECRET": SENTRY_SECRET, "GRAFANA_WEBHOOK_SECRET": GRAFANA_SECRET}
    for block in blocks:
        auth = load_auth_settings(yaml.safe_load(block)["serve"]["auth"], source="docs")
        check_auth_settings(auth, env)
    whole = load_auth_settings(yaml.safe_load(blocks[0])["serve"]["auth"])
    assert authenticate("github", github(), GH_BODY, whole, now=NOW, env=env).principal == \
        "github"
    assert authenticate_api(bearer(), whole, env=env) == "token"
    assert whole.sources.sns is not None
    assert whole.sources.sns.allowed_cert_origin.pattern == \
        r"https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?"


@pytest.mark.parametrize("stamp", ["١٧٦٨٤٧٨٤٠٠", "1768478400.", "+1768478400", "1e9", " ", "nan"])
def test_only_plain_unix_seconds_are_read_as_a_signed_timestamp(stamp: str) -> None:
    reason = refused("sentry", {**sentry(), "sentry-hook-timestamp": stamp}, SENTRY_BODY).reason
    assert reason.startswith(("unreadable timestamp", "missing timestamp"))
