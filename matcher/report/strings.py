"""Every word the report shows, one table per language (bokmål, Danish, English), and how
numbers are written in each (:class:`Numbers`).

The keys are the same in every table (a test checks it). ``{name}`` fields are filled with
:meth:`str.format` in Python and by the page's script for the strings it uses itself.
Reasons and warnings come from the run's files and are shown as they were written.
:meth:`matcher.MatchResult.summary` (the table ``matcher match`` prints) uses the same words
as the report's summary.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

from matcher.io.outputs import HEADERS
from matcher.validate import Options, describe_constraints, parameter_error

__all__ = ["HIDDEN", "LANGUAGES", "STRINGS", "Lang", "Numbers", "optimality_text", "pick_language"]

Lang = Literal["nb", "da", "en"]
LANGUAGES: tuple[Lang, ...] = ("nb", "da", "en")
HIDDEN = "\u2013"
"""What a number not known (or hidden) is shown as."""

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "warnings_missing": "The run gave {n} warnings, but its warnings file is not in the "
                            "folder: give it with --warnings FILE.",
        "setting_candidates": "Best roles kept per job-seeker (0: all)",
        "setting_role_candidates": "Best job-seekers kept per role",
        "setting_repair_rounds": "Rounds that put left-out pairs back",
        "setting_repair_gap": "Distance from the best accepted without more rounds",
        "setting_executor": "Where the assignment was computed",
        "setting_dask_scheduler": "Dask scheduler",
        "setting_shard_by": "Split by region (column)",
        "setting_alternatives_by": "Alternatives ranked by",
        "executor_serial": "in this process",
        "executor_processes": "in several processes",
        "executor_dask": "on Dask",
        "alternatives_by_score": "fit",
        "alternatives_by_reduced": "fit minus the role's price",
        "of": "{k} of {n}",
        "not_certified_gap": "Not confirmed: at most {gap} below the best (upper bound {bound})",
        "overrides_cost": "Changes made by hand, cost in fit",
        "overrides_cost_objective": "Changes made by hand, cost with priority counted",
        "ignored_columns": "Columns not used ({file})",
        "band": "Employability",
        "band_intro": "Share of job-seekers who get a proposed place, by estimated "
               "employability (the chance of finding work without help; 75–100 % is "
               "closest to work). A low share among those with the lowest chance can "
               "be a sign that the hardest to place are left behind.",
        "band_plot": "Share matched by employability, with 95% intervals",
        "sort_band": "Employability, lowest first",
        "solver_dense": "exact (dense)",
        "solver_sparse": "exact (network flow)",
        "solver_auto": "automatic",
        "setting_solver": "Method",
        "policy_fit": "best total fit",
        "policy_priority": "priority to those furthest from work",
        "lang_nb": "Norwegian (bokmål)",
        "lang_da": "Danish",
        "lang_en": "English",
        "old_browser": "This browser is too old to show the list. Open the file in "
                       "a current version of Edge, Chrome, Firefox or Safari.",
        "permanent": "Permanent position",
        "setting_hierarchy_decay": "How much related skills count",
        "sort_id": "Id",
        "sort_score_desc": "Fit, highest first",
        "sort_score_asc": "Fit, lowest first",
        "sort_tier": "Tier, furthest from work first",
        "tier_unknown": "Unknown",
        "people": "People",
        "title": "Matching report",
        "subtitle": "Proposed placements from one batch match. The engine advises; "
                    "the caseworker decides.",
        "contents": "Contents",
        "summary": "Summary",
        "inputs": "Files used",
        "file": "File",
        "sha256": "Checksum (SHA-256)",
        "counts": "Counts",
        "seekers_n": "Job-seekers",
        "roles_n": "Roles",
        "slots_n": "Places",
        "matched_n": "Matched",
        "unmatched_n": "Not matched",
        "open_n": "Open places left",
        "allowed_pairs": "Possible pairs (fit good enough)",
        "feasible_pairs": "Pairs within every requirement",
        "warnings_n": "Warnings",
        "result": "Result",
        "total_score": "Total fit",
        "solver": "Method",
        "optimality": "Best possible assignment",
        "certified": "Yes, checked",
        "not_certified": "Not confirmed: check the warnings",
        "settings": "Settings",
        "taxonomy": "Occupation and skill catalogue",
        "version": "matcher version",
        "time": "Computing time",
        "seconds": "{s} s",
        "audit": "Who gets a place",
        "audit_intro": "Share of job-seekers who get a proposed place, by tier (the first "
                       "row is closest to work). A low share in the tiers furthest from work "
                       "can be a sign that the hardest to place are left behind.",
        "tier": "Tier",
        "rate": "Share matched",
        "interval": "95% interval",
        "mean_score": "Average fit of those matched",
        "all_tiers": "All",
        "suppressed_note": "\u2013 = hidden because fewer than {n} people are in a cell.",
        "no_tiers": "Tiers are not known for this run. Give the job-seeker file with a "
                    "'tier' or 'employability' column (--seekers FILE) to see who gets a "
                    "place by tier.",
        "rate_plot": "Share matched by tier, with 95% intervals",
        "score_plot": "Fit of the proposed placements",
        "score_axis": "Fit (0\u20131)",
        "count_axis": "Number of placements",
        "matches": "Proposed placements",
        "matches_intro": "Every job-seeker in the run. Click \u00ab{alternatives}\u00bb to see "
                         "the other roles that fit.",
        "seeker": "Job-seeker",
        "role": "Role",
        "enterprise": "Employer",
        "score": "Fit",
        "reason": "Reason",
        "status": "Proposal",
        "alternatives": "Alternatives",
        "no_alternatives": "No other role fits well enough.",
        "rank": "No.",
        "skill_fit": "Skills",
        "transfer_fit": "Experience",
        "wish_fit": "Wishes",
        "assigned": "Proposed",
        "unmatched": "Not matched",
        "search": "Search",
        "search_placeholder": "Id, role or employer",
        "show": "Show",
        "show_all": "All",
        "show_matched": "Matched",
        "show_unmatched": "Not matched",
        "sort": "Sort by",
        "showing": "Showing {from}\u2013{to} of {n}",
        "none_found": "Nothing matches the search.",
        "previous": "Previous",
        "next": "Next",
        "page": "Page {page} of {pages}",
        "open_places": "Open places",
        "open_intro": "Roles with places that no one in this run was proposed for.",
        "open": "Open",
        "places": "Places",
        "no_open": "Every place has a proposed job-seeker.",
        "open_unknown": "{n} places are still open. Give the roles file (--roles FILE) to "
                        "see which roles they belong to.",
        "warnings": "Warnings",
        "warnings_intro": "Terms the engine could not read with certainty. Check them in the "
                          "source files.",
        "row": "Line",
        "column": "Column",
        "problem": "Problem",
        "value": "Value",
        "no_warnings": "No warnings.",
        "overrides": "Changes made by the caseworker",
        "overrides_intro": "Placements locked or ruled out by hand, and what each cost in "
                           "total fit compared with the best assignment without them.",
        "kind": "Change",
        "lock": "Locked",
        "forbid": "Ruled out",
        "cost": "Cost in fit",
        "cost_objective": "Cost with priority counted",
        "overrides_file": "Changes made by hand",
        "ruled_out": "no, ruled out by hand",
        "locked_yes": "yes, locked by hand",
        "overrides_total": "All changes together",
        "overrides_priority": "With priority the assignment also weighs how far from work "
                              "people stand, so a change can raise the total fit (a negative "
                              "cost) and still cost those furthest from work.",
        "objective_total": "Total fit plus priority",
        "history": "History",
        "history_cell": "matched {m} of {n} runs",
        "history_streak": "not matched {k} times in a row",
        "parking": "Left without a place run after run",
        "parking_intro": "Job-seekers not matched in at least {k} runs in a row, by tier.",
        "parked": "Not matched {k}+ times in a row",
        "curve": "What giving priority costs",
        "curve_intro": "Each point is one priority weight. Moving right costs total fit; the "
                       "lines show the share matched in each tier.",
        "fit_lost": "Total fit given up",
        "weight": "Priority weight",
        "yes": "yes",
        "no": "no",
        "none": "none",
        "built_in": "built in",
        "setting_min_score": "Lowest fit proposed",
        "setting_top_k": "Alternatives per job-seeker",
        "setting_default_max_distance_km": "Travel limit when none is given (km)",
        "setting_strict": "Unknown terms stop the run",
        "setting_seed": "Seed",
        "setting_weights": "Weights",
        "setting_policy": "Policy",
        "setting_priority_weight": "Priority weight",
        "setting_protect_parked": "Protect those left out (runs)",
        "setting_lang": "Language of the reasons",
        "noscript": "Turn on JavaScript to search and page through the job-seekers.",
        "footer": "Made by matcher {version}. This file makes no network requests and can be "
                  "archived as it is.",
    },
    "nb": {
        "warnings_missing": "Kjøringen ga {n} varsler, men varselfilen ligger ikke i mappen. "
                            "Oppgi den med --warnings FIL.",
        "setting_candidates": "Beste stillinger tatt med per arbeidssøker (0: alle)",
        "setting_role_candidates": "Beste arbeidssøkere tatt med per stilling",
        "setting_repair_rounds": "Runder som legger utelatte par tilbake",
        "setting_repair_gap": "Avstand til det beste som godtas uten flere runder",
        "setting_executor": "Hvor fordelingen ble beregnet",
        "setting_dask_scheduler": "Dask-planlegger",
        "setting_shard_by": "Delt opp etter region (kolonne)",
        "setting_alternatives_by": "Alternativer sortert etter",
        "executor_serial": "i denne prosessen",
        "executor_processes": "i flere prosesser",
        "executor_dask": "på Dask",
        "alternatives_by_score": "samsvar",
        "alternatives_by_reduced": "samsvar minus stillingens pris",
        "of": "{k} av {n}",
        "not_certified_gap": "Ikke bekreftet: høyst {gap} under det beste (øvre grense {bound})",
        "overrides_cost": "Endringer gjort for hånd, kostnad i samsvar",
        "overrides_cost_objective": "Endringer gjort for hånd, kostnad når prioriteringen "
                                    "regnes med",
        "ignored_columns": "Kolonner som ikke ble brukt ({file})",
        "band": "Jobbsannsynlighet",
        "band_intro": "Andelen arbeidssøkere som får forslag om plass, etter anslått "
               "jobbsannsynlighet (sjansen for å komme i jobb uten hjelp; 75–100 % er "
               "nærmest arbeidslivet). Lav andel blant dem med lavest sjanse kan være "
               "et tegn på at de som trenger mest hjelp, blir stående igjen.",
        "band_plot": "Andel matchet etter jobbsannsynlighet, med 95 % konfidensintervall",
        "sort_band": "Jobbsannsynlighet, lavest først",
        "solver_dense": "eksakt (tett matrise)",
        "solver_sparse": "eksakt (nettverksflyt)",
        "solver_auto": "automatisk",
        "setting_solver": "Beregningsmetode",
        "policy_fit": "best mulig samlet samsvar",
        "policy_priority": "prioritet til dem som står lengst fra arbeidslivet",
        "lang_nb": "norsk (bokmål)",
        "lang_da": "dansk",
        "lang_en": "engelsk",
        "old_browser": "Nettleseren er for gammel til å vise listen. Åpne filen i "
                       "en nyere versjon av Edge, Chrome, Firefox eller Safari.",
        "setting_hierarchy_decay": "Hvor mye beslektede ferdigheter teller",
        "sort_id": "Id",
        "sort_score_desc": "Samsvar, høyest først",
        "sort_score_asc": "Samsvar, lavest først",
        "sort_tier": "Innsatsgruppe, lengst fra arbeidslivet først",
        "tier_unknown": "Ukjent",
        "people": "Personer",
        "title": "Rapport fra matching",
        "subtitle": "Forslag til formidling fra én kjøring. Verktøyet gir forslag; "
                    "veilederen bestemmer.",
        "contents": "Innhold",
        "summary": "Sammendrag",
        "inputs": "Filene som ble brukt",
        "file": "Fil",
        "sha256": "Kontrollsum (SHA-256)",
        "counts": "Antall",
        "seekers_n": "Arbeidssøkere",
        "roles_n": "Stillinger",
        "slots_n": "Plasser",
        "matched_n": "Matchet",
        "unmatched_n": "Ikke matchet",
        "open_n": "Ledige plasser igjen",
        "allowed_pairs": "Mulige par (godt nok samsvar)",
        "feasible_pairs": "Par som oppfyller alle krav",
        "warnings_n": "Varsler",
        "result": "Resultat",
        "total_score": "Samlet samsvar",
        "solver": "Beregningsmetode",
        "optimality": "Beste mulige fordeling",
        "certified": "Ja, kontrollert",
        "not_certified": "Ikke bekreftet: se varslene",
        "settings": "Innstillinger",
        "taxonomy": "Katalog over yrker og ferdigheter",
        "version": "matcher-versjon",
        "time": "Beregningstid",
        "seconds": "{s} s",
        "audit": "Hvem får plass",
        "audit_intro": "Andelen arbeidssøkere som får forslag om plass, etter innsatsgruppe "
                       "(den øverste står nærmest arbeidslivet). Lav andel i gruppene lengst fra "
                       "arbeidslivet kan være et tegn på at de som trenger mest hjelp, blir "
                       "stående igjen.",
        "tier": "Innsatsgruppe",
        "rate": "Andel matchet",
        "interval": "95 % konfidensintervall",
        "mean_score": "Gjennomsnittlig samsvar for dem som fikk plass",
        "all_tiers": "Alle",
        "suppressed_note": "\u2013 = skjult fordi det er færre enn {n} personer i en celle.",
        "no_tiers": "Innsatsgruppe er ikke kjent for denne kjøringen. Oppgi filen med "
                    "arbeidssøkere med kolonnen «tier» eller «employability» (--seekers FIL) "
                    "for å se hvem som får plass i hver gruppe.",
        "rate_plot": "Andel matchet etter innsatsgruppe, med 95 % konfidensintervall",
        "score_plot": "Samsvar for de foreslåtte plasseringene",
        "score_axis": "Samsvar (0\u20131)",
        "count_axis": "Antall plasseringer",
        "matches": "Forslag til formidling",
        "matches_intro": "Alle arbeidssøkerne i kjøringen. Trykk på «{alternatives}» for å se "
                         "andre stillinger som passer.",
        "enterprise": "Virksomhet",
        "status": "Forslag",
        "alternatives": "Alternativer",
        "no_alternatives": "Ingen andre stillinger passer godt nok.",
        "unmatched": "Ikke matchet",
        "search": "Søk",
        "search_placeholder": "Id, stilling eller virksomhet",
        "show": "Vis",
        "show_all": "Alle",
        "show_matched": "Matchet",
        "show_unmatched": "Ikke matchet",
        "sort": "Sorter etter",
        "showing": "Viser {from}\u2013{to} av {n}",
        "none_found": "Ingen treff.",
        "previous": "Forrige",
        "next": "Neste",
        "page": "Side {page} av {pages}",
        "open_places": "Ledige plasser",
        "open_intro": "Stillinger med plasser som ingen i denne kjøringen ble foreslått til.",
        "open": "Ledige",
        "places": "Plasser",
        "no_open": "Alle plassene har en foreslått arbeidssøker.",
        "open_unknown": "{n} plasser er fortsatt ledige. Oppgi filen med stillinger "
                        "(--roles FIL) for å se hvilke stillinger det gjelder.",
        "warnings": "Varsler",
        "warnings_intro": "Ord som verktøyet ikke kunne tolke sikkert. Sjekk dem i filene.",
        "no_warnings": "Ingen varsler.",
        "overrides": "Endringer gjort av veileder",
        "overrides_intro": "Plasseringer som er låst eller utelukket for hånd, og hva hver av "
                           "dem kostet i samlet samsvar sammenlignet med beste fordeling uten "
                           "dem.",
        "kind": "Endring",
        "lock": "Låst",
        "forbid": "Utelukket",
        "cost": "Kostnad i samsvar",
        "cost_objective": "Kostnad når prioriteringen regnes med",
        "overrides_file": "Endringer gjort for hånd",
        "ruled_out": "nei, utelukket av veileder",
        "locked_yes": "ja, låst av veileder",
        "overrides_total": "Alle endringene samlet",
        "overrides_priority": "Med prioritering tar fordelingen også hensyn til hvor langt fra "
                              "arbeidslivet folk står. En endring kan derfor øke det samlede "
                              "samsvaret (negativ kostnad) og likevel gå ut over dem som står "
                              "lengst fra arbeidslivet.",
        "objective_total": "Samlet samsvar pluss prioritering",
        "history": "Historikk",
        "history_cell": "matchet i {m} av {n} kjøringer",
        "history_streak": "ikke matchet {k} ganger på rad",
        "parking": "Står uten plass gang etter gang",
        "parking_intro": "Arbeidssøkere som ikke er matchet i minst {k} kjøringer på rad, "
                         "etter innsatsgruppe.",
        "parked": "Ikke matchet {k} ganger på rad eller mer",
        "curve": "Hva prioritering koster",
        "curve_intro": "Hvert punkt er én prioriteringsvekt. Jo lenger til høyre, jo mer "
                       "samlet samsvar gis opp; linjene viser andelen matchet i hver "
                       "innsatsgruppe.",
        "fit_lost": "Samlet samsvar som gis opp",
        "weight": "Prioriteringsvekt",
        "yes": "ja",
        "no": "nei",
        "none": "ingen",
        "built_in": "innebygd",
        "setting_min_score": "Laveste samsvar som foreslås",
        "setting_top_k": "Alternativer per arbeidssøker",
        "setting_default_max_distance_km": "Reiseavstand når ingen er oppgitt (km)",
        "setting_strict": "Ukjente ord stopper kjøringen",
        "setting_seed": "Seed",
        "setting_weights": "Vekter",
        "setting_policy": "Prioritering",
        "setting_priority_weight": "Prioriteringsvekt",
        "setting_protect_parked": "Beskytt dem som har stått uten plass (kjøringer)",
        "setting_lang": "Språk i begrunnelsene",
        "noscript": "Slå på JavaScript for å søke og bla i listen over arbeidssøkere.",
        "footer": "Laget med matcher {version}. Filen henter ingenting fra nettet og kan "
                  "arkiveres som den er.",
    },
    "da": {
        "warnings_missing": "Kørslen gav {n} advarsler, men advarselsfilen ligger ikke i "
                            "mappen. Angiv den med --warnings FIL.",
        "setting_candidates": "Bedste stillinger medtaget pr. jobsøger (0: alle)",
        "setting_role_candidates": "Bedste jobsøgere medtaget pr. stilling",
        "setting_repair_rounds": "Runder, der lægger udeladte par tilbage",
        "setting_repair_gap": "Afstand til det bedste, der accepteres uden flere runder",
        "setting_executor": "Hvor fordelingen blev beregnet",
        "setting_dask_scheduler": "Dask-scheduler",
        "setting_shard_by": "Delt op efter region (kolonne)",
        "setting_alternatives_by": "Alternativer sorteret efter",
        "executor_serial": "i denne proces",
        "executor_processes": "i flere processer",
        "executor_dask": "på Dask",
        "alternatives_by_score": "matchscore",
        "alternatives_by_reduced": "matchscore minus stillingens pris",
        "of": "{k} af {n}",
        "not_certified_gap": "Ikke bekræftet: højst {gap} under det bedste (øvre grænse {bound})",
        "overrides_cost": "Ændringer foretaget manuelt, pris i matchscore",
        "overrides_cost_objective": "Ændringer foretaget manuelt, pris når prioriteringen regnes "
                                    "med",
        "ignored_columns": "Kolonner, der ikke blev brugt ({file})",
        "band": "Jobsandsynlighed",
        "band_intro": "Andelen af jobsøgere, der får forslag om en plads, fordelt på anslået "
               "jobsandsynlighed (chancen for at komme i job uden hjælp; 75–100 % er "
               "tættest på arbejdsmarkedet). En lav andel blandt dem med den laveste "
               "chance kan være et tegn på, at dem, der har mest brug for hjælp, "
               "bliver ladt tilbage.",
        "band_plot": "Andel matchet fordelt på jobsandsynlighed, med 95 %-konfidensinterval",
        "sort_band": "Jobsandsynlighed, laveste først",
        "solver_dense": "eksakt (tæt matrix)",
        "solver_sparse": "eksakt (netværksflow)",
        "solver_auto": "automatisk",
        "setting_solver": "Beregningsmetode",
        "policy_fit": "bedst mulige samlede matchscore",
        "policy_priority": "prioritet til dem, der står længst fra arbejdsmarkedet",
        "lang_nb": "norsk (bokmål)",
        "lang_da": "dansk",
        "lang_en": "engelsk",
        "old_browser": "Browseren er for gammel til at vise listen. Åbn filen i en "
                       "nyere version af Edge, Chrome, Firefox eller Safari.",
        "setting_hierarchy_decay": "Hvor meget beslægtede kompetencer tæller",
        "sort_id": "Id",
        "sort_score_desc": "Matchscore, højeste først",
        "sort_score_asc": "Matchscore, laveste først",
        "sort_tier": "Gruppe, længst fra arbejdsmarkedet først",
        "tier_unknown": "Ukendt",
        "people": "Personer",
        "title": "Rapport fra matchningen",
        "subtitle": "Forslag til formidling fra én kørsel. Værktøjet giver forslag; "
                    "sagsbehandleren beslutter.",
        "contents": "Indhold",
        "summary": "Overblik",
        "inputs": "Filer der blev brugt",
        "file": "Fil",
        "sha256": "Kontrolsum (SHA-256)",
        "counts": "Antal",
        "seekers_n": "Jobsøgere",
        "roles_n": "Stillinger",
        "slots_n": "Pladser",
        "matched_n": "Matchet",
        "unmatched_n": "Ikke matchet",
        "open_n": "Ledige pladser tilbage",
        "allowed_pairs": "Mulige par (godt nok match)",
        "feasible_pairs": "Par der opfylder alle krav",
        "warnings_n": "Advarsler",
        "result": "Resultat",
        "total_score": "Samlet matchscore",
        "solver": "Beregningsmetode",
        "optimality": "Bedst mulige fordeling",
        "certified": "Ja, kontrolleret",
        "not_certified": "Ikke bekræftet: se advarslerne",
        "settings": "Indstillinger",
        "taxonomy": "Katalog over stillinger og kompetencer",
        "version": "matcher-version",
        "time": "Beregningstid",
        "seconds": "{s} s",
        "audit": "Hvem får en plads",
        "audit_intro": "Andelen af jobsøgere, der får forslag om en plads, fordelt på gruppe "
                       "(den øverste er tættest på arbejdsmarkedet). En lav andel i grupperne "
                       "længst fra arbejdsmarkedet kan være et tegn på, at dem, der har mest "
                       "brug for hjælp, bliver ladt tilbage.",
        "tier": "Gruppe",
        "rate": "Andel matchet",
        "interval": "95 %-konfidensinterval",
        "mean_score": "Gennemsnitlig matchscore for dem, der fik en plads",
        "all_tiers": "Alle",
        "suppressed_note": "\u2013 = skjult, fordi der er færre end {n} personer i en celle.",
        "no_tiers": "Gruppen er ikke kendt for denne kørsel. Angiv filen med jobsøgere med "
                    "kolonnen »tier« eller »employability« (--seekers FIL) for at se, hvem der "
                    "får en plads i hver gruppe.",
        "rate_plot": "Andel matchet fordelt på gruppe, med 95 %-konfidensinterval",
        "score_plot": "Matchscore for de foreslåede placeringer",
        "score_axis": "Matchscore (0\u20131)",
        "count_axis": "Antal placeringer",
        "matches": "Forslag til formidling",
        "matches_intro": "Alle jobsøgere i kørslen. Tryk på »{alternatives}« for at se andre "
                         "stillinger, der passer.",
        "enterprise": "Virksomhed",
        "status": "Forslag",
        "alternatives": "Alternativer",
        "no_alternatives": "Ingen andre stillinger passer godt nok.",
        "unmatched": "Ikke matchet",
        "search": "Søg",
        "search_placeholder": "Id, stilling eller virksomhed",
        "show": "Vis",
        "show_all": "Alle",
        "show_matched": "Matchet",
        "show_unmatched": "Ikke matchet",
        "sort": "Sortér efter",
        "showing": "Viser {from}\u2013{to} af {n}",
        "none_found": "Ingen resultater.",
        "previous": "Forrige",
        "next": "Næste",
        "page": "Side {page} af {pages}",
        "open_places": "Ledige pladser",
        "open_intro": "Stillinger med pladser, som ingen i denne kørsel blev foreslået til.",
        "open": "Ledige",
        "places": "Pladser",
        "no_open": "Alle pladser har en foreslået jobsøger.",
        "open_unknown": "{n} pladser er stadig ledige. Angiv filen med stillinger "
                        "(--roles FIL) for at se, hvilke stillinger det drejer sig om.",
        "warnings": "Advarsler",
        "warnings_intro": "Ord, som værktøjet ikke kunne tolke sikkert. Tjek dem i filerne.",
        "no_warnings": "Ingen advarsler.",
        "overrides": "Ændringer foretaget af sagsbehandleren",
        "overrides_intro": "Placeringer, der er låst eller udelukket manuelt, og hvad hver af "
                           "dem kostede i samlet matchscore sammenlignet med den bedste "
                           "fordeling uden dem.",
        "kind": "Ændring",
        "lock": "Låst",
        "forbid": "Udelukket",
        "cost": "Pris i matchscore",
        "cost_objective": "Pris når prioriteringen regnes med",
        "overrides_file": "Ændringer foretaget manuelt",
        "ruled_out": "nej, udelukket af sagsbehandleren",
        "locked_yes": "ja, låst af sagsbehandleren",
        "overrides_total": "Alle ændringer samlet",
        "overrides_priority": "Med prioritering tager fordelingen også hensyn til, hvor langt "
                              "fra arbejdsmarkedet folk står. En ændring kan derfor øge den "
                              "samlede matchscore (negativ pris) og alligevel gå ud over dem, der "
                              "står længst fra arbejdsmarkedet.",
        "objective_total": "Samlet matchscore plus prioritering",
        "history": "Historik",
        "history_cell": "matchet i {m} af {n} kørsler",
        "history_streak": "ikke matchet {k} gange i træk",
        "parking": "Står uden plads gang på gang",
        "parking_intro": "Jobsøgere, der ikke er matchet i mindst {k} kørsler i træk, fordelt "
                         "på gruppe.",
        "parked": "Ikke matchet {k} gange i træk eller mere",
        "curve": "Hvad prioritering koster",
        "curve_intro": "Hvert punkt er én prioriteringsvægt. Jo længere til højre, jo mere "
                       "samlet matchscore opgives; linjerne viser andelen matchet i hver "
                       "gruppe.",
        "fit_lost": "Samlet matchscore, der opgives",
        "weight": "Prioriteringsvægt",
        "yes": "ja",
        "no": "nej",
        "none": "ingen",
        "built_in": "indbygget",
        "setting_min_score": "Laveste matchscore, der foreslås",
        "setting_top_k": "Alternativer pr. jobsøger",
        "setting_default_max_distance_km": "Rejseafstand, når ingen er angivet (km)",
        "setting_strict": "Ukendte ord stopper kørslen",
        "setting_seed": "Seed",
        "setting_weights": "Vægte",
        "setting_policy": "Prioritering",
        "setting_priority_weight": "Prioriteringsvægt",
        "setting_protect_parked": "Beskyt dem, der har stået uden plads (kørsler)",
        "setting_lang": "Sprog i begrundelserne",
        "noscript": "Slå JavaScript til for at søge og bladre i listen over jobsøgere.",
        "footer": "Lavet med matcher {version}. Filen henter intet fra nettet og kan "
                  "arkiveres, som den er.",
    },
}

#: The report names the columns of the run's outputs as a workbook in the language names them
#: (:data:`matcher.io.outputs.HEADERS`), so a caseworker meets one word for each.
_COLUMN_WORDS = {"seeker": "seeker_id", "role": "role_id", "score": "score", "reason": "reason",
                 "rank": "rank", "skill_fit": "skill_fit", "transfer_fit": "transfer_fit",
                 "wish_fit": "wish_fit", "assigned": "assigned", "permanent": "permanent",
                 "row": "line", "column": "column", "problem": "rule", "value": "value"}
for _lang, _headers in HEADERS.items():
    STRINGS[_lang].update({key: _headers[column] for key, column in _COLUMN_WORDS.items()})


def pick_language(lang: str | None, manifest: dict[str, object] | None = None) -> Lang:
    """``lang`` when given; else the run's ``lang`` setting when it is one of ours; else
    English (the language of the reasons before they were translated)."""
    if lang is not None:
        for known in LANGUAGES:
            if lang == known:
                return known
        raise parameter_error("pick_language", "lang", describe_constraints([Options(LANGUAGES)]),
                              lang)
    settings = (manifest or {}).get("settings")
    recorded = settings.get("lang") if isinstance(settings, dict) else None
    return next((known for known in LANGUAGES if recorded == known), "en")


class Numbers:
    """Numbers as the language writes them: ``0,48`` and ``45 %`` in bokmål and Danish."""

    def __init__(self, lang: Lang) -> None:
        self.comma = lang != "en"

    def num(self, x: float | None, digits: int = 2) -> str:
        if x is None or not math.isfinite(x):
            return HIDDEN
        text = f"{x:,.{digits}f}"
        if self.comma:
            text = text.replace(",", "\u00a0").replace(".", ",")
        return text

    def pct(self, x: float | None, digits: int = 0) -> str:
        if x is None or not math.isfinite(x):
            return HIDDEN
        value = f"{100 * x:.{digits}f}"
        return f"{value.replace('.', ',')}\u00a0%" if self.comma else f"{value}%"

    def int(self, x: int | None) -> str:
        if x is None:
            return HIDDEN
        return f"{x:,}".replace(",", "\u00a0" if self.comma else ",")


def optimality_text(optimality: Mapping[str, Any] | None, lang: Lang) -> str:
    """Whether the assignment is the best possible, in ``lang``: confirmed, or at most how far
    below the best it may be (a manifest's ``optimality``)."""
    t, f = STRINGS[lang], Numbers(lang)
    opt = optimality or {}
    if opt.get("certified"):
        return t["certified"]
    if opt.get("gap") is None:
        return t["not_certified"]
    return t["not_certified_gap"].format(gap=f.pct(opt["gap"], 2),
                                         bound=f.num(opt.get("upper_bound"), 4))
