"""`make db`'s PostgreSQL: a fresh database owned by a password role, reachable on BIND."""

from __future__ import annotations

from pathlib import Path

import psycopg

from infra.dbserver import DB_NAME, ROLE, database_url, hba_rules, listen_addresses, served_database
from infra.ports import free_port


def test_the_network_gets_a_password_role_and_loopback_stays_trusted() -> None:
    rules = hba_rules().splitlines()
    assert "host all all 127.0.0.1/32 trust" in rules
    assert f"host all {ROLE} 0.0.0.0/0 scram-sha-256" in rules
    # Only the benchmark's role from the network: never the superuser, never without password.
    assert not [r for r in rules if "0.0.0.0/0" in r or "::/0" in r if "scram" not in r]
    assert listen_addresses("10.0.0.3") == "127.0.0.1,10.0.0.3"
    assert listen_addresses("0.0.0.0") == "*"  # noqa: S104 - what BIND may say
    assert listen_addresses("127.0.0.1") == "127.0.0.1"
    assert database_url("10.0.0.3", 5432, "pw") == f"postgresql://{ROLE}:pw@10.0.0.3:5432/{DB_NAME}"


def test_a_served_database_is_fresh_and_owned_by_the_role(tmp_path: Path) -> None:
    port = free_port()
    with served_database(bind="127.0.0.1", port=port, data_dir=tmp_path / "pg") as served:
        url = served.url
        served.check_alive()
        assert url.startswith(f"postgresql://{ROLE}:") and url.endswith(
            f"@127.0.0.1:{port}/commerce"
        )
        with psycopg.connect(url) as conn:
            user, db = conn.execute("SELECT current_user, current_database()").fetchone() or ()
            owner = conn.execute(
                "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", [DB_NAME]
            ).fetchone()
            tables = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone()
            # The app host takes the database over: the role may create its tables.
            conn.execute("CREATE TABLE probe (id int)")
        assert (user, db, owner, tables) == (ROLE, DB_NAME, (ROLE,), (0,))
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres") as admin:
            hba = admin.execute("SHOW hba_file").fetchone()
        assert hba is not None and hba[0].endswith("pg_hba.bench.conf")
    # A second session starts from an empty database again, with a new password.
    with served_database(bind="127.0.0.1", port=port, data_dir=tmp_path / "pg") as again:
        assert again.url != url
        with psycopg.connect(again.url) as conn:
            assert conn.execute("SELECT to_regclass('probe')").fetchone() == (None,)
