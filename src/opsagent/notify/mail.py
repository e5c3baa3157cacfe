"""E-mail: SMTP with STARTTLS, a plain-text and an HTML part, a subject carrying the
severity and the service (``[opsagent] HIGH checkout-service: …``).

Every header value is one line (CR/LF from payloads become spaces), the HTML part is
HTML-escaped, and the password only ever reaches the SMTP ``AUTH`` command.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime

from ..models.report import TriageReport
from . import escape
from .base import Digest, digest
from .events import Event
from .request import Request, Result
from .targets import Target

MAX_SUBJECT = 140


def subject(d: Digest) -> str:
    prefix = {"resolved": "RESOLVED ", "raised": "RAISED ", "test": "TEST "}.get(
        d.event.kind, "")
    return escape.truncate(escape.header(
        f"[opsagent] {prefix}{d.level} {d.service}: {d.summary}"), MAX_SUBJECT)


def text_part(d: Digest) -> str:
    lines = [d.headline, "", d.summary, ""]
    for title, items, numbered in (("Top causes", d.causes, False),
                                   ("First actions", d.actions, True),
                                   ("Similar past incidents", d.similar, False)):
        if items:
            lines.append(f"{title}:")
            lines += [(f"{i}. " if numbered else "- ") + item
                      for i, item in enumerate(items, 1)]
            lines.append("")
    lines += [f"{k}: {v}" for k, v in d.facts]
    if d.link:
        lines += ["", f"Full report: {d.link}"]
    return "\n".join(lines) + "\n"


def html_part(d: Digest) -> str:
    h = escape.html_text
    out = [f"<h2>{h(d.icon)} {h(d.headline)}</h2>", f"<p>{h(d.summary)}</p>"]
    for title, items, tag in (("Top causes", d.causes, "ul"),
                              ("First actions", d.actions, "ol"),
                              ("Similar past incidents", d.similar, "ul")):
        if items:
            out.append(f"<h3>{title}</h3><{tag}>"
                       + "".join(f"<li>{h(i)}</li>" for i in items) + f"</{tag}>")
    out.append("<table>" + "".join(f"<tr><th align=\"left\">{h(k)}</th><td>{h(v)}</td></tr>"
                                   for k, v in d.facts) + "</table>")
    if d.link:
        out.append(f"<p><a href=\"{h(d.link)}\">Open the full report</a></p>")
    return "<!DOCTYPE html>\n<html><body>\n" + "\n".join(out) + "\n</body></html>\n"


class EmailNotifier:
    def __init__(self, target: Target) -> None:
        self.target = target

    def render(self, report: TriageReport, event: Event) -> Request:
        smtp = self.target.smtp
        assert smtp is not None and self.target.sender is not None
        d = digest(report, event, self.target)
        msg = EmailMessage()
        msg["Subject"] = subject(d)
        msg["From"] = escape.header(self.target.sender)
        msg["To"] = ", ".join(escape.header(t) for t in self.target.to)
        msg["Date"] = format_datetime(event.at)
        ident = re.sub(r"[^A-Za-z0-9.-]", "-", f"{report.incident.id}.{event.revision}"
                                                f".{event.kind}")
        msg["Message-ID"] = f"<{ident}@opsagent>"
        msg.set_content(text_part(d), cte="quoted-printable")
        msg.add_alternative(html_part(d), subtype="html", cte="quoted-printable")
        envelope = {"Mail-From": self.target.sender, "Rcpt-To": ", ".join(self.target.to)}
        if smtp.username:
            envelope["Auth"] = f"{smtp.username} (password {'set' if smtp.password else 'unset'})"
        if smtp.starttls:
            envelope["Starttls"] = "required"
        return Request("SMTP", f"smtp://{smtp.host}:{smtp.port}", envelope, msg.as_string(),
                       self.target.secrets())

    def send(self, request: Request) -> Result:
        smtp = self.target.smtp
        assert smtp is not None and self.target.sender is not None
        where = request.masked().url
        try:
            with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s) as client:
                client.ehlo()
                if smtp.starttls:
                    context = ssl.create_default_context(cafile=smtp.ca_file)
                    client.starttls(context=context)
                    client.ehlo()
                if smtp.username:
                    client.login(smtp.username, smtp.password or "")
                refused = client.sendmail(self.target.sender, self.target.to,
                                          request.body.replace("\n", "\r\n").encode("utf-8"))
        except smtplib.SMTPAuthenticationError as exc:
            return Result(False, exc.smtp_code, f"{where}: authentication failed")
        except smtplib.SMTPResponseException as exc:
            error = exc.smtp_error
            text = error.decode("utf-8", "replace") if isinstance(error, bytes) else error
            return Result(False, exc.smtp_code, f"{where}: {exc.smtp_code} {text}",
                          retryable=400 <= exc.smtp_code < 500)
        except smtplib.SMTPRecipientsRefused as exc:
            return Result(False, None, f"{where}: every recipient refused "
                          f"({', '.join(exc.recipients)})")
        except ssl.SSLCertVerificationError as exc:  # retrying will not make it trusted
            return Result(False, None, f"{where}: {exc}")
        except (smtplib.SMTPException, OSError) as exc:
            return Result(False, None, f"{where}: {exc}", retryable=True)
        if refused:
            return Result(True, 250, f"{where}: sent; refused: {', '.join(refused)}")
        return Result(True, 250, f"{where}: sent to {len(self.target.to)} recipient(s)")
