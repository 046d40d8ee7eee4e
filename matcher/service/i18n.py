"""The web form's words in Norwegian (bokmål), Danish and English.

The language is ``?lang=no``, ``?lang=da`` or ``?lang=en`` (remembered in a cookie), else the
browser's ``Accept-Language``, else Norwegian. A validation error is shown in the page's language
(:func:`rule_text`) followed by the message exactly as ``matcher match`` words it, in English.
"""

from __future__ import annotations

import re

from matcher.errors import quotes
from matcher.io.messages import RULES, value_rule
from matcher.io.schema import FORM_WORDS, ROLE_SCHEMA, RULE_MISSING_VALUE

__all__ = ["LANGUAGES", "LANGUAGE_NAMES", "TEXT", "pick_language", "rule_text"]

LANGUAGES = ("no", "da", "en")
#: each page language by its own name (the links that switch to it) and its HTML ``lang``
LANGUAGE_NAMES: dict[str, tuple[str, str]] = {
    "no": ("Norsk", "nb"), "da": ("Dansk", "da"), "en": ("English", "en")}

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
        **FORM_WORDS["nb"], "role_id": "Stillings-ID", "enterprise": "Virksomhet",
        "language_switch": "Språk", "terms": "Begreper", "menu": "Meny",
        "not_utf8": "Skjemaet kom ikke som UTF-8-tekst og ble ikke lagret.",
        "no_files": "Skjemaet kan ikke ha vedlegg. Ingenting ble lagret.",
    },
    "da": {
        "app": "Stillinger hos socialøkonomiske virksomheder",
        "login": "Log ind", "logout": "Log ud", "account": "Konto", "password": "Adgangskode",
        "login_failed": "Forkert kontonavn eller adgangskode.",
        "login_limited": "For mange mislykkede forsøg. Prøv igen om {seconds} sekunder.",
        "roles": "Stillinger", "new_role": "Ny stilling", "edit": "Ret", "close": "Afslut",
        "save": "Gem", "cancel": "Annuller", "status": "Status", "open": "åben",
        "closed": "afsluttet", "no_roles": "Ingen stillinger endnu.",
        "errors": "Formularen har fejl. Se bemærkningerne ved felterne.",
        "saved": "Stillingen er gemt.", "closed_msg": "Stillingen er afsluttet.",
        "warnings": "Disse begreber blev ikke fundet i taksonomien (de er gemt, som de blev "
                    "skrevet):", "closest": "nærmeste",
        "history": "Historik", "who": "Hvem", "when": "Hvornår", "what": "Hvad",
        "export": "Hent åbne stillinger (CSV)", "caseworker_note":
            "Du ser alle åbne stillinger (kun læseadgang).",
        "list_hint": "Flere værdier adskilles med semikolon (;).",
        "csrf": "Formularen er udløbet. Genindlæs siden, og prøv igen.",
        "title": "Titel", "occupation": "Erhverv", "skills_required": "Krævede kompetencer",
        "skills_trained": "Kompetencer vi oplærer i", "slots": "Antal pladser",
        "hours": "Timer om ugen", "lat": "Breddegrad", "lon": "Længdegrad",
        "languages": "Arbejdssprog (ISO-koder, f.eks. da;en)",
        "offers": "Tilpasninger, der tilbydes", "permanent": "Fast ansættelse",
        "form": "Samarbejdsform", "unknown": "ikke oplyst", "yes": "ja", "no": "nej",
        **FORM_WORDS["da"], "role_id": "Stillings-id", "enterprise": "Virksomhed",
        "language_switch": "Sprog", "terms": "Begreber", "menu": "Menu",
        "not_utf8": "Formularen kom ikke som UTF-8-tekst og blev ikke gemt.",
        "no_files": "Formularen kan ikke have vedhæftede filer. Intet blev gemt.",
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
        "language_switch": "Language", "terms": "Terms", "menu": "Menu",
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
        if tag == "da":
            return "da"
        if tag == "en":
            return "en"
    return "no"


#: the service's own rules in Norwegian and Danish; the rules of the role columns are
#: :mod:`matcher.io.messages`' (one wording for the form and ``matcher match``; ``form`` in the
#: words of the form's list, :data:`matcher.io.schema.FORM_WORDS`). An unknown rule stays in
#: English.
OWN_RULES: dict[str, dict[str, str]] = {
    "no": {
        "must be at most 200 characters": "kan ha høyst 200 tegn",
        "must have at most 50 items": "kan ha høyst 50 verdier",
        "must not contain NUL characters": "kan ikke inneholde NUL-tegn",
        "must be valid Unicode text (UTF-8)": "må være gyldig tekst (UTF-8)",
    },
    "da": {
        "must be at most 200 characters": "må højst have 200 tegn",
        "must have at most 50 items": "må højst have 50 værdier",
        "must not contain NUL characters": "må ikke indeholde NUL-tegn",
        "must be valid Unicode text (UTF-8)": "skal være gyldig tekst (UTF-8)",
    },
}
#: the word for "got" on the pages written from :mod:`matcher.io.messages`, whose language is
#: the page's HTML ``lang`` (:data:`LANGUAGE_NAMES`)
_GOT = {"no": "fikk", "da": "fik"}
_PAIRED = re.compile(r"^must be given together with '(\w+)'$")


def rule_text(field: str, rule: str, value: str | None, lang: str) -> str:
    """A rule broken by ``field`` and the value received, in the page's language."""
    if lang in _GOT:
        text = _local(field, rule, lang)
        return text if value is None else f"{text}, {_GOT[lang]} {value!r}"
    return rule if value is None else f"{rule}, got {value!r}"


def _local(field: str, rule: str, lang: str) -> str:
    own, messages = OWN_RULES[lang], LANGUAGE_NAMES[lang][1]
    if rule in own:
        return own[rule]
    column = next((c for c in ROLE_SCHEMA.columns if c.name == field), None)
    if column is not None and rule == column.rule:
        return value_rule(column, messages)
    if rule == RULE_MISSING_VALUE:
        return RULES[messages]["missing_value"]
    paired = _PAIRED.match(rule)
    if paired:
        open_, close = quotes(messages)
        return RULES[messages]["paired"].format(other=f"{open_}{paired.group(1)}{close}")
    return rule
