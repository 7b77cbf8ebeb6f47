"""Labelled synthetic Mexican birth registrations for the deduplication benchmark.

The population is made of families: children share their father's first
surname and their mother's first surname, the parents' names, the birth
municipality, and twins share a birth date. Surname and given-name
frequencies are skewed like Mexico's (HERNÁNDEZ ~5 %, a long tail of rare
names). A known share of the records are then re-declarations of an
existing person with clerical errors; the truth is every pair of records
that describe the same person.
"""

from __future__ import annotations

import datetime
import itertools
import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from ventanilla.registry.matching import MatchRecord

# Rough national shares (%), RENAPO-style rankings; the remaining ~38 % is a long tail.
# fmt: off
SURNAMES: list[tuple[str, float]] = [
    ("HERNÁNDEZ", 5.0), ("GARCÍA", 3.6), ("MARTÍNEZ", 3.2), ("LÓPEZ", 3.0),
    ("GONZÁLEZ", 2.8), ("PÉREZ", 2.3), ("RODRÍGUEZ", 2.3), ("SÁNCHEZ", 2.2),
    ("RAMÍREZ", 2.1), ("CRUZ", 1.5), ("FLORES", 1.3), ("GÓMEZ", 1.3), ("MORALES", 1.0),
    ("VÁZQUEZ", 1.0), ("REYES", 0.95), ("JIMÉNEZ", 0.95), ("TORRES", 0.9), ("DÍAZ", 0.9),
    ("GUTIÉRREZ", 0.85), ("RUIZ", 0.8), ("MENDOZA", 0.8), ("AGUILAR", 0.8), ("ORTIZ", 0.7),
    ("MORENO", 0.65), ("CASTILLO", 0.65), ("ROMERO", 0.6), ("ÁLVAREZ", 0.6), ("MÉNDEZ", 0.6),
    ("CHÁVEZ", 0.6), ("RIVERA", 0.55), ("JUÁREZ", 0.55), ("RAMOS", 0.55), ("DOMÍNGUEZ", 0.5),
    ("HERRERA", 0.5), ("MEDINA", 0.5), ("CASTRO", 0.45), ("VARGAS", 0.45), ("GUZMÁN", 0.45),
    ("VELÁZQUEZ", 0.45), ("MUÑOZ", 0.4), ("ROJAS", 0.4), ("DE LA CRUZ", 0.35),
    ("CONTRERAS", 0.4), ("SALAZAR", 0.4), ("LUNA", 0.35), ("ORTEGA", 0.4), ("SANTIAGO", 0.4),
    ("GUERRERO", 0.35), ("BAUTISTA", 0.35), ("ESTRADA", 0.3), ("CORTÉS", 0.3), ("SOTO", 0.3),
    ("ALVARADO", 0.3), ("ESPINOZA", 0.3), ("LARA", 0.3), ("ÁVILA", 0.3), ("RÍOS", 0.3),
    ("PEÑA", 0.25), ("VALDEZ", 0.25), ("NÚÑEZ", 0.25), ("CAMPOS", 0.25), ("VEGA", 0.25),
    ("MOLINA", 0.25), ("ZÚÑIGA", 0.2),
]
MALE_NAMES: list[tuple[str, float]] = [
    ("JUAN", 4), ("JOSÉ", 3), ("LUIS", 3), ("CARLOS", 3), ("JESÚS", 3), ("MIGUEL", 3),
    ("FRANCISCO", 2.5), ("ANTONIO", 2.5), ("ALEJANDRO", 2.5), ("PEDRO", 2), ("JORGE", 2),
    ("MANUEL", 2), ("RICARDO", 1.5), ("FERNANDO", 1.5), ("RAFAEL", 1.5), ("ROBERTO", 1.5),
    ("DANIEL", 1.5), ("EDUARDO", 1.5), ("JAVIER", 1.5), ("MARIO", 1.2), ("SERGIO", 1.2),
    ("ARTURO", 1.2), ("ÁNGEL", 1.5), ("RAÚL", 1), ("GERARDO", 1), ("ALBERTO", 1),
    ("ENRIQUE", 1), ("ÓSCAR", 1), ("DAVID", 1), ("VÍCTOR", 1), ("ADRIÁN", 0.8),
    ("HÉCTOR", 0.8), ("GUILLERMO", 0.8), ("SANTIAGO", 0.8), ("DIEGO", 0.8), ("EMILIANO", 0.6),
    ("MATEO", 0.6), ("SEBASTIÁN", 0.6), ("ARMANDO", 0.6), ("IGNACIO", 0.5), ("RODRIGO", 0.6),
    ("GABRIEL", 0.6), ("HUGO", 0.5), ("IVÁN", 0.5),
]
FEMALE_NAMES: list[tuple[str, float]] = [
    ("GUADALUPE", 3), ("JUANA", 2), ("ROSA", 2), ("ANA", 2.5), ("LETICIA", 1.2),
    ("MARGARITA", 1.5), ("VERÓNICA", 1.5), ("ELIZABETH", 1.5), ("PATRICIA", 1.5),
    ("ALEJANDRA", 1.5), ("GABRIELA", 1.5), ("LAURA", 1.5), ("FERNANDA", 1.2), ("SOFÍA", 1.2),
    ("DANIELA", 1.2), ("ADRIANA", 1.2), ("CLAUDIA", 1.2), ("LUCÍA", 1), ("TERESA", 1.2),
    ("CARMEN", 1.5), ("ISABEL", 1.2), ("ELENA", 1), ("SILVIA", 1), ("MÓNICA", 1),
    ("YOLANDA", 1), ("ANDREA", 1), ("VALERIA", 1), ("XIMENA", 0.8), ("CAROLINA", 0.8),
    ("ALICIA", 0.8), ("BEATRIZ", 0.8), ("CRISTINA", 0.8), ("DOLORES", 0.8), ("LUZ", 1),
    ("CONCEPCIÓN", 0.7), ("JOSEFINA", 0.7), ("ESPERANZA", 0.6), ("MARTHA", 1), ("SUSANA", 0.8),
    ("NORMA", 0.8), ("PAOLA", 0.7), ("KARLA", 0.7),
]
_SYL_START = ["BA", "CA", "ZA", "ME", "VI", "OR", "QUI", "AL", "SE", "TO", "NA", "RI", "GA",
              "LE", "MO", "PA", "HUE", "TE", "CE", "VA", "BE", "YA", "XO", "CHA", "LLA", "JA"]
_SYL_MID = ["RRA", "LA", "DI", "NE", "MA", "RO", "TI", "BO", "ZA", "LI", "GUE", "CI", "NO", ""]
_SURNAME_END = ["RRO", "LES", "DILLA", "NTES", "ZANO", "RES", "LLO", "GA", "RIA", "TA", "NDA",
                "DO", "LVA", "RÍN", "ÑO", "RAS", "CIO", "QUEZ", "VEDO", "SCO"]
_FEMALE_END = ["NA", "LIA", "RA", "DA", "NIA", "ELA", "ITZI", "ANA", "ETH", "SA"]
_MALE_END = ["NO", "LIO", "RO", "DO", "NIO", "EL", "ÁN", "IEL", "TO", "SÉ"]
# fmt: on

_KEYBOARD_NEIGHBOURS = {
    "A": "QSZ", "B": "VNGH", "C": "XVDF", "D": "SEFC", "E": "WRD", "F": "DRGV", "G": "FTHB",
    "H": "GYJN", "I": "UOK", "J": "HUKM", "K": "JIL", "L": "KOÑ", "M": "NJ", "N": "BMHJ",
    "O": "IPL", "P": "OL", "Q": "WA", "R": "ETF", "S": "ADWZ", "T": "RYG", "U": "YIJ",
    "V": "CBF", "W": "QES", "X": "ZCS", "Y": "TUH", "Z": "ASX", "Ñ": "LP",
}  # fmt: skip
_SOUND_ALIKES = [
    ("V", "B"), ("B", "V"), ("Z", "S"), ("S", "Z"), ("CE", "SE"), ("CI", "SI"), ("LL", "Y"),
    ("Y", "LL"), ("H", ""), ("GE", "JE"), ("GI", "JI"), ("X", "J"), ("J", "X"), ("QU", "K"),
    ("SE", "CE"), ("SI", "CI"),
]  # fmt: skip


@dataclass(frozen=True)
class Dataset:
    records: list[MatchRecord]
    truth: set[tuple[str, str]]  # pairs (lower id, higher id) of the same person
    corruptions: dict[str, list[str]]  # duplicate id -> what was changed


def _tail(rng: random.Random, ends: Sequence[str], n: int) -> list[str]:
    names: set[str] = set()
    while len(names) < n:
        names.add(rng.choice(_SYL_START) + rng.choice(_SYL_MID) + rng.choice(ends))
    return sorted(names)


def _with_tail(
    rng: random.Random, head: list[tuple[str, float]], ends: Sequence[str], n: int, share: float
) -> tuple[list[str], list[float]]:
    """Head names with their weights, plus a Zipf-shaped tail holding `share` of the mass."""
    head_names = [n_ for n_, _ in head]
    tail = [t for t in _tail(rng, ends, n) if t not in head_names]
    rng.shuffle(tail)
    head_total = sum(w for _, w in head)
    zipf = [1.0 / (i + 10) for i in range(len(tail))]
    scale = head_total * share / (1.0 - share) / sum(zipf)
    return head_names + tail, [w for _, w in head] + [z * scale for z in zipf]


class _Sampler:
    def __init__(self, rng: random.Random, names: list[str], weights: list[float]) -> None:
        self.rng = rng
        self.names = names
        self.cum = list(itertools.accumulate(weights))

    def __call__(self) -> str:
        return self.rng.choices(self.names, cum_weights=self.cum, k=1)[0]


@dataclass(frozen=True)
class _Parent:
    given: str
    first: str
    second: str

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.given, self.first, self.second) if p)


class _Population:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.surname = _Sampler(rng, *_with_tail(rng, SURNAMES, _SURNAME_END, 3000, 0.38))
        self.male = _Sampler(rng, *_with_tail(rng, MALE_NAMES, _MALE_END, 800, 0.25))
        self.female = _Sampler(rng, *_with_tail(rng, FEMALE_NAMES, _FEMALE_END, 800, 0.25))
        codes = [f"{state:02d}{mun:03d}" for state in range(1, 33) for mun in range(1, 40)]
        rng.shuffle(codes)
        self.places = _Sampler(rng, codes, [1.0 / (i + 3) for i in range(len(codes))])

    def given(self, sex: str) -> str:
        rng = self.rng
        simple = self.female if sex == "F" else self.male
        first = simple()
        if rng.random() < 0.45:
            if sex == "F" and rng.random() < 0.5:
                special = rng.random()
                if special < 0.15:
                    return "MARÍA DE LOS ÁNGELES"
                if special < 0.3:
                    return "MARÍA DEL CARMEN"
                return "MARÍA " + first
            if sex == "M" and rng.random() < 0.35:
                return ("JOSÉ " if rng.random() < 0.7 else "JUAN ") + first
            second = simple()
            if second != first:
                return f"{first} {second}"
        return first

    def parent(self, sex: str) -> _Parent:
        second = self.surname() if self.rng.random() > 0.03 else ""
        return _Parent(self.given(sex), self.surname(), second)


def _random_date(rng: random.Random, year: int) -> datetime.date:
    return datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))


def _originals(rng: random.Random, n: int) -> list[MatchRecord]:
    pop = _Population(rng)
    out: list[MatchRecord] = []
    while len(out) < n:
        mother = pop.parent("F")
        has_father = rng.random() > 0.08
        father = pop.parent("M") if has_father else None
        first = father.first if father else mother.first
        second = mother.first if father else mother.second
        place = pop.places()
        mother_known = rng.random() < 0.85
        father_known = father is not None and rng.random() < 0.7
        n_children = rng.choices([1, 2, 3, 4, 5, 6], weights=[30, 33, 20, 10, 5, 2])[0]
        birth = _random_date(rng, rng.randrange(1950, 2021))
        given_in_family: set[str] = set()
        previous: MatchRecord | None = None
        for _ in range(n_children):
            if len(out) >= n:
                break
            if previous is not None and rng.random() < 0.03:
                date = previous.birth_date  # twins
            else:
                if previous is not None:
                    birth = birth + datetime.timedelta(days=rng.randrange(330, 365 * 5))
                date = birth
            if date is not None and date.year > 2024:
                break
            sex = rng.choice("FM")
            given = pop.given(sex)
            while given in given_in_family:
                given = pop.given(sex)
            given_in_family.add(given)
            record = MatchRecord(
                id=f"r{len(out):07d}",
                given_names=given,
                first_surname=first,
                second_surname=second,
                birth_date=date,
                sex=sex,
                place_code=place if rng.random() > 0.02 else "",
                mother_name=mother.full if mother_known else "",
                father_name=father.full if father is not None and father_known else "",
            )
            out.append(record)
            previous = record
    return out


# --- corruptions --------------------------------------------------------------------------


def _strip_accents(s: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))


def _letter_positions(s: str) -> list[int]:
    return [i for i, ch in enumerate(s) if ch.isalpha()]


def _typo(rng: random.Random, s: str) -> str:
    positions = _letter_positions(s)
    if not positions:
        return s
    i = rng.choice(positions)
    op = rng.random()
    ch = _strip_accents(s[i]).upper()
    if op < 0.5:
        pool = _KEYBOARD_NEIGHBOURS.get(ch, "AEIOU")
        return s[:i] + rng.choice(pool) + s[i + 1 :]
    if op < 0.7 and len(positions) > 3:
        return s[:i] + s[i + 1 :]
    if op < 0.85:
        return s[:i] + rng.choice("AEIOURNSL") + s[i:]
    if i + 1 < len(s) and s[i + 1].isalpha():
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
    return s[:i] + rng.choice("AEIOU") + s[i + 1 :]


def _sound_alike(rng: random.Random, s: str) -> str:
    plain = _strip_accents(s)
    options = [(old, new) for old, new in _SOUND_ALIKES if old in plain]
    if not options:
        return _typo(rng, s)
    old, new = rng.choice(options)
    starts = [i for i in range(len(plain)) if plain.startswith(old, i)]
    i = rng.choice(starts)
    return plain[:i] + new + plain[i + len(old) :]


def _with_name(r: MatchRecord, field: str, value: str) -> MatchRecord:
    if field == "given_names":
        return replace(r, given_names=value)
    if field == "first_surname":
        return replace(r, first_surname=value)
    return replace(r, second_surname=value)


def _name_field(rng: random.Random, r: MatchRecord) -> str:
    fields = ["given_names", "first_surname"] + (["second_surname"] if r.second_surname else [])
    return rng.choice(fields)


def _c_typo(rng: random.Random, r: MatchRecord) -> MatchRecord | None:
    field = _name_field(rng, r)
    return _with_name(r, field, _typo(rng, getattr(r, field)))


def _c_sound(rng: random.Random, r: MatchRecord) -> MatchRecord | None:
    field = _name_field(rng, r)
    return _with_name(r, field, _sound_alike(rng, getattr(r, field)))


def _c_swap_surnames(rng: random.Random, r: MatchRecord) -> MatchRecord | None:
    if not r.second_surname:
        return None
    return replace(r, first_surname=r.second_surname, second_surname=r.first_surname)


def _c_day_month(rng: random.Random, r: MatchRecord) -> MatchRecord | None:
    d = r.birth_date
    if d is None or d.day > 12 or d.day == d.month:
        return None
    return replace(r, birth_date=datetime.date(d.year, d.day, d.month))


def _c_year(rng: random.Random, r: MatchRecord) -> MatchRecord | None:
    d = r.birth_date
    if d is None or (d.month == 2 and d.day == 29):
        return None
    return replace(r, birth_date=d.replace(year=d.year + rng.choice((-1, 1))))


def _c_date_digit(rng: random.Random, r: MatchRecord) -> MatchRecord | None:
    d = r.birth_date
    if d is None:
        return None
    for _ in range(20):
        digits = list(d.strftime("%Y%m%d"))
        i = rng.choice([2, 3, 4, 5, 6, 7])
        digits[i] = rng.choice("0123456789")
        try:
            new = datetime.datetime.strptime("".join(digits), "%Y%m%d").date()
        except ValueError:
            continue
        if new != d:
            return replace(r, birth_date=new)
    return None


def _c_accents(rng: random.Random, r: MatchRecord) -> MatchRecord | None:
    return replace(
        r,
        given_names=_strip_accents(r.given_names),
        first_surname=_strip_accents(r.first_surname),
        second_surname=_strip_accents(r.second_surname),
        mother_name=_strip_accents(r.mother_name),
        father_name=_strip_accents(r.father_name),
    )


def _c_no_second(rng: random.Random, r: MatchRecord) -> MatchRecord | None:
    if not r.second_surname:
        return None
    if rng.random() < 0.25:  # both surnames written in the first field
        return replace(r, first_surname=f"{r.first_surname} {r.second_surname}", second_surname="")
    return replace(r, second_surname="")


def _c_given_variant(rng: random.Random, r: MatchRecord) -> MatchRecord | None:
    words = r.given_names.split()
    plain = _strip_accents(words[0]) if words else ""
    if plain == "MARIA" and len(words) > 1:
        return replace(r, given_names=" ".join([rng.choice(["MA.", "MA"])] + words[1:]))
    if plain == "JOSE" and len(words) > 1:
        return replace(
            r,
            given_names=" ".join(["J."] + words[1:]) if rng.random() < 0.3 else " ".join(words[1:]),
        )
    if len(words) == 2:
        return replace(r, given_names=words[rng.randrange(2)])
    return None


def _c_parents(rng: random.Random, r: MatchRecord) -> MatchRecord | None:
    if r.mother_name and rng.random() < 0.5:
        words = r.mother_name.split()
        if rng.random() < 0.5 and len(words) > 2:
            return replace(r, mother_name=" ".join(words[:-1]))
        return replace(r, mother_name="")
    if r.father_name:
        return replace(r, father_name="")
    if r.mother_name:
        return replace(r, mother_name=_typo(rng, r.mother_name))
    return None


def _c_sex(rng: random.Random, r: MatchRecord) -> MatchRecord | None:
    return replace(r, sex="")


def _c_place(rng: random.Random, r: MatchRecord) -> MatchRecord | None:
    return replace(r, place_code=f"{rng.randrange(1, 33):02d}{rng.randrange(1, 40):03d}")


_Corruption = Callable[[random.Random, MatchRecord], MatchRecord | None]
_CORRUPTIONS: list[tuple[str, _Corruption, float]] = [
    ("typo", _c_typo, 25),
    ("sound_alike", _c_sound, 12),
    ("swap_surnames", _c_swap_surnames, 8),
    ("day_month_swap", _c_day_month, 7),
    ("year_off_by_one", _c_year, 6),
    ("date_digit", _c_date_digit, 6),
    ("accents_dropped", _c_accents, 10),
    ("no_second_surname", _c_no_second, 6),
    ("given_variant", _c_given_variant, 8),
    ("parents", _c_parents, 6),
    ("sex_missing", _c_sex, 3),
    ("other_place", _c_place, 5),
]  # fmt: skip


def generate(size: int, seed: int, duplicate_share: float = 0.10) -> Dataset:
    """`size` records, `duplicate_share` of them re-declarations of another record."""
    rng = random.Random(seed)
    n_dups = round(size * duplicate_share)
    originals = _originals(rng, size - n_dups)
    records = list(originals)
    truth: set[tuple[str, str]] = set()
    corruptions: dict[str, list[str]] = {}
    clusters: dict[str, list[str]] = {}
    names = [c[0] for c in _CORRUPTIONS]
    weights = [c[2] for c in _CORRUPTIONS]
    funcs = {c[0]: c[1] for c in _CORRUPTIONS}
    for k in range(n_dups):
        source = rng.choice(originals)
        n_errors = rng.choices([1, 2, 3], weights=[55, 30, 15])[0]
        dup = replace(source, id=f"d{k:07d}")
        applied: list[str] = []
        attempts = 0
        while len(applied) < n_errors and attempts < 30:
            attempts += 1
            name = rng.choices(names, weights=weights)[0]
            if name in applied:
                continue
            changed = funcs[name](rng, dup)
            if changed is None or changed == dup:
                continue
            dup = changed
            applied.append(name)
        records.append(dup)
        corruptions[dup.id] = applied
        clusters.setdefault(source.id, [source.id]).append(dup.id)
    for members in clusters.values():
        for a, b in itertools.combinations(members, 2):
            truth.add((min(a, b), max(a, b)))
    rng.shuffle(records)
    return Dataset(records=records, truth=truth, corruptions=corruptions)
