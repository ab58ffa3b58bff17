"""Addresses as a message and an SMTP relay need them: the rule for internationalised ones.

The rule (README "Delivery guarantees"): a domain in any script is sent in its ASCII form
(IDNA 2008 A-labels, `臺網中心.tw` -> `xn--fiqq24b10vi0d.tw`), so it needs nothing of the relay.
A local part that is not ASCII (`jörg@…`) can only travel with SMTPUTF8 (RFC 6531): the
message then carries the address in UTF-8, and a relay that does not offer SMTPUTF8 fails
that one digest permanently, with the reason, while everyone else's go out. An address that
cannot be written at all (an invalid domain label) fails its digest the same way. Addresses
mixing scripts (a Cyrillic `а` among Latin letters: a look-alike) are reported at import.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import idna

from reminder.errors import ReminderError


class AddressError(ReminderError):
    """An address that no message can carry."""


@dataclass(frozen=True)
class Mailbox:
    """An address in the form to write into headers and RCPT TO."""

    address: str
    needs_smtputf8: bool  # the local part is not ASCII


def mailbox(email: str) -> Mailbox:
    """The sendable form of a directory address (domain in A-labels), or AddressError."""
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain:
        raise AddressError(f"{email!r} is not an address")
    if not domain.isascii():
        try:
            domain = idna.encode(domain, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise AddressError(
                f"the domain of {email!r} cannot be written in IDNA: {exc}"
            ) from None
    return Mailbox(f"{local}@{domain}", needs_smtputf8=not local.isascii())


def _script(char: str) -> str | None:
    """The script of a letter by its Unicode name (LATIN, CYRILLIC, GREEK, CJK, …)."""
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    return name.split(" ")[0] if name else None


def mixed_scripts(email: str) -> list[str]:
    """The scripts mixed inside one part of the address (local part or a domain label), when
    there is more than one: `pаypal.com` with a Cyrillic `а` gives ['CYRILLIC', 'LATIN']."""
    local, _, domain = email.rpartition("@")
    for part in [local, *domain.split(".")]:
        scripts = {s for s in map(_script, part) if s is not None}
        if len(scripts) > 1:
            return sorted(scripts)
    return []


def address_warning(email: str) -> str | None:
    """What an importer should report about an address, if anything."""
    scripts = mixed_scripts(email)
    if scripts:
        return f"{email} mixes {' and '.join(s.title() for s in scripts)} letters (a look-alike?)"
    try:
        box = mailbox(email)
    except AddressError as exc:
        return str(exc)
    if box.needs_smtputf8:
        return f"{email} needs a relay that offers SMTPUTF8 (the part before @ is not ASCII)"
    return None
