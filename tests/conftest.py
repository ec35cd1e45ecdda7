"""Fixtures shared by the hub's tests: settings, databases (SQLite and PostgreSQL), corpus.

PostgreSQL and Redis are real servers started by ``scripts/test.sh``; when one
cannot be reached the tests that need it FAIL with the command to run, they
are never skipped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from chorusflow.context import HubContext
from chorusflow.settings import Settings

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
PG_URL = os.environ.get(
    "CHORUSFLOW_TEST_PG_URL", "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/postgres"
)
START_HINT = "Run the suite with `bash scripts/test.sh`, which starts PostgreSQL and Redis."


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not (CORPUS / "anchor_observed.csv").exists():
        pytest.fail(f"The sample corpus is missing at {CORPUS}: the tests need ../shared/corpus.")
    return CORPUS


def _pg_database(worker: str) -> str:
    """One PostgreSQL database per test run and xdist worker (two runs never share one)."""
    name = "chorusflow_test_" + re.sub(r"\W", "", worker)
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        pytest.fail(f"PostgreSQL is not reachable at {PG_URL} ({exc}). {START_HINT}")
    finally:
        admin.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_url(worker_id: str, testrun_uid: str) -> Iterator[str]:
    url = _pg_database(f"{testrun_uid[:10]}_{worker_id}")
    yield url
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def _reset_pg(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each storage test runs on both databases (issue 2: the storage tests run on both)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    url = request.getfixturevalue("pg_url")
    _reset_pg(url)
    return url


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home")


@pytest.fixture
def hub(settings: Settings) -> Iterator[HubContext]:
    """The hub on the embedded default (SQLite in a temporary data home)."""
    ctx = HubContext.open(settings)
    yield ctx
    ctx.close()


@pytest.fixture
def any_hub(tmp_path: Path, db_url: str) -> Iterator[HubContext]:
    """The hub on SQLite and on PostgreSQL."""
    ctx = HubContext.open(Settings(home=tmp_path / "home", database_url=db_url))
    yield ctx
    ctx.close()
