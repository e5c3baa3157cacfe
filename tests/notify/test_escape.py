"""Text from payloads cannot ping, mention, link, format or inject headers."""

from __future__ import annotations

import json
from email import message_from_string
from email.policy import default

from opsagent.notify import Event
from opsagent.notify.mail import EmailNotifier
from opsagent.notify.slack import SlackNotifier
from opsagent.notify.teams import TeamsNotifier

from .messages import AT, example_report, target

HOSTILE = ("<!channel> <!here> <@U024BE7LH> <#C123|general> <http://evil.example|click> "
           "*bold* _it_ [link](http://evil.example) {{DATE(2020-01-01T00:00:00Z)}} "
           "<script>alert(1)</script> & done\r\nBcc: victim@example.com")


def hostile_report():  # type: ignore[no-untyped-def]
    report = example_report()
    cause = report.root_causes[0].model_copy(update={"title": HOSTILE})
    return report.model_copy(update={"summary": HOSTILE,
                                     "root_causes": [cause, *report.root_causes[1:]]})


def test_slack_text_cannot_mention_or_link() -> None:
    request = SlackNotifier(target("slack")).render(hostile_report(), Event("new", AT))
    payload = json.loads(request.body)
    texts = [payload["text"]]
    for block in payload["blocks"]:
        if block["type"] in ("section", "header"):
            texts.append(block["text"]["text"])
        texts += [e["text"] for e in block.get("elements", []) if "text" in e
                  and isinstance(e["text"], str)]
    joined = "\n".join(texts)
    for forbidden in ("<!channel>", "<!here>", "<@U024BE7LH>", "<#C123", "<http://evil",
                      "<script>"):
        assert forbidden not in joined
    assert "&lt;!channel&gt;" in joined and "&amp; done" in joined
    # the only link is the report's own
    assert joined.count("<http") == 1 and "<https://ops.example.com/incidents/" in joined


def test_teams_text_cannot_format_or_link() -> None:
    request = TeamsNotifier(target("teams")).render(hostile_report(), Event("new", AT))
    card = json.loads(request.body)["attachments"][0]["content"]
    summary = card["body"][1]["text"]
    assert "\\[link\\](http://evil.example)" in summary
    assert "\\*bold\\*" in summary and "\\_it\\_" in summary
    assert "{{DATE" not in summary


def test_email_subject_cannot_inject_headers_and_html_is_escaped() -> None:
    request = EmailNotifier(target("email")).render(hostile_report(), Event("new", AT))
    message = message_from_string(request.body, policy=default)
    assert message["Bcc"] is None
    assert "\n" not in str(message["Subject"]) and "\r" not in str(message["Subject"])
    assert str(message["Subject"]).startswith("[opsagent] HIGH checkout-service: ")
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<script>" not in html and "&lt;script&gt;" in html
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "<!channel>" in text  # plain text needs no escaping: it is shown as written
