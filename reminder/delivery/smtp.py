"""SMTP transport: TLS verified, timeouts always set, one connection reused across a batch.

Outcomes (docs/architecture.md, "Delivery"): 4xx, timeouts and disconnects are transient; a
5xx for the recipient is permanent for that digest only; failures to connect, start TLS, log
in or have MAIL FROM accepted are systemic and stop the batch.
"""

from __future__ import annotations

import contextlib
import ipaddress
import smtplib
import ssl

from reminder.config import Settings
from reminder.delivery.base import Envelope
from reminder.errors import ConfigError, DeliveryError
from reminder.secret_settings import smtp_password


def _dot_stuffed(data: bytes) -> bytes:
    """Lines starting with "." get another one in the DATA stream (RFC 5321 section 4.5.2).
    bytes.replace rather than a regular expression: a fifth of the time, on every message."""
    stuffed = data.replace(b"\n.", b"\n..")
    return b"." + stuffed if stuffed.startswith(b".") else stuffed


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode(errors="replace") if isinstance(message, bytes) else message
    return f"{code} {' '.join(text.split())}"


def _mail_options(envelope: Envelope) -> list[str]:
    return ["SMTPUTF8", "BODY=8BITMIME"] if envelope.smtputf8 else []


def _commands(envelope: Envelope) -> bytes:
    options = "".join(" " + option for option in _mail_options(envelope))
    return (
        f"MAIL FROM:<{envelope.sender}>{options}\r\nRCPT TO:<{envelope.recipient}>\r\nDATA\r\n"
    ).encode()


def _can_carry(smtp: smtplib.SMTP, envelope: Envelope) -> bool:
    """An address with a non-ASCII local part needs a relay with SMTPUTF8 (RFC 6531)."""
    return not envelope.smtputf8 or smtp.has_extn("smtputf8")


class SmtpTransport:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._connection: smtplib.SMTP | None = None
        # The envelope whose MAIL/RCPT/DATA went out behind the previous message's body
        # (RFC 2920 lets message content open a pipelined group); its replies are unread.
        self._announced: Envelope | None = None

    @property
    def _smtp(self) -> smtplib.SMTP | None:
        return self._connection

    @_smtp.setter
    def _smtp(self, connection: smtplib.SMTP | None) -> None:
        if connection is None:
            self._announced = None  # whatever was announced went with the old connection
        self._connection = connection

    # -- connection -----------------------------------------------------------------------
    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        where = f"{s.smtp_host}:{s.smtp_port}"
        password = self._password()
        smtp: smtplib.SMTP | None = None
        try:
            context = ssl.create_default_context()
            if s.smtp_tls == "ssl":
                smtp = smtplib.SMTP_SSL(
                    s.smtp_host, s.smtp_port, timeout=s.smtp_timeout, context=context
                )
            else:
                smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
            smtp.ehlo()
            if s.smtp_tls == "starttls":
                if not smtp.has_extn("starttls"):
                    raise DeliveryError(
                        f"{where} does not offer STARTTLS (smtp_tls = starttls)",
                        permanent=True,
                        systemic=True,
                    )
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.smtp_username:
                if s.smtp_tls == "none" and not _is_loopback(s.smtp_host):
                    raise DeliveryError(
                        "refusing to send the SMTP password unencrypted to "
                        f"{where}; use smtp_tls = starttls or ssl",
                        permanent=True,
                        systemic=True,
                    )
                smtp.login(s.smtp_username, password or "")
        except DeliveryError:
            _quietly_close(smtp)
            raise
        except smtplib.SMTPAuthenticationError as exc:
            _quietly_close(smtp)
            raise DeliveryError(
                f"{where} refused the login: {_reply(exc.smtp_code, exc.smtp_error)}",
                permanent=True,
                systemic=True,
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            _quietly_close(smtp)
            raise DeliveryError(
                f"cannot connect to {where}: {exc}", permanent=False, systemic=True
            ) from None
        return smtp

    def _password(self) -> str | None:
        """Read before connecting: an unreadable secret file stops the run, sending nothing."""
        try:
            return smtp_password(self.settings) if self.settings.smtp_username else None
        except ConfigError as exc:
            raise DeliveryError(str(exc), permanent=True, systemic=True) from None

    # -- one message ----------------------------------------------------------------------
    def send(self, envelope: Envelope, following: Envelope | None = None) -> None:
        """Send `envelope`; with PIPELINING, `following` (the next message on this connection)
        has its MAIL/RCPT/DATA sent behind this body, saving it a round trip."""
        if self._announced is not None and self._announced.message_id != envelope.message_id:
            # A different message than announced: the relay is waiting for that one's body,
            # and the only way out without delivering anything is a new connection.
            self._abandon()
        for attempt in (1, 2):
            if self._smtp is None:
                self._smtp = self._connect()
            try:
                self._transaction(self._smtp, envelope, following)
                return
            except smtplib.SMTPServerDisconnected:
                # The relay closed an idle connection before this message: reconnect once.
                self._smtp = None
                if attempt == 2:
                    raise DeliveryError(
                        "the relay keeps closing the connection", permanent=False, systemic=True
                    ) from None

    def _transaction(
        self, smtp: smtplib.SMTP, envelope: Envelope, following: Envelope | None
    ) -> None:
        if not _can_carry(smtp, envelope):
            raise DeliveryError(
                f"<{envelope.recipient}> needs SMTPUTF8 (the part before @ is not ASCII), "
                "which the relay does not offer",
                permanent=True,
            )
        if following is not None and not _can_carry(smtp, following):
            following = None  # announce nothing the relay could not take
        if smtp.has_extn("pipelining"):
            self._pipelined(smtp, envelope, following)
            return
        code, reply = smtp.mail(envelope.sender, _mail_options(envelope))
        if code != 250:
            self._reset(smtp)
            raise DeliveryError(
                f"MAIL FROM refused: {_reply(code, reply)}", permanent=code >= 500, systemic=True
            )
        code, reply = smtp.rcpt(envelope.recipient)
        if code not in (250, 251):
            self._reset(smtp)
            raise DeliveryError(
                f"RCPT TO <{envelope.recipient}> refused: {_reply(code, reply)}",
                permanent=code >= 500,
            )
        try:
            code, reply = smtp.data(envelope.data)  # smtplib sends str as ASCII; bytes as is
        except smtplib.SMTPDataError as exc:  # DATA itself refused, before the message
            self._reset(smtp)
            raise DeliveryError(
                f"DATA refused: {_reply(exc.smtp_code, exc.smtp_error)}",
                permanent=exc.smtp_code >= 500,
            ) from None
        except (smtplib.SMTPServerDisconnected, TimeoutError, OSError) as exc:
            raise self._lost_after_data(smtp, exc) from None
        self._check_accepted(smtp, code, reply)

    def _lost_after_data(self, smtp: smtplib.SMTP, exc: Exception) -> DeliveryError:
        """The message may have been accepted without our hearing the reply."""
        _quietly_close(smtp)
        self._smtp = None
        return DeliveryError(
            f"connection lost after sending the message: {exc}",
            permanent=False,
            maybe_delivered=True,
        )

    def _check_accepted(self, smtp: smtplib.SMTP, code: int, reply: bytes | str) -> None:
        if code != 250:
            self._reset(smtp)
            raise DeliveryError(f"message refused: {_reply(code, reply)}", permanent=code >= 500)

    def _pipelined(
        self, smtp: smtplib.SMTP, envelope: Envelope, following: Envelope | None
    ) -> None:
        """RFC 2920: MAIL, RCPT and DATA in one round trip, then the message with the next
        message's MAIL, RCPT and DATA in a second; so one round trip per message."""
        if self._announced is not None and self._announced.message_id == envelope.message_id:
            self._announced = None  # sent behind the previous body: only the replies are due
        else:
            smtp.send(_commands(envelope))
        (mail, mail_reply), (rcpt, rcpt_reply), (data, data_reply) = (
            smtp.getreply(),
            smtp.getreply(),
            smtp.getreply(),
        )
        failure = None
        if mail != 250:
            failure = DeliveryError(
                f"MAIL FROM refused: {_reply(mail, mail_reply)}",
                permanent=mail >= 500,
                systemic=True,
            )
        elif rcpt not in (250, 251):
            failure = DeliveryError(
                f"RCPT TO <{envelope.recipient}> refused: {_reply(rcpt, rcpt_reply)}",
                permanent=rcpt >= 500,
            )
        elif data != 354:
            failure = DeliveryError(
                f"DATA refused: {_reply(data, data_reply)}", permanent=data >= 500
            )
        if failure is not None:
            if data == 354:  # a server that took DATA anyway gets an empty message ended
                smtp.send(b".\r\n")
                smtp.getreply()
            self._reset(smtp)
            raise failure
        body = _dot_stuffed(envelope.data)
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        try:
            smtp.send(body + b".\r\n" + (_commands(following) if following else b""))
            self._announced = following
            code, reply = smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise self._lost_after_data(smtp, exc) from None
        if code != 250 and following is not None:
            # The transaction ended with this reply and the next one is already under way,
            # so there is nothing to reset.
            raise DeliveryError(f"message refused: {_reply(code, reply)}", permanent=code >= 500)
        self._check_accepted(smtp, code, reply)

    def _abandon(self) -> None:
        if self._smtp is not None:
            _quietly_close(self._smtp)
        self._smtp = None

    def _reset(self, smtp: smtplib.SMTP) -> None:
        try:
            smtp.rset()
        except (OSError, smtplib.SMTPException):
            _quietly_close(smtp)
            self._smtp = None

    def close(self) -> None:
        if self._announced is not None:
            self._abandon()  # the relay waits for a body that will not come: just hang up
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                _quietly_close(self._smtp)
            self._smtp = None


def _quietly_close(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        with contextlib.suppress(OSError):
            smtp.close()
