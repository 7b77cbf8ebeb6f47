"""Splink 5 (DuckDB backend) baseline for the deduplication benchmark.

Configured as a Splink user would for Mexican civil-registry data: cleaned
upper-case names without accents, out-of-the-box name and date-of-birth
comparisons with term-frequency adjustments, a crosswise level on the two
surnames, and blocking rules comparable to the engine's blocking keys (date +
surname, date + swapped surname, date + given name, swapped day/month, names
without the date, date + mother).
"""

from __future__ import annotations

import logging
import time
import unicodedata
from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule

from ventanilla.registry.matching import MatchRecord

_NAME_COLUMNS = (
    "given_names",
    "first_surname",
    "second_surname",
    "mother_name",
    "father_name",
)


def clean(s: str) -> str | None:
    """Upper case, no accents, punctuation to spaces; None when empty."""
    plain = "".join(
        ch for ch in unicodedata.normalize("NFKD", s.upper()) if not unicodedata.combining(ch)
    )
    words = "".join(ch if ch.isalnum() else " " for ch in plain).split()
    return " ".join(words) or None


def to_arrow(records: Sequence[MatchRecord]) -> pa.Table:
    columns: dict[str, list[Any]] = {"unique_id": [r.id for r in records]}
    for name in _NAME_COLUMNS:
        columns[name] = [clean(getattr(r, name)) for r in records]
    columns["birth_date"] = [r.birth_date for r in records]
    columns["sex"] = [r.sex or None for r in records]
    columns["place_code"] = [r.place_code or None for r in records]
    return pa.table(columns)


def _surname_comparison(col: str, other: str) -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name=col,
        comparison_levels=[
            cll.NullLevel(col),
            cll.ExactMatchLevel(col, term_frequency_adjustments=True),
            cll.JaroWinklerLevel(col, 0.92),
            cll.JaroWinklerLevel(col, 0.88),
            cll.CustomLevel(
                f"{col}_l = {other}_r OR {other}_l = {col}_r",
                label_for_charts="Surnames swapped",
            ),
            cll.JaroWinklerLevel(col, 0.7),
            cll.ElseLevel(),
        ],
    )


def settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("given_names"),
            _surname_comparison("first_surname", "second_surname"),
            _surname_comparison("second_surname", "first_surname"),
            cl.DateOfBirthComparison("birth_date", input_is_string=False),
            cl.ExactMatch("sex"),
            cl.ExactMatch("place_code").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("mother_name", [0.95, 0.88]),
            cl.JaroWinklerAtThresholds("father_name", [0.95, 0.88]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("birth_date", "first_surname"),
            block_on("birth_date", "second_surname"),
            CustomRule("l.birth_date = r.birth_date AND l.first_surname = r.second_surname"),
            CustomRule("l.birth_date = r.birth_date AND l.second_surname = r.first_surname"),
            block_on("birth_date", "given_names"),
            CustomRule(
                "l.first_surname = r.first_surname"
                " AND strftime(l.birth_date, '%Y%d%m') = strftime(r.birth_date, '%Y%m%d')"
            ),
            block_on("given_names", "first_surname", "second_surname"),
            block_on("birth_date", "mother_name"),
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def run_splink(
    records: Sequence[MatchRecord], seed: int, threads: int | None, floor: float
) -> tuple[dict[tuple[str, str], float], float]:
    """Train and predict; pairs with match probability >= `floor`, and the seconds taken."""
    logging.getLogger("splink").setLevel(logging.ERROR)
    table = to_arrow(records)
    start = time.perf_counter()
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    db_api = DuckDBAPI(connection=con)
    people = db_api.register(table, dataset_display_name="people")
    linker = Linker(people, settings(), log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_names", "first_surname", "second_surname", "birth_date")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_surname", "second_surname")
    )
    predictions = linker.inference.predict(threshold_match_probability=floor)
    rows = predictions.as_record_list()
    elapsed = time.perf_counter() - start
    pairs: dict[tuple[str, str], float] = {}
    for row in rows:
        a, b = str(row["unique_id_l"]), str(row["unique_id_r"])
        pairs[(min(a, b), max(a, b))] = float(row["match_probability"])
    con.close()
    return pairs, elapsed
