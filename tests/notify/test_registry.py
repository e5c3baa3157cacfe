"""Notifier types are a plug-in kind: the built-ins are registered like a plug-in's, a
name is registered once, and a registered type is used for a target of that type."""

from __future__ import annotations

import pytest

from opsagent.errors import ConfigError
from opsagent.notify import KIND, MemoryOutbox, notifier_for, notify, register
from opsagent.notify.testing import RecordingNotifier
from opsagent.registry import Registry, default_registry

from .messages import AT, example_report, target


def test_built_in_notifier_types() -> None:
    assert default_registry().names(KIND) == ["slack", "teams", "email", "webhook"]


def test_a_type_is_registered_once_and_unknown_types_are_named() -> None:
    registry = Registry()
    register(registry)
    with pytest.raises(ConfigError, match="notifier 'slack' is registered twice"):
        registry.add(KIND, "slack", RecordingNotifier)
    with pytest.raises(ConfigError, match="unknown notifier 'pager'; expected one of: email"):
        registry.get(KIND, "pager")


def test_a_plug_in_notifier_replaces_nothing_and_is_used_by_type() -> None:
    registry = Registry()
    sent: list[RecordingNotifier] = []

    def factory(t):  # type: ignore[no-untyped-def]
        sent.append(RecordingNotifier(t))
        return sent[-1]

    registry.add(KIND, "webhook", factory)
    hook = target("webhook", dry_run=False)
    delivery = notify(example_report(), hook, notifier_for(registry, hook), MemoryOutbox(),
                      at=AT)
    assert delivery.status == "sent" and len(sent[0].sent) == 1


def test_secrets_resolve_from_the_environment_given() -> None:
    raw = target("email", smtp={"host": "${SMTP_HOST}", "password": "${SMTP_PASSWORD}"},
                 to=["${ONCALL}"])
    assert raw.smtp is not None and raw.smtp.password == "${SMTP_PASSWORD}"  # unresolved
    resolved = raw.resolve({"SMTP_HOST": "mail", "SMTP_PASSWORD": "pw", "ONCALL": "a@b.c"})
    assert resolved.smtp is not None and resolved.smtp.host == "mail"
    assert resolved.to == ["a@b.c"] and resolved.secrets() == ("pw",)
    with pytest.raises(ConfigError) as err:
        raw.resolve({"SMTP_HOST": "mail", "ONCALL": "x"})
    assert str(err.value) == ("field 'notify.email-target.smtp.password': "
                              "environment variable SMTP_PASSWORD is not set")
