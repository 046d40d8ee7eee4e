"""Every word of a reason, one table per language: English, Norwegian bokmål and Danish.

A translator reads one language end to end here and changes nothing else. A template is a
``str.format`` string, or a pair ``(singular, plural)`` chosen by the count it is given
(``1 stilling`` / ``2 stillinger``). The placeholders are the same in every language; a test
checks that.

English joins the parts of a reason as one sentence after a colon (``Matched to R1 ...: has
...; wishes ...``), as it always has; Norwegian and Danish write short sentences, the way a
caseworker would say it to the person (``Har erfaring som kokk. Fast stilling.``).

What the templates receive:

- ``{role}``: the role as the enterprise wrote it (id, title in quotes, "at" enterprise);
- ``{as_occ}``, ``{as_origin}``, ``{as_target}``: an occupation with its preposition, as
  :meth:`Phrases.as_occupation` writes it ("as cook", "som kokk", "i yrkesgruppen «...»");
- ``{skills}``, ``{names}``, ``{groups}``, ``{needs}``, ``{roles}``, ``{terms}``: lists already
  joined with "and" / "og";
- ``{n}``, ``{k}``, ``{total}``: counts; ``{score}``, ``{min}``, ``{loss}``, ``{gain}``,
  ``{sim}``: numbers
  written with the language's decimal mark; ``{km}``, ``{hours}``: numbers as given.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from matcher.config import REASON_LANGUAGES

__all__ = ["LANGUAGES", "NO_ROLE_KINDS", "TEMPLATES", "WARNINGS", "Phrases", "no_role_kind"]

Template = str | tuple[str, str]

#: the languages reasons are written in (declared once, in the settings)
LANGUAGES = REASON_LANGUAGES

EN: dict[str, Template] = {
    # -- how the parts of a reason are put together --------------------------------------------
    "and": "and",
    "quote": "'{}'",
    "decimal": ".",
    "head_sep": ": ",
    "part_sep": "; ",
    "sentences": "no",
    "more": "{n} more",
    "among": "among them {names}",
    "at": "at",
    "constraints_joined": "; ",
    "as_occupation": "as {name}",
    "as_group": "in the occupation group {name}",
    # -- a match -------------------------------------------------------------------------------
    "matched": "Matched to {role} (score {score})",
    "locked": "Locked by hand to {role} (score {score})",
    "lock_cost": "without the lock the total score would be {loss} higher",
    "lock_gain": "without the lock the total score would be {gain} lower",
    "lock_free": "the lock costs nothing in total score",
    "with_priority": " (score plus priority: {loss})",
    "skills_of": ("the one skill the role requires", "{n} of the role's {total} required skills"),
    "skills_both": "both of the role's required skills",
    "skills_all": "all {total} of the role's required skills",
    "skills_listed": "lists {count} ({names})",
    "skills_from": "has {count} from experience {as_origin} ({names})",
    "skills_mixed": "has {count}: {parts}",
    "part_listed": "{k} listed ({names})",
    "part_from": "{k} from experience {as_origin} ({names})",
    "related": "related skills count toward {groups}",
    "related_from": "related skills count toward {groups} from experience {as_origin}",
    "worked_as": "has worked {as_target}",
    "carries": "experience {as_origin} carries over to {target} (transfer {sim})",
    "carries_skills": "experience {as_origin} carries over to {target} (transfer {sim}: "
                      "{skills})",
    "wish": "wishes to work {as_occ}",
    "wish_related": "wishes to work {as_occ}, a related occupation",
    "trains": "the role trains {skills}",
    "to_learn": "still to learn: {skills}",
    "permanent": "a permanent position",
    "offers": "the role offers {needs}",
    "ask_better": ("{roles} would fit better but does not say whether it offers {needs}: "
                   "ask them",
                   "{roles} would fit better but do not say whether they offer {needs}: ask them"),
    # -- no match ------------------------------------------------------------------------------
    "not_matched": "Not matched",
    "no_roles": "there are no open roles in this batch",
    "lost": ("one role fits, but it went to someone who fits it better or has fewer "
             "alternatives. It is {role} (score {score}), held by {who}",
             "{n} roles fit, but each went to someone who fits it better or has fewer "
             "alternatives. The best is {role} (score {score}), held by {who}"),
    "no_places": "no one (it has no places)",
    "lost_full": ("one role fits, {role} (score {score}), but it has no place free for now",
                  "{n} roles fit, but none has a place free for now; the best is {role} "
                  "(score {score})"),
    "full_too": ("; {roles} fits too but has no place free for now",
                 "; {roles} fit too but have no place free for now"),
    "cost": "; giving this seeker a place there would lower the total score by {loss}",
    "cost_gain": "; giving this seeker a place there would raise the total score by {gain}, "
                 "but someone further from work would lose their place: the total of score and "
                 "priority would fall by {loss}",
    "cost_objective": "; giving this seeker a place there would lower the total of score and "
                      "priority by {loss}",
    "lost_forbidden": ("one role fits, but it was ruled out by hand: {roles}",
                       "{n} roles fit, but each was ruled out by hand: {roles}"),
    "forbidden": ("; {roles} was ruled out by hand", "; {roles} were ruled out by hand"),
    "tie": "; an equally good assignment exists and the tie was broken by id",
    "below": ("one role passes the hard constraints, but it does not reach the minimum score "
              "{min} ({role} scores {score})",
              "{n} roles pass the hard constraints, but none reaches the minimum score {min} "
              "(the best, {role}, scores {score})"),
    "none_pass": ("the only role does not pass the hard constraints: it {why}",
                  "none of the {n} roles passes the hard constraints; {clauses}"),
    "excluded_count": "{n} {why}",
    "distance": ("is more than {km} km away", "are more than {km} km away"),
    "hours": ("asks more than the {hours} hours a week this seeker can work",
              "ask more than the {hours} hours a week this seeker can work"),
    "language": ("shares no language with this seeker", "share no language with this seeker"),
    "needs": ("does not say it offers {needs}", "do not say they offer {needs}"),
    "ask": ("{roles} would fit but does not say whether it offers {needs}: ask them",
            "{roles} would fit but do not say whether they offer {needs}: ask them"),
    "better_excluded": "{role} would fit better (score {score}) but it {why}",
    "excluded_best": " The best-fitting role overall, {role} (score {score}), is excluded: it "
                     "{why}.",
    "empty": "no experience, skills or wishes recorded: add them and run the match again",
    "unrecognised_all": ("{terms} was not recognised, so there is nothing to match on: correct "
                         "it or write it more precisely, and run the match again",
                         "{terms} were not recognised, so there is nothing to match on: correct "
                         "them or write them more precisely, and run the match again"),
    "unrecognised": "Not recognised: {terms}.",
    "term": "{term} ({column})",
    "term_closest": "{term} ({column}; closest: {closest})",
    "experience": "experience",
    "skills": "skills",
    "wishes": "wishes",
}

NB: dict[str, Template] = {
    "and": "og",
    "quote": "«{}»",
    "decimal": ",",
    "head_sep": ". ",
    "part_sep": ". ",
    "sentences": "yes",
    "more": "{n} til",
    "among": "blant annet {names}",
    "at": "hos",
    "constraints_joined": "and",
    "as_occupation": "som {name}",
    "as_group": "i yrkesgruppen {name}",
    "matched": "Foreslått til {role} (skår {score})",
    "locked": "Låst av veileder til {role} (skår {score})",
    "lock_cost": "uten låsen ville den samlede skåren vært {loss} høyere",
    "lock_gain": "uten låsen ville den samlede skåren vært {gain} lavere",
    "lock_free": "låsen koster ingenting i samlet skår",
    "with_priority": " (når prioriteringen regnes med: {loss})",
    "skills_of": ("den ene ferdigheten stillingen krever",
                  "{n} av de {total} ferdighetene stillingen krever"),
    "skills_both": "begge ferdighetene stillingen krever",
    "skills_all": "alle de {total} ferdighetene stillingen krever",
    "skills_listed": "har oppgitt {count} ({names})",
    "skills_from": "har {count}, gjennom erfaring {as_origin} ({names})",
    "skills_mixed": "har {count}: {parts}",
    "part_listed": "{k} oppgitt av personen ({names})",
    "part_from": "{k} gjennom erfaring {as_origin} ({names})",
    "related": "har beslektede ferdigheter innen {groups}",
    "related_from": "erfaringen {as_origin} gir beslektede ferdigheter innen {groups}",
    "worked_as": "har erfaring {as_target}",
    "carries": "erfaringen {as_origin} kommer til nytte {as_target} (likhet {sim})",
    "carries_skills": "erfaringen {as_origin} kommer til nytte {as_target} (likhet {sim}: "
                      "{skills})",
    "wish": "ønsker å jobbe {as_occ}",
    "wish_related": "ønsker å jobbe {as_occ}, et beslektet yrke",
    "trains": "stillingen gir opplæring i {skills}",
    "to_learn": "må fortsatt lære: {skills}",
    "permanent": "fast stilling",
    "offers": "stillingen tilbyr {needs}",
    "ask_better": ("{roles} passer bedre, men har ikke oppgitt om de tilbyr {needs}. Spør dem",
                   "{roles} passer bedre, men har ikke oppgitt om de tilbyr {needs}. Spør dem"),
    "not_matched": "Ingen stilling foreslått",
    "no_roles": "det er ingen ledige stillinger i denne kjøringen",
    "lost": ("Én stilling passer, men plassen gikk til noen som passer bedre eller har færre "
             "andre muligheter. Det er {role} (skår {score}), som går til {who}",
             "{n} stillinger passer, men plassene gikk til noen som passer bedre eller har "
             "færre andre muligheter. Den beste er {role} (skår {score}), som går til {who}"),
    "no_places": "ingen (den har ingen plasser)",
    "lost_full": ("Én stilling passer, {role} (skår {score}), men den har ingen ledige plasser nå",
                  "{n} stillinger passer, men ingen av dem har ledige plasser nå. Den beste er "
                  "{role} (skår {score})"),
    "full_too": (". {roles} passer også, men har ingen ledige plasser nå",
                 ". {roles} passer også, men har ingen ledige plasser nå"),
    "cost": ". Hvis personen fikk en plass der, ville den samlede skåren gå ned med {loss}",
    "cost_gain": ". Hvis personen fikk en plass der, ville den samlede skåren gå opp med {gain}, "
                 "men en som står lenger fra arbeidslivet, ville miste plassen. Summen av skår "
                 "og prioritering ville gå ned med {loss}",
    "cost_objective": ". Hvis personen fikk en plass der, ville summen av skår og prioritering "
                      "gå ned med {loss}",
    "lost_forbidden": ("Én stilling passer, men veilederen har utelukket den: {roles}",
                       "{n} stillinger passer, men veilederen har utelukket alle: {roles}"),
    "forbidden": (". {roles} er utelukket av veileder", ". {roles} er utelukket av veileder"),
    "tie": ". En like god fordeling finnes, og valget ble avgjort etter ID",
    "below": ("Én stilling oppfyller kravene, men skåren er under minstegrensen {min} ({role} "
              "får {score})",
              "{n} stillinger oppfyller kravene, men ingen når minstegrensen {min} (den beste, "
              "{role}, får {score})"),
    "none_pass": ("den eneste stillingen oppfyller ikke kravene: den {why}",
                  "ingen av de {n} stillingene oppfyller kravene: {clauses}"),
    "excluded_count": "{n} {why}",
    "distance": ("ligger mer enn {km} km unna", "ligger mer enn {km} km unna"),
    "hours": ("krever mer enn de {hours} timene i uka personen kan jobbe",
              "krever mer enn de {hours} timene i uka personen kan jobbe"),
    "language": ("har ikke noe språk felles med personen",
                 "har ikke noe språk felles med personen"),
    "needs": ("har ikke oppgitt {needs}", "har ikke oppgitt {needs}"),
    "ask": ("{roles} kunne passet, men har ikke oppgitt om de tilbyr {needs}. Spør dem",
            "{roles} kunne passet, men har ikke oppgitt om de tilbyr {needs}. Spør dem"),
    "better_excluded": "{role} ville passet bedre (skår {score}), men den {why}",
    "excluded_best": " Best passer {role} (skår {score}), men den er utelukket: den {why}.",
    "empty": "ingen erfaring, ferdigheter eller jobbønsker er registrert. Legg dem inn og kjør "
             "på nytt",
    "unrecognised_all": ("{terms} ble ikke gjenkjent, så det er ingenting å vurdere stillingene "
                         "opp mot. Rett det eller skriv det mer presist, og kjør på nytt",
                         "{terms} ble ikke gjenkjent, så det er ingenting å vurdere stillingene "
                         "opp mot. Rett dem eller skriv dem mer presist, og kjør på nytt"),
    "unrecognised": "Ikke gjenkjent: {terms}.",
    "term": "{term} ({column})",
    "term_closest": "{term} ({column}; nærmeste: {closest})",
    "experience": "erfaring",
    "skills": "ferdigheter",
    "wishes": "jobbønsker",
}

DA: dict[str, Template] = {
    "and": "og",
    "quote": "»{}«",
    "decimal": ",",
    "head_sep": ". ",
    "part_sep": ". ",
    "sentences": "yes",
    "more": "{n} mere",
    "among": "blandt andet {names}",
    "at": "hos",
    "constraints_joined": "and",
    "as_occupation": "som {name}",
    "as_group": "i faggruppen {name}",
    "matched": "Foreslået til {role} (score {score})",
    "locked": "Låst af sagsbehandleren til {role} (score {score})",
    "lock_cost": "uden låsen ville den samlede score have været {loss} højere",
    "lock_gain": "uden låsen ville den samlede score have været {gain} lavere",
    "lock_free": "låsen koster intet i samlet score",
    "with_priority": " (når prioriteringen regnes med: {loss})",
    "skills_of": ("den ene færdighed stillingen kræver",
                  "{n} af de {total} færdigheder stillingen kræver"),
    "skills_both": "begge de færdigheder stillingen kræver",
    "skills_all": "alle de {total} færdigheder stillingen kræver",
    "skills_listed": "har selv angivet {count} ({names})",
    "skills_from": "har {count} gennem erfaring {as_origin} ({names})",
    "skills_mixed": "har {count}: {parts}",
    "part_listed": "{k} angivet af personen ({names})",
    "part_from": "{k} gennem erfaring {as_origin} ({names})",
    "related": "har beslægtede færdigheder inden for {groups}",
    "related_from": "erfaringen {as_origin} giver beslægtede færdigheder inden for {groups}",
    "worked_as": "har erfaring {as_target}",
    "carries": "erfaringen {as_origin} kommer til gavn {as_target} (lighed {sim})",
    "carries_skills": "erfaringen {as_origin} kommer til gavn {as_target} (lighed {sim}: "
                      "{skills})",
    "wish": "ønsker at arbejde {as_occ}",
    "wish_related": "ønsker at arbejde {as_occ}, et beslægtet fag",
    "trains": "stillingen giver oplæring i {skills}",
    "to_learn": "skal stadig lære: {skills}",
    "permanent": "fast stilling",
    "offers": "stillingen tilbyder {needs}",
    "ask_better": ("{roles} passer bedre, men har ikke oplyst, om de tilbyder {needs}. Spørg dem",
                   "{roles} passer bedre, men har ikke oplyst, om de tilbyder {needs}. Spørg dem"),
    "not_matched": "Ingen stilling foreslået",
    "no_roles": "der er ingen ledige stillinger i denne kørsel",
    "lost": ("Én stilling passer, men pladsen gik til en, der passer bedre eller har færre "
             "andre muligheder. Det er {role} (score {score}), som går til {who}",
             "{n} stillinger passer, men pladserne gik til nogen, der passer bedre eller har "
             "færre andre muligheder. Den bedste er {role} (score {score}), som går til {who}"),
    "no_places": "ingen (den har ingen pladser)",
    "lost_full": ("Én stilling passer, {role} (score {score}), men den har ingen ledige pladser "
                  "lige nu",
                  "{n} stillinger passer, men ingen af dem har ledige pladser lige nu. Den "
                  "bedste er {role} (score {score})"),
    "full_too": (". {roles} passer også, men har ingen ledige pladser lige nu",
                 ". {roles} passer også, men har ingen ledige pladser lige nu"),
    "cost": ". Hvis personen fik en plads der, ville den samlede score falde med {loss}",
    "cost_gain": ". Hvis personen fik en plads der, ville den samlede score stige med {gain}, "
                 "men en, der står længere fra arbejdsmarkedet, ville miste sin plads. Summen "
                 "af score og prioritering ville falde med {loss}",
    "cost_objective": ". Hvis personen fik en plads der, ville summen af score og prioritering "
                      "falde med {loss}",
    "lost_forbidden": ("Én stilling passer, men sagsbehandleren har udelukket den: {roles}",
                       "{n} stillinger passer, men sagsbehandleren har udelukket dem alle: "
                       "{roles}"),
    "forbidden": (". {roles} er udelukket af sagsbehandleren",
                  ". {roles} er udelukket af sagsbehandleren"),
    "tie": ". Der findes en lige så god fordeling, og valget blev afgjort efter ID",
    "below": ("Én stilling opfylder kravene, men scoren er under minimum {min} ({role} får "
              "{score})",
              "{n} stillinger opfylder kravene, men ingen når op på minimum {min} (den "
              "bedste, {role}, får {score})"),
    "none_pass": ("den eneste stilling opfylder ikke kravene: den {why}",
                  "ingen af de {n} stillinger opfylder kravene: {clauses}"),
    "excluded_count": "{n} {why}",
    "distance": ("ligger mere end {km} km væk", "ligger mere end {km} km væk"),
    "hours": ("kræver mere end de {hours} timer om ugen personen kan arbejde",
              "kræver mere end de {hours} timer om ugen personen kan arbejde"),
    "language": ("har intet sprog til fælles med personen",
                 "har intet sprog til fælles med personen"),
    "needs": ("har ikke oplyst {needs}", "har ikke oplyst {needs}"),
    "ask": ("{roles} kunne passe, men har ikke oplyst, om de tilbyder {needs}. Spørg dem",
            "{roles} kunne passe, men har ikke oplyst, om de tilbyder {needs}. Spørg dem"),
    "better_excluded": "{role} ville passe bedre (score {score}), men den {why}",
    "excluded_best": " Bedst passer {role} (score {score}), men den er udelukket: den {why}.",
    "empty": "ingen erfaring, færdigheder eller jobønsker er registreret. Tilføj dem, og kør "
             "igen",
    "unrecognised_all": ("{terms} blev ikke genkendt, så der er intet at vurdere stillingerne "
                         "ud fra. Ret det, eller skriv det mere præcist, og kør igen",
                         "{terms} blev ikke genkendt, så der er intet at vurdere stillingerne "
                         "ud fra. Ret dem, eller skriv dem mere præcist, og kør igen"),
    "unrecognised": "Ikke genkendt: {terms}.",
    "term": "{term} ({column})",
    "term_closest": "{term} ({column}; nærmeste: {closest})",
    "experience": "erfaring",
    "skills": "færdigheder",
    "wishes": "jobønsker",
}

#: language -> its table
TEMPLATES: dict[str, dict[str, Template]] = {"en": EN, "nb": NB, "da": DA}

#: Warnings written again in the caseworker's language, by :class:`~matcher.errors.Problem`
#: code (English warnings are written where they arise). ``{what}`` is ``what_occupation`` or
#: ``what_skill``; ``{closest}``, ``{others}``: names already quoted and joined; ``{code}``:
#: ``code_hint`` for an occupation, else empty. The value the person wrote is put before the
#: place: «sjåfør» i seekers.xlsx linje 4, kolonne «Erfaring»: ...
WARNINGS: dict[str, dict[str, str]] = {
    "nb": {
        "what_occupation": "yrket",
        "what_skill": "ferdigheten",
        "code_hint": " eller en STYRK-kode",
        "term_missed": "{what} ble ikke gjenkjent",
        "closest": " (nærmeste: {closest})",
        "term_guess": ("{what} ble ikke sikkert gjenkjent, bare gjettet ut fra skrivemåten "
                       "(nærmeste: {closest}). Skriv et av forslagene{code} for å bruke det"),
        "term_ambiguous": ("kan bety flere ting; valgte {taken} (også mulig: {others}). Skriv en "
                           "mer presis betegnelse for å velge"),
        "term_spelling": ("tolket ut fra skrivemåten som {taken} (sikkerhet {confidence}). Sjekk "
                          "at det stemmer"),
        "adaptation_unknown": ("ukjent tilrettelegging, tatt med slik den er skrevet (nærmeste "
                               "kjente: {closest})"),
    },
    "da": {
        "what_occupation": "stillingsbetegnelsen",
        "what_skill": "færdigheden",
        "code_hint": " eller en DISCO-kode",
        "term_missed": "{what} blev ikke genkendt",
        "closest": " (nærmeste: {closest})",
        "term_guess": ("{what} blev ikke sikkert genkendt, kun gættet ud fra stavningen "
                       "(nærmeste: {closest}). Skriv et af forslagene{code} for at bruge det"),
        "term_ambiguous": ("kan betyde flere ting; valgte {taken} (også muligt: {others}). Skriv "
                           "en mere præcis betegnelse for at vælge"),
        "term_spelling": ("tolket ud fra stavningen som {taken} (sikkerhed {confidence}). Tjek, "
                          "at det passer"),
        "adaptation_unknown": ("ukendt tilpasning, taget med som skrevet (nærmeste kendte: "
                               "{closest})"),
    },
}


NO_ROLE_KINDS = ("no_roles", "none_pass", "below", "empty", "unrecognised_all")
"""The clauses that say why a seeker who is not matched had no role to be matched to: no open
roles, none passing the hard constraints, none reaching the minimum score, nothing in the profile
to go on. :func:`no_role_kind` finds which a reason gives, in the first of them it names."""


def _forms(template: Template) -> tuple[str, ...]:
    return (template,) if isinstance(template, str) else template


def _template_pattern(template: str) -> str:
    """A template as a regular expression: its words as written, each ``{field}`` any text."""
    return ".+?".join(re.escape(part) for part in re.split(r"\{[^{}]*\}", template))


_NO_ROLE_PATTERNS = [
    (kind, re.compile(_template_pattern(form), re.IGNORECASE | re.DOTALL))
    for kind in NO_ROLE_KINDS
    for table in TEMPLATES.values()
    for form in _forms(table[kind])
]


def no_role_kind(reason: str | None) -> str | None:
    """Which of :data:`NO_ROLE_KINDS` an unmatched seeker's reason gives, in any language;
    ``None`` when it gives none of them (the seeker had roles, and lost them to others).

    The audit counts seekers left with no role by this, so it must not depend on the language
    the reasons were written in.

    >>> no_role_kind("Ingen stilling foreslått. Ingen av de 3 stillingene oppfyller kravene: "
    ...              "2 ligger mer enn 50 km unna og 1 krever mer enn de 20 timene i uka "
    ...              "personen kan jobbe.")
    'none_pass'
    >>> no_role_kind("Not matched: one role passes the hard constraints, but it does not reach "
    ...              "the minimum score 0.25 (R1 scores 0.10).")
    'below'
    """
    if not reason:
        return None
    found = [(m.start(), NO_ROLE_KINDS.index(kind)) for kind, pattern in _NO_ROLE_PATTERNS
             if (m := pattern.search(reason))]
    return NO_ROLE_KINDS[min(found)[1]] if found else None


def _sentence(text: str) -> str:
    """Upper-case the first letter only (``str.capitalize`` would lower the rest)."""
    return text[:1].upper() + text[1:]


class Phrases:
    """Writes the pieces of a reason in one language.

    >>> nb = Phrases("nb")
    >>> nb.count("none_pass", 1, why="ligger mer enn 30 km unna")
    'den eneste stillingen oppfyller ikke kravene: den ligger mer enn 30 km unna'
    >>> nb.join(["a", "b", "c"]), nb.number(0.5), nb.quote("Syerske")
    ('a, b og c', '0,50', '«Syerske»')
    """

    def __init__(self, lang: str) -> None:
        if lang not in TEMPLATES:
            raise ValueError(f"no reason templates for language {lang!r}")
        self.lang = lang
        self._table = TEMPLATES[lang]

    def __call__(self, key: str, **values: object) -> str:
        template = self._table[key]
        if isinstance(template, tuple):
            raise TypeError(f"template {key!r} has a plural form: use Phrases.count")
        return template.format(**values)

    def count(self, key: str, n: int, **values: object) -> str:
        """The singular or plural form of ``key`` for ``n``, with ``{n}`` filled in."""
        template = self._table[key]
        if isinstance(template, tuple):
            template = template[0] if n == 1 else template[1]
        return template.format(n=n, **values)

    def join(self, items: Sequence[str]) -> str:
        """``a, b and c`` / ``a, b og c``."""
        items = list(items)
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + f" {self('and')} " + items[-1]

    def join_some(self, items: Sequence[str], shown: int) -> str:
        """The first ``shown`` items and how many more: ``a, b, c and 2 more``."""
        items = list(items)
        if len(items) <= shown:
            return self.join(items)
        return self.join([*items[:shown], self.count("more", len(items) - shown)])

    def join_constraints(self, clauses: Sequence[str]) -> str:
        """The counts of roles each constraint excluded, as one list."""
        sep = str(self._table["constraints_joined"])
        return self.join(clauses) if sep == "and" else sep.join(clauses)

    def quote(self, text: str) -> str:
        return str(self._table["quote"]).format(text)

    def number(self, x: float) -> str:
        """Two decimals with the language's decimal mark."""
        return f"{x:.2f}".replace(".", str(self._table["decimal"]))

    def plain(self, x: float) -> str:
        """A number as given (``37.5`` / ``37,5``), no trailing zeros."""
        return f"{x:g}".replace(".", str(self._table["decimal"]))

    def sentence(self, text: str) -> str:
        """``text`` as a sentence of its own: capital first letter, full stop."""
        return _sentence(text) + "."

    def reason(self, head: str, parts: Sequence[str]) -> str:
        """A head and its parts: one sentence with a colon (English) or short sentences."""
        parts = [p for p in parts if p]
        if self._table["sentences"] == "yes":
            return ". ".join(_sentence(p) for p in [head, *parts]) + "."
        return head + (self("head_sep") + self("part_sep").join(parts) if parts else "") + "."
