"""The demo world: two real regions with their real trusts and hospitals, and fictional people.

Helse Midt-Norge's 33 networks follow the 2025 annual report (shared/seeds/000_…); Helse Nord's
ICU leaders' network follows its mandate (shared/seeds/004_…). Every person is invented.
"""

import datetime

DEMO_PASSWORD = "demo"  # noqa: S105 — demo logins only; printed by `make run`

# (name, short name, population served, [(hospital, municipality)])
HMN_TRUSTS = [
    (
        "St. Olavs hospital HF",
        "St. Olavs",
        338_000,
        [("St. Olavs hospital", "Trondheim"), ("Orkdal sjukehus", "Orkland"), ("Røros sykehus", "Røros")],
    ),
    (
        "Helse Møre og Romsdal HF",
        "HMR",
        268_000,
        [
            ("Ålesund sjukehus", "Ålesund"),
            ("Molde sjukehus", "Molde"),
            ("Kristiansund sjukehus", "Kristiansund"),
            ("Volda sjukehus", "Volda"),
        ],
    ),
    ("Helse Nord-Trøndelag HF", "HNT", 137_000, [("Sykehuset Levanger", "Levanger"), ("Sykehuset Namsos", "Namsos")]),
]
HN_TRUSTS = [
    (
        "Universitetssykehuset Nord-Norge HF",
        "UNN",
        193_000,
        [("UNN Tromsø", "Tromsø"), ("UNN Harstad", "Harstad"), ("UNN Narvik", "Narvik")],
    ),
    (
        "Nordlandssykehuset HF",
        "NLSH",
        136_000,
        [
            ("Nordlandssykehuset Bodø", "Bodø"),
            ("Nordlandssykehuset Vesterålen", "Hadsel"),
            ("Nordlandssykehuset Lofoten", "Vestvågøy"),
        ],
    ),
    (
        "Helgelandssykehuset HF",
        "HSYK",
        77_000,
        [
            ("Helgelandssykehuset Mo i Rana", "Rana"),
            ("Helgelandssykehuset Mosjøen", "Vefsn"),
            ("Helgelandssykehuset Sandnessjøen", "Alstahaug"),
        ],
    ),
    (
        "Finnmarkssykehuset HF",
        "FIN",
        75_000,
        [("Hammerfest sykehus", "Hammerfest"), ("Kirkenes sykehus", "Sør-Varanger")],
    ),
]

# ICU units: (hospital, unit name, age group)
ICU_UNITS = [
    ("St. Olavs hospital", "Intensivavdelingen, St. Olavs hospital", "adult"),
    ("St. Olavs hospital", "Nyfødt intensiv, St. Olavs hospital", "neonatal"),
    ("Orkdal sjukehus", "Intensiv/overvåkning, Orkdal", "adult"),
    ("Ålesund sjukehus", "Intensivavdelingen, Ålesund", "adult"),
    ("Molde sjukehus", "Intensiv/overvåkning, Molde", "adult"),
    ("Kristiansund sjukehus", "Intensiv/overvåkning, Kristiansund", "adult"),
    ("Volda sjukehus", "Overvåkning, Volda", "adult"),
    ("Sykehuset Levanger", "Intensivavdelingen, Levanger", "adult"),
    ("Sykehuset Namsos", "Intensiv/overvåkning, Namsos", "adult"),
    ("UNN Tromsø", "Intensivavdelingen, UNN Tromsø", "adult"),
    ("UNN Tromsø", "Nyfødt intensiv, UNN Tromsø", "neonatal"),
    ("UNN Tromsø", "Barneintensiv, UNN Tromsø", "paediatric"),
    ("UNN Harstad", "Intensivenheten, UNN Harstad", "adult"),
    ("UNN Narvik", "Intensivenheten, UNN Narvik", "adult"),
    ("Nordlandssykehuset Bodø", "Intensivavdelingen, Bodø", "adult"),
    ("Nordlandssykehuset Bodø", "Nyfødt intensiv, Bodø", "neonatal"),
    ("Nordlandssykehuset Vesterålen", "Intensiv/overvåkning, Vesterålen", "adult"),
    ("Nordlandssykehuset Lofoten", "Intensiv/overvåkning, Lofoten", "adult"),
    ("Helgelandssykehuset Mo i Rana", "Intensivenheten, Mo i Rana", "adult"),
    ("Helgelandssykehuset Mosjøen", "Overvåkning, Mosjøen", "adult"),
    ("Helgelandssykehuset Sandnessjøen", "Intensivenheten, Sandnessjøen", "adult"),
    ("Hammerfest sykehus", "Intensivenheten, Hammerfest", "adult"),
    ("Kirkenes sykehus", "Intensivenheten, Kirkenes", "adult"),
]

# The standard list of network tasks in Helse Midt-Norge's mandate for the networks (revised 2023).
HMN_TASKS = [
    ("T1", "Faglig standardisering: regionale fagprosedyrer og standardiserte pasientforløp"),
    ("T2", "Digitalisering, herunder Helseplattformen"),
    ("T3", "Prioritering, reduksjon av overforbruk og utfasing av lavverditjenester (Kloke valg)"),
    ("T4", "Bruk av kvalitetsregistre, helseatlas og andre datakilder til kvalitetsforbedring"),
    ("T5", "Kompetanse, personell og utdanning"),
    ("T6", "Samhandling med primærhelsetjenesten"),
    ("T7", "Beredskap"),
    ("T8", "Én vei inn: faglige innspill til regionale og nasjonale prosesser"),
    ("T9", "Funksjons- og oppgavedeling mellom sykehusene"),
    ("T10", "Kvalitetsforbedring og pasientsikkerhet"),
]

# Helse Nord's standard task list, as the ICU leaders' mandate lists "andre aktuelle oppgaver".
HN_TASKS = [
    ("N1", "Diskutere og avklare aktuelle saker og problemstillinger innen fagområdet"),
    (
        "N2",
        "Foreslå bærekraftige løsninger for fremtidig drift: oppgavedeling, stabilisering, rekruttering og arbeidstidsløsninger",
    ),
    ("N3", "Regional samordning og samarbeid, blant annet virtuelle visitter og jobbutveksling"),
    ("N4", "Utvikling av fagområdet gjennom samling om beste praksis"),
    ("N5", "Bedre samhandling mellom nivåene i sykehus og med kommunene"),
    ("N6", "Forbedre kvalitet og pasientsikkerhet"),
    ("N7", "Bruke data fra kvalitetsregistre til reduksjon av uønsket variasjon og bedre kodekvalitet"),
    ("N8", "Sikre pasient- og pårørendemedvirkning"),
    ("N9", "Likeverdige spesialisthelsetjenester til den samiske befolkningen"),
    ("N10", "Standardisering og samling om prosedyrer, utstyr og kompetanseplaner"),
]

# Helse Midt-Norge's 33 networks at the end of 2025: (name, field, leading trust short name, tasks).
HMN_NETWORKS = [
    ("Akuttmedisin", "Akuttmedisin", "St. Olavs", ["T1", "T7", "T6"]),
    ("Anestesi og intensiv", "Anestesi og intensivmedisin", "St. Olavs", ["T1", "T5", "T7"]),
    ("Barn og ungdom", "Barne- og ungdomsmedisin", "St. Olavs", ["T1", "T6", "T2"]),
    ("Bildediagnostikk", "Radiologi", "St. Olavs", ["T1", "T3", "T2"]),
    ("Endokrinologi", "Endokrinologi", "St. Olavs", ["T1", "T4"]),
    ("Fysikalsk medisin og rehabilitering", "Fysikalsk medisin og rehabilitering", "St. Olavs", ["T6", "T1"]),
    ("Fødselshjelp og kvinnesykdommer", "Gynekologi og obstetrikk", "St. Olavs", ["T1", "T4"]),
    ("Gastrokirurgi", "Gastroenterologisk kirurgi", "St. Olavs", ["T3", "T1", "T9"]),
    ("Geriatri", "Geriatri", "St. Olavs", ["T6", "T5"]),
    ("Habilitering", "Habilitering", "HNT", ["T6", "T1"]),
    ("Hjertemedisin", "Kardiologi", "St. Olavs", ["T4", "T1", "T2"]),
    ("Hudsykdommer", "Dermatologi", "St. Olavs", ["T1"]),
    ("Indremedisin", "Generell indremedisin", "HMR", ["T5", "T2"]),
    ("Infeksjonsmedisin", "Infeksjonsmedisin", "St. Olavs", ["T1", "T7"]),
    ("Karkirurgi", "Karkirurgi", "St. Olavs", ["T9", "T1"]),
    ("Kreft", "Onkologi", "St. Olavs", ["T1", "T4", "T2"]),
    ("Laboratoriemedisin", "Medisinsk biokjemi og mikrobiologi", "St. Olavs", ["T2", "T1"]),
    ("Lungemedisin", "Lungesykdommer", "St. Olavs", ["T1", "T3"]),
    ("Nevrologi", "Nevrologi", "St. Olavs", ["T4", "T1"]),
    ("Nyfødtmedisin", "Nyfødtmedisin", "St. Olavs", ["T1", "T5"]),
    ("Nyresykdommer", "Nefrologi", "St. Olavs", ["T4", "T3"]),
    ("Nukleærmedisin", "Nukleærmedisin", "St. Olavs", ["T2", "T1"]),
    ("Ortopedi", "Ortopedisk kirurgi", "St. Olavs", ["T3", "T4", "T1"]),
    ("Patologi", "Patologi", "St. Olavs", ["T2", "T5"]),
    ("Plastikkirurgi", "Plastikkirurgi", "St. Olavs", ["T3", "T1"]),
    ("Prehospitale tjenester", "Prehospital akuttmedisin", "St. Olavs", ["T7", "T2"]),
    ("Psykisk helsevern for barn og unge", "Barne- og ungdomspsykiatri", "St. Olavs", ["T6", "T1"]),
    ("Psykisk helsevern for voksne", "Voksenpsykiatri", "St. Olavs", ["T1", "T6", "T5"]),
    ("Revmatologi", "Revmatologi", "St. Olavs", ["T3", "T4"]),
    ("Tverrfaglig spesialisert rusbehandling", "Rus og avhengighet (TSB)", "St. Olavs", ["T1", "T6"]),
    ("Urologi", "Urologi", "St. Olavs", ["T3", "T9"]),
    ("Øre-nese-hals", "Øre-nese-hals-sykdommer", "St. Olavs", ["T3", "T1"]),
    ("Øye", "Øyesykdommer", "St. Olavs", ["T1", "T2"]),
]

# Sub-groups: (name, kind, parent, field)
HMN_SUBGROUPS = [
    ("Smerte og utmattelse", "council", "Anestesi og intensiv", "Smertemedisin"),
    ("Arbeidsgruppe for regionale prosedyrer i bildediagnostikk", "working_group", "Bildediagnostikk", "Radiologi"),
    (
        "Arbeidsgruppe for regionale prosedyrer i TSB",
        "working_group",
        "Tverrfaglig spesialisert rusbehandling",
        "Rus og avhengighet (TSB)",
    ),
]

HMN_PURPOSE = (
    "Fagledernettverkene skal være en arena for fagutvikling i regionen og samling om beste praksis, slik at "
    "alle pasienter i regionen har tilgang til likeverdige tjenester av god kvalitet. Klinikere med lederansvar "
    "fra alle sykehusene samarbeider på tvers om faglige problemstillinger. Faglig standardisering og samordning "
    "er de mest sentrale tiltakene. Nettverkene er også én vei inn for alle som har behov for faglige innspill "
    "til prosesser i Helse Midt-Norge."
)
HMN_MANDATE_V1 = {"period_start": datetime.date(2023, 7, 1), "approved_on": datetime.date(2023, 6, 23)}
HMN_MANDATE_V2 = {"period_start": datetime.date(2026, 7, 1), "approved_on": datetime.date(2026, 6, 15)}
HMN_APPROVER = "Regionalt fagdirektørnettverk i Helse Midt-Norge"

ICU_NETWORK = "Fagnettverk for ledere på intensivavdelinger"
ICU_PURPOSE = (
    "Fagnettverk for ledere på intensivavdelinger i Helse Nord skal følge opp identifiserte utfordringer og nye "
    "oppdrag innen fagområdet. Fagnettverket skal arbeide for at helsetilbudet til intensivpasientene i Helse Nord "
    "skal være likeverdig, kunnskapsbasert, tilgjengelig, bærekraftig og i tråd med regionale og nasjonale "
    "føringer, og arbeide for regional samordning og samhandling, reduksjon av uønsket variasjon og faglig "
    "utvikling av tjenesten gjennom samling om beste praksis."
)
ICU_SPECIFIC_TASKS = (
    "Fagnettverket skal starte sitt arbeid med å gjøre en vurdering av den totale intensivkapasiteten i Helse Nord "
    "og komme med en anbefaling til Helse Nord RHF ved fagdirektør:\n"
    "1. HF-ene rapporterer jevnlig intensivkapasitet fordelt på ulike sengekategorier per intensivavdeling. Siste "
    "oppdaterte rapport legges til grunn for arbeidet.\n"
    "2. Nettverket bes vurdere om dagens samlede intensivkapasitet er hensiktsmessig sammensatt med tilstrekkelig "
    "antall senger av de ulike sengekategoriene.\n"
    "3. Nettverket bes vurdere om sengekategoriene er hensiktsmessig fordelt mellom HF-ene og sykehus med tanke på "
    "kompetansetilgang, beredskap og bærekraftig drift i normaldriftsperioder, i lavdriftsperioder og ved behov "
    "for oppskalering av kapasitet."
)
ICU_BUDGET_NOTE = (
    "Fra Helse Nords fagmidler. Dekker lønn til leder/sekretariat i deltidsstilling og utgifter til fysiske "
    "samlinger (servering, møtelokale o.l.). Reiseutgifter for deltakerne dekkes av eget HF."
)
ICU_PERIOD_START = datetime.date(2024, 3, 1)

HN_OTHER_NETWORKS = [
    ("Fagnettverk for akuttmedisinske tjenester", "Akuttmedisin"),
    ("Fagnettverk for kreftbehandling", "Onkologi"),
]

FIRST_NAMES = [
    "Anne",
    "Bjørn",
    "Camilla",
    "Dag",
    "Eirin",
    "Frode",
    "Guro",
    "Håkon",
    "Ida",
    "Jon",
    "Kristin",
    "Lars",
    "Marte",
    "Nils",
    "Oda",
    "Per",
    "Ragnhild",
    "Sindre",
    "Tone",
    "Ulrik",
    "Vilde",
    "Øystein",
    "Åse",
    "Eivind",
    "Hilde",
    "Magnus",
    "Siri",
    "Tor",
    "Liv",
    "Henrik",
    "Ingvild",
    "Kjetil",
    "Mari",
    "Ole",
    "Randi",
    "Stian",
    "Trine",
    "Vegard",
    "Marit",
    "Arne",
    "Berit",
    "Espen",
    "Gunn",
    "Helge",
    "Janne",
    "Knut",
    "Line",
    "Morten",
]
LAST_NAMES = [
    "Aune",
    "Bakken",
    "Dahl",
    "Eggen",
    "Fossum",
    "Grande",
    "Hoel",
    "Indahl",
    "Jenssen",
    "Kvam",
    "Lien",
    "Moen",
    "Nygård",
    "Opdahl",
    "Pettersen",
    "Rønning",
    "Solberg",
    "Tangen",
    "Uthaug",
    "Vik",
    "Wold",
    "Ystad",
    "Ørnes",
    "Ås",
    "Berg",
    "Haugen",
    "Strand",
    "Sandvik",
    "Lund",
    "Myhre",
    "Nordvik",
    "Hansen",
]
