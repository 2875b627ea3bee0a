"""Helpers for the seed file tests: the fixture files and a reader with Convene's stages."""

from __future__ import annotations

from pathlib import Path

from server.domain.seed_files import SeedPlan, read_seed
from server.vocabulary import STAGES

FILES = Path(__file__).parent / "files"


def read(data: bytes, filename: str = "seed.csv", **options: object) -> SeedPlan:
    return read_seed(data, filename, stages=STAGES, **options)  # type: ignore[arg-type]


def read_file(name: str, **options: object) -> SeedPlan:
    return read((FILES / name).read_bytes(), name, **options)


def problems(plan: SeedPlan) -> list[tuple[int | None, str | None, str]]:
    """Problems as (row or line, column, sentence), the shape every test asserts."""
    return [(p.row if p.row is not None else p.line, p.column, p.message) for p in plan.problems]
