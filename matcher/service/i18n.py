"""The web form's words in Norwegian (bokmål) and English.

The language is ``?lang=no`` or ``?lang=en`` (remembered in a cookie), else the browser's
``Accept-Language``, else Norwegian. A validation error is shown in the page's language
(:func:`rule_text`) followed by the message exactly as ``matcher match`` words it, in English.
"""

from __future__ import annotations

import re

from matcher.io.messages import RULES, value_rule
from matcher.io.schema import ROLE_SCHEMA, RULE_MISSING_VALUE

__all__ = ["LANGUAGES", "TEXT", "pick_language", "rule_text"]

LANGUAGES = ("no", "en")

TEXT: dict[str, dict[str, str]] = {
    "no": {
        "app": "Stillinger hos sosiale entreprenører",
        "login": "Logg inn", "logout": "Logg ut", "account": "Konto", "password": "Passord",
        "login_failed": "Feil kontonavn eller passord.",
        "login_limited": "For mange mislykkede forsøk. Prøv igjen om {seconds} sekunder.",
        "roles": "Stillinger", "new_role": "Ny stilling", "edit": "Endre", "close": "Avslutt",
        "save": "Lagre", "cancel": "Avbryt", "status": "Status", "open": "åpen",
        "closed": "avsluttet", "no_roles": "Ingen stillinger ennå.",
        "errors": "Skjemaet har feil. Se merknadene ved feltene.",
        "saved": "Stillingen er lagret.", "closed_msg": "Stillingen er avsluttet.",
        "warnings": "Disse begrepene ble ikke funnet i taksonomien (de er lagret slik de ble "
                    "skrevet):", "closest": "nærmeste",
        "history": "Historikk", "who": "Hvem", "when": "Når", "what": "Hva",
        "export": "Last ned åpne stillinger (CSV)", "caseworker_note":
            "Du ser alle åpne stillinger (kun lesetilgang).",
        "list_hint": "Flere verdier skilles med semikolon (;).",
        "csrf": "Skjemaet er utløpt. Last siden på nytt og prøv igjen.",
        "title": "Tittel", "occupation": "Yrke", "skills_required": "Ferdigheter som kreves",
        "skills_trained": "Ferdigheter vi lærer opp i", "slots": "Antall plasser",
        "hours": "Timer per uke", "lat": "Breddegrad", "lon": "Lengdegrad",
        "languages": "Arbeidsspråk (ISO-koder, f.eks. no;en)",
        "offers": "Tilrettelegging som tilbys", "permanent": "Fast ansettelse",
        "form": "Samarbeidsform", "unknown": "ikke oppgitt", "yes": "ja", "no": "nei",
        "grant": "tilskudd", "supplier": "leverandør", "employment": "ansettelse",
        "development": "utvikling", "role_id": "Stillings-ID", "enterprise": "Virksomhet",
        "language_switch": "English", "terms": "Begreper", "menu": "Meny",
        "not_utf8": "Skjemaet kom ikke som UTF-8-tekst og ble ikke lagret.",
        "no_files": "Skjemaet kan ikke ha vedlegg. Ingenting ble lagret.",
    },
    "en": {
        "app": "Roles at social enterprises",
        "login": "Log in", "logout": "Log out", "account": "Account", "password": "Password",
        "login_failed": "Wrong account name or password.",
        "login_limited": "Too many failed attempts. Try again in {seconds} seconds.",
        "roles": "Roles", "new_role": "New role", "edit": "Edit", "close": "Close role",
        "save": "Save", "cancel": "Cancel", "status": "Status", "open": "open",
        "closed": "closed", "no_roles": "No roles yet.",
        "errors": "The form has errors. See the notes beside the fields.",
        "saved": "The role is saved.", "closed_msg": "The role is closed.",
        "warnings": "These terms were not found in the taxonomy (they are kept as written):",
        "closest": "closest",
        "history": "History", "who": "Who", "when": "When", "what": "What",
        "export": "Download open roles (CSV)", "caseworker_note":
            "You see every open role (read only).",
        "list_hint": "Separate several values with a semicolon (;).",
        "csrf": "The form has expired. Reload the page and try again.",
        "title": "Title", "occupation": "Occupation", "skills_required": "Skills required",
        "skills_trained": "Skills we train", "slots": "Places", "hours": "Hours a week",
        "lat": "Latitude", "lon": "Longitude",
        "languages": "Languages at work (ISO codes, e.g. no;en)",
        "offers": "Adaptations offered", "permanent": "Permanent employment",
        "form": "Collaboration form", "unknown": "not stated", "yes": "yes", "no": "no",
        "grant": "grant", "supplier": "supplier", "employment": "employment",
        "development": "development", "role_id": "Role id", "enterprise": "Enterprise",
        "language_switch": "Norsk", "terms": "Terms", "menu": "Menu",
        "not_utf8": "The form did not arrive as UTF-8 text and was not saved.",
        "no_files": "The form cannot carry attachments. Nothing was saved.",
    },
}


def pick_language(query: str | None, cookie: str | None, accept: str | None) -> str:
    """The page language from the query, the cookie, then ``Accept-Language``."""
    for choice in (query, cookie):
        if choice in LANGUAGES:
            return choice
    for part in (accept or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in ("nb", "nn", "no"):
            return "no"
        if tag == "en":
            return "en"
    return "no"


#: the service's own rules in Norwegian, and the choice of ``form`` in the words of the form's
#: list; the rules of the role columns are :mod:`matcher.io.messages`' (one wording for the
#: form and ``matcher match``). An unknown rule stays in English.
RULES_NO: dict[str, str] = {
    "must be one of grant, supplier, employment, development":
        "må være tilskudd, leverandør, ansettelse eller utvikling",
    "must be at most 200 characters": "kan ha høyst 200 tegn",
    "must have at most 50 items": "kan ha høyst 50 verdier",
    "must not contain NUL characters": "kan ikke inneholde NUL-tegn",
    "must be valid Unicode text (UTF-8)": "må være gyldig tekst (UTF-8)",
}
_PAIRED = re.compile(r"^must be given together with '(\w+)'$")


def rule_text(field: str, rule: str, value: str | None, lang: str) -> str:
    """A rule broken by ``field`` and the value received, in the page's language."""
    if lang == "no":
        text = _norwegian(field, rule)
        return text if value is None else f"{text}, fikk {value!r}"
    return rule if value is None else f"{rule}, got {value!r}"


def _norwegian(field: str, rule: str) -> str:
    if rule in RULES_NO:
        return RULES_NO[rule]
    column = next((c for c in ROLE_SCHEMA.columns if c.name == field), None)
    if column is not None and rule == column.rule:
        return value_rule(column, "nb")
    if rule == RULE_MISSING_VALUE:
        return RULES["nb"]["missing_value"]
    paired = _PAIRED.match(rule)
    if paired:
        return RULES["nb"]["paired"].format(other=f"«{paired.group(1)}»")
    return rule
