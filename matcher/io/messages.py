"""Problems with the input files in the caseworker's language.

Each problem is written in English where it arises (the rule a library user sees), with a
``code`` and the ``params`` it was written from. For a run in Norwegian or Danish,
:func:`localise_problems` writes the rule again from :data:`RULES`, and marks the problem with
the language so that its place (``linje 4, kolonne «språk»``) is written in it too. Problems
about terms, which name concepts of the taxonomy, are written by
:func:`matcher.explain.localise_warnings`, which hands every other problem to this module.

Column names and values are quoted as the file has them; the rules name columns by the name
the file uses where they name another column.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from matcher.errors import OutputError, Problem, quotes
from matcher.io.schema import Column

__all__ = ["RULES", "localise_problems", "output_message", "value_rule"]

RULES: dict[str, dict[str, str]] = {
    "nb": {
        # -- the file as a whole -----------------------------------------------------------------
        "file_type": ("må være en .csv-, .tsv-, .txt-, .xlsx-, .xlsm-, .xlsb-, .xls-, .ods-, "
                      ".parquet-, .json-, .jsonl- eller .ndjson-fil"),
        "not_found": "finnes ikke",
        "no_permission": "kan ikke leses: du har ikke tilgang til filen",
        "is_folder": "er en mappe, ikke en fil",
        "unreadable": "kan ikke leses ({reason})",
        "not_text": "kan ikke leses: det er verken UTF-8- eller Windows-1252-tekst",
        "encoding": "er ikke UTF-8 og ble lest som Windows-1252. Sjekk at æ, ø og å ser riktige ut",
        "not_csv": "kan ikke leses som CSV",
        "ragged": "har {cells} celler, men overskriftslinjen har {header}",
        "ragged_comma": (". I en kommaseparert fil må et desimalkomma stå i anførselstegn "
                         "(\"37,5\"), ellers kan du lagre filen med semikolon mellom cellene"),
        "no_sheet": "har ikke noe ark som heter {sheet}. Arkene heter {sheets}",
        "not_excel": "kan ikke leses som et regneark",
        "json_array": "må være en JSON-liste med objekter",
        "json_object": "må være et JSON-objekt",
        "empty_file": "har ingen rader med data",
        "term_split": "ble lest som {parts} hver for seg. Skill dem med semikolon (;)",
        "header_below": ("har overskriftslinjen på linje {line}. Linjene over den (en tittel) "
                         "ble hoppet over"),
        # -- columns ---------------------------------------------------------------------------
        "repeated_column": "står to ganger i overskriftslinjen. Behold den ene",
        "same_field": "er samme kolonne som {other} (begge betyr {field}). Behold den ene",
        "near_miss": "er ikke en kjent kolonne. Mente du {known}?",
        "near_miss_as": "{written} (det vil si {field})",
        "missing_column": "mangler. Kolonnen må være med og kan hete {names}",
        "more_names": " eller lignende",
        "and": "og",
        "or": "eller",
        "unused_columns": ". Filen har disse kolonnene som ikke brukes: {columns}",
        "other_sheets": (". Arbeidsboken har flere ark ({sheets}). Velg arket med # etter "
                         "filnavnet, for eksempel {example}"),
        # -- values ----------------------------------------------------------------------------
        "missing_value": "må fylles ut",
        "excel_error": "er en feil i en formel i Excel. Rett formelen, eller skriv inn verdien",
        "unique": "må være unik, men står også på linje {first}",
        "paired": "må fylles ut sammen med {other}",
        "languages": ("må være språk skilt med semikolon: ISO 639-koder («no», «ar», «prs») "
                      "eller navn på norsk, dansk eller engelsk («norsk», «arabisk», «dari»)"),
        "number": "må være et tall{range}",
        "integer": "må være et helt tall{range}",
        "between": " fra {lo} til {hi}",
        "above_to": " over {lo} og høyst {hi}",
        "above": " over {lo}",
        "from": ", {lo} eller mer",
        "to": ", høyst {hi}",
        "boolean": ("må være ja eller nei (j/n og 1/0 går også, og x betyr ja; en tom celle "
                    "betyr ikke oppgitt)"),
        "choice": "må være en av disse: {allowed}",
        "text": "må være tekst",
        # -- the overrides file (locks and forbids) --------------------------------------------
        "override_pair": "må være ARBEIDSSØKER=STILLING (to id-er med = imellom)",
        "weights": "må være tall fra 0 til 100 skilt med komma",
        "override_action": "må være lås eller utelukk (på engelsk lock eller forbid)",
        "known_seeker": "må være en arbeidssøker i {file}",
        "known_role": "må være en stilling i {file}",
        "lock_allowed": ("en låsing må gjelde et mulig par; dette paret bryter et absolutt krav "
                         "eller har for lavt samsvar"),
        "lock_twice": "arbeidssøkeren er allerede låst til en stilling (linje {first})",
        "lock_slots": ("låser flere arbeidssøkere til stillingen {role} enn den har plasser "
                       "({slots})"),
        "lock_forbid": "paret er både låst og utelukket (linje {first})",
        # -- a run read back for its report (matcher report) -------------------------------------
        "no_run": "har ingen kjøring: ingen «*.manifest.json» (matcher match --out skriver en)",
        "many_runs": ("har {n} kjøringer ({names}). Oppgi manifestet eller MATCHES-filen til én "
                      "av dem"),
        "ambiguous_alternatives": ("har {n} filer som kan være alternativene ({names}). Velg én "
                                   "med {option}"),
        "ambiguous_warnings": "har {n} filer som kan være varslene ({names}). Velg én med {option}",
        "run_count": "har {got} arbeidssøkere, men {file} sier {expected}",
        "unit": "må være et tall fra 0 til 1",
        "rank": "må være et helt tall, 1 eller mer",
        # -- the job-seekers' tiers (matcher report --seekers) ---------------------------------
        "binary": "må være 0 eller 1",
        "months": "må være et tall, 0 eller mer",
        "tier_or_employability": ("trenger en kolonne «tier» (innsatsgruppe) eller "
                                  "«employability» (jobbsannsynlighet)"),
        "employability_or_tier": "må fylles ut når raden ikke har innsatsgruppe (tier)",
        # -- the outputs -----------------------------------------------------------------------
        "output_locked": ("kan ikke skrives: filen er åpen i et annet program (Excel?) eller "
                          "skrivebeskyttet. Lukk den og kjør på nytt"),
        # -- where people and roles are ----------------------------------------------------------
        "far_seeker": "ligger mer enn 1000 km fra alle stillingene. Er lat og lon byttet om?",
        "far_role": "ligger mer enn 1000 km fra alle arbeidssøkerne. Er lat og lon byttet om?",
        "distance_without_location": ("er oppgitt uten bosted (lat, lon), så den begrenser "
                                      "ingenting"),
    },
    "da": {
        "file_type": ("skal være en .csv-, .tsv-, .txt-, .xlsx-, .xlsm-, .xlsb-, .xls-, .ods-, "
                      ".parquet-, .json-, .jsonl- eller .ndjson-fil"),
        "not_found": "findes ikke",
        "no_permission": "kan ikke læses: du har ikke adgang til filen",
        "is_folder": "er en mappe, ikke en fil",
        "unreadable": "kan ikke læses ({reason})",
        "not_text": "kan ikke læses: det er hverken UTF-8- eller Windows-1252-tekst",
        "encoding": ("er ikke UTF-8 og blev læst som Windows-1252. Tjek, at æ, ø og å ser "
                     "rigtige ud"),
        "not_csv": "kan ikke læses som CSV",
        "ragged": "har {cells} celler, men overskriftslinjen har {header}",
        "ragged_comma": (". I en kommasepareret fil skal et decimalkomma stå i anførselstegn "
                         "(\"37,5\"), ellers kan du gemme filen med semikolon mellem cellerne"),
        "no_sheet": "har ikke noget ark, der hedder {sheet}. Arkene hedder {sheets}",
        "not_excel": "kan ikke læses som et regneark",
        "json_array": "skal være en JSON-liste med objekter",
        "json_object": "skal være et JSON-objekt",
        "empty_file": "har ingen rækker med data",
        "term_split": "blev læst som {parts} hver for sig. Adskil dem med semikolon (;)",
        "header_below": ("har overskriftslinjen på linje {line}. Linjerne over den (en titel) "
                         "blev sprunget over"),
        "repeated_column": "står to gange i overskriftslinjen. Behold den ene",
        "same_field": "er den samme kolonne som {other} (begge betyder {field}). Behold den ene",
        "near_miss": "er ikke en kendt kolonne. Mente du {known}?",
        "near_miss_as": "{written} (det vil sige {field})",
        "missing_column": "mangler. Kolonnen skal være med og kan hedde {names}",
        "more_names": " eller lignende",
        "and": "og",
        "or": "eller",
        "unused_columns": ". Filen har disse kolonner, som ikke bruges: {columns}",
        "other_sheets": (". Projektmappen har flere ark ({sheets}). Vælg arket med # efter "
                         "filnavnet, for eksempel {example}"),
        "missing_value": "skal udfyldes",
        "excel_error": "er en fejl i en formel i Excel. Ret formlen, eller skriv værdien ind",
        "unique": "skal være unik, men står også på linje {first}",
        "paired": "skal udfyldes sammen med {other}",
        "languages": ("skal være sprog adskilt med semikolon: ISO 639-koder (»da«, »ar«, »prs«) "
                      "eller navne på dansk, norsk eller engelsk (»dansk«, »arabisk«, »dari«)"),
        "number": "skal være et tal{range}",
        "integer": "skal være et helt tal{range}",
        "between": " fra {lo} til {hi}",
        "above_to": " over {lo} og højst {hi}",
        "above": " over {lo}",
        "from": ", {lo} eller mere",
        "to": ", højst {hi}",
        "boolean": ("skal være ja eller nej (j/n og 1/0 kan også bruges, og x betyder ja; en "
                    "tom celle betyder ikke oplyst)"),
        "choice": "skal være en af disse: {allowed}",
        "text": "skal være tekst",
        "override_pair": "skal være JOBSØGER=STILLING (to id'er med = imellem)",
        "weights": "skal være tal fra 0 til 100 adskilt med komma",
        "override_action": "skal være lås eller udeluk (på engelsk lock eller forbid)",
        "known_seeker": "skal være en jobsøger i {file}",
        "known_role": "skal være en stilling i {file}",
        "lock_allowed": ("en låsning skal gælde et muligt par; dette par bryder et ufravigeligt "
                         "krav eller matcher for dårligt"),
        "lock_twice": "jobsøgeren er allerede låst til en stilling (linje {first})",
        "lock_slots": ("låser flere jobsøgere til stillingen {role}, end den har pladser "
                       "({slots})"),
        "lock_forbid": "parret er både låst og udelukket (linje {first})",
        "no_run": "har ingen kørsel: ingen »*.manifest.json« (matcher match --out skriver en)",
        "many_runs": ("har {n} kørsler ({names}). Angiv manifestet eller MATCHES-filen for én "
                      "af dem"),
        "ambiguous_alternatives": ("har {n} filer, der kan være alternativerne ({names}). Vælg "
                                   "én med {option}"),
        "ambiguous_warnings": ("har {n} filer, der kan være advarslerne ({names}). Vælg én med "
                               "{option}"),
        "run_count": "har {got} jobsøgere, men {file} siger {expected}",
        "unit": "skal være et tal fra 0 til 1",
        "rank": "skal være et helt tal, 1 eller mere",
        "binary": "skal være 0 eller 1",
        "months": "skal være et tal, 0 eller mere",
        "tier_or_employability": ("skal have en kolonne »tier« (gruppe) eller "
                                  "»employability« (jobsandsynlighed)"),
        "employability_or_tier": "skal udfyldes, når rækken ikke har en gruppe (tier)",
        "output_locked": ("kan ikke skrives: filen er åben i et andet program (Excel?) eller "
                          "skrivebeskyttet. Luk den, og kør igen"),
        "far_seeker": "ligger mere end 1000 km fra alle stillinger. Er lat og lon byttet om?",
        "far_role": "ligger mere end 1000 km fra alle jobsøgende. Er lat og lon byttet om?",
        "distance_without_location": ("er angivet uden bopæl (lat, lon), så den begrænser "
                                      "intet"),
    },
}
"""The rules of :mod:`matcher.io` and :mod:`matcher.policy` by code, in Norwegian and Danish.
``{name}`` fields are the problem's ``params``; those that name columns or values are quoted
here."""

#: params that are a column name or a value the user wrote, quoted in the text
_QUOTED = frozenset({"other", "field", "written", "sheet", "role", "file", "example"})
#: params that are lists of column names or values, quoted one by one
_QUOTED_LISTS = frozenset({"names", "columns", "sheets", "allowed", "parts"})
#: the lists of what one may write (joined with "or"), not of what there is ("and")
_CHOICES = frozenset({("missing_column", "names"), ("choice", "allowed")})


def localise_problems(problems: Sequence[Problem], lang: str) -> list[Problem]:
    """``problems`` with every rule :data:`RULES` knows written in ``lang``.

    English (or a language without a table) returns them as they are. A problem without a
    known code keeps its rule but is marked with the language, so its place is written in it.
    """
    table = RULES.get(lang)
    if table is None:
        return list(problems)
    return [dataclasses.replace(p, rule=_rule_in(p, table, lang) or p.rule, lang=lang)
            for p in problems]


def _rule_in(p: Problem, table: Mapping[str, str], lang: str) -> str | None:
    """The rule of ``p`` written from ``table``; ``None`` (keep the rule as written) if the
    table lacks its code or its params cannot fill the table's words: a problem is never lost
    to an error while it is being translated."""
    try:
        return _written(p, table, lang)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return None


def _written(p: Problem, table: Mapping[str, str], lang: str) -> str | None:
    code = p.code
    if code == "value":
        column = p.param("column")
        return value_rule(column, lang) if isinstance(column, Column) else None
    if code is None or code not in table:
        return None
    open_, close = quotes(lang)
    fields: dict[str, Any] = {}
    for key, value in p.params:
        if key in _QUOTED:
            fields[key] = f"{open_}{value}{close}"
        elif key in _QUOTED_LISTS:
            quoted = [f"{open_}{v}{close}" for v in value]
            if key == "names" and p.param("more"):
                fields[key] = ", ".join(quoted) + table["more_names"]
            elif key == "columns":  # a list after a colon
                fields[key] = ", ".join(quoted)
            else:  # what one may write: «a», «b» eller «c»; what there is: «a» og «b»
                fields[key] = _listed(quoted, table["or" if (code, key) in _CHOICES else "and"])
        else:
            fields[key] = value
    if code == "near_miss" and fields.get("written") != fields.get("field"):
        fields["known"] = table["near_miss_as"].format(**fields)
    elif code == "near_miss":
        fields["known"] = fields["field"]
    text = table[code].format(**fields)
    if code == "ragged" and p.param("comma"):
        text += table["ragged_comma"]
    if code == "missing_column" and p.param("columns"):
        text += table["unused_columns"].format(**fields)
    if code in ("missing_column", "empty_file") and p.param("sheets"):
        text += table["other_sheets"].format(**fields)
    return text


def _listed(items: Sequence[str], word: str) -> str:
    """``a, b og c`` (``word`` "og"), ``a eller b`` (``word`` "eller"), ``a``."""
    items = list(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}" if len(items) > 1 else "".join(items)


def value_rule(column: Column, lang: str) -> str:
    """What a value of ``column`` must be, in ``lang`` (English: the column's own rule)."""
    table = RULES.get(lang)
    if table is None:
        return column.rule
    if column.kind in ("number", "integer"):
        return table[column.kind].format(range=_range(column, table))
    if column.kind == "boolean":
        return table["boolean"]
    if column.kind == "choice":
        words = [word for lang_, word, _ in column.words if lang_ == lang] or column.allowed
        return table["choice"].format(allowed=_listed(words, table["or"]))
    if column.kind == "languages":
        return table["languages"]
    return table["text"]


def _range(column: Column, table: Mapping[str, str]) -> str:
    lo, hi = column.minimum, column.maximum
    if lo is not None and hi is not None:
        key = "above_to" if column.exclusive_minimum else "between"
    elif lo is not None:
        key = "above" if column.exclusive_minimum else "from"
    elif hi is not None:
        key = "to"
    else:
        return ""
    return table[key].format(lo=_number(lo), hi=_number(hi))


def _number(x: float | None) -> str:
    """A bound as Norwegian and Danish write it (``0,5``); ``None`` where there is none."""
    return "" if x is None else f"{x:g}".replace(".", ",")


def output_message(exc: OutputError, lang: str) -> str:
    """What went wrong writing an output, in ``lang`` where the tables know its code
    (``matches.xlsx: kan ikke skrives: filen er åpen i et annet program ...``)."""
    table = RULES.get(lang, {})
    params = dict(exc.params)
    if exc.code in table and "file" in params:
        return f"{params['file']}: {table[exc.code]}"
    return str(exc)
