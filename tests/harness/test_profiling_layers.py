"""The layer classifier and table on hand-written py-spy stacks of each kind of app."""

from __future__ import annotations

from collections import Counter

import pytest

from scripts.harness.layers import (
    LAYERS,
    NO_PYTHON_FRAME,
    collapsed_from_speedscope,
    collapsed_text,
    frame_layer,
    label_file,
    layer_counts,
    layer_rows,
    module_path,
    parse_collapsed,
    stack_layer,
)

VENV = "/opt/bench/.venv/lib/python3.11/site-packages"
GUNICORN = (
    'process 41:"gunicorn: worker [django_app.wsgi:application]";<module> (gunicorn:8);'
    "Arbiter.run (gunicorn/arbiter.py:202);SyncWorker.run (gunicorn/workers/sync.py:125);"
    "SyncWorker.handle_request (gunicorn/workers/sync.py:178)"
)
DJANGO = (
    f"{GUNICORN};WSGIHandler.__call__ (django/core/handlers/wsgi.py:124);"
    "BaseHandler.get_response (django/core/handlers/base.py:140);"
    "APIView.dispatch (rest_framework/views.py:512)"
)
UVICORN = (
    'process 52:"uvicorn fastapi_app.main:app";<module> (uvicorn:8);'
    "Server.run (uvicorn/server.py:67);asyncio_run (uvicorn/_compat.py:30);"
    "Runner.run (asyncio/runners.py:118)"
)
FASTAPI = (
    f"{UVICORN};RequestResponseCycle.run_asgi (uvicorn/protocols/http/httptools_impl.py:409);"
    "FastAPI.__call__ (fastapi/applications.py:1054);"
    "Starlette.__call__ (starlette/applications.py:113)"
)
SQLALCHEMY = (
    "AsyncSession.execute (sqlalchemy/ext/asyncio/session.py:463);"
    "greenlet_spawn (sqlalchemy/util/_concurrency_py3k.py:190);"
    "Session.execute (sqlalchemy/orm/session.py:2373)"
)

# (collapsed line, the layer it must count for)
DJANGO_LINES = [
    (
        f"{GUNICORN};Request.parse (gunicorn/http/message.py:210);readline (socket.py:700) 4",
        "http_server",
    ),
    (f"{DJANGO};URLResolver.resolve (django/urls/resolvers.py:660) 5", "framework"),
    (
        f"{DJANGO};ProductDetailView.get (django_app/views.py:40);"
        "Serializer.data (rest_framework/serializers.py:573);"
        "IntegerField.to_representation (rest_framework/fields.py:927) 3",
        "validation",
    ),
    (
        f"{DJANGO};Response.rendered_content (rest_framework/response.py:74);"
        "JSONRenderer.render (rest_framework/renderers.py:100);"
        "dumps (json/__init__.py:238);JSONEncoder.encode (json/encoder.py:200) 2",
        "validation",
    ),
    (
        f"{DJANGO};ProductListView.get (django_app/views.py:25);"
        "product_list (django_app/selectors.py:12);"
        "QuerySet.__iter__ (django/db/models/query.py:400);"
        "SQLCompiler.as_sql (django/db/models/sql/compiler.py:751) 6",
        "orm",
    ),
    (
        f"{DJANGO};ProductListView.get (django_app/views.py:25);"
        "product_list (django_app/selectors.py:12);"
        "CursorWrapper.execute (django/db/backends/utils.py:79);"
        "Cursor.execute (psycopg/cursor.py:97);wait (psycopg/waiting.py:50);"
        "select (selectors.py:415) 7",
        "driver",
    ),
    (
        f"{DJANGO};ensure_connection (django/db/backends/base/base.py:296);"
        "DatabaseWrapper.get_new_connection (django/db/backends/postgresql/base.py:330) 1",
        "driver",
    ),
    (
        f"{DJANGO};ProductListView.get (django_app/views.py:25);"
        "<listcomp> (django_app/views.py:26) 2",
        "app",
    ),
]
FASTAPI_LINES = [
    (f"{UVICORN} 3", "http_server"),
    (
        f"{UVICORN};HttpToolsProtocol.data_received "
        "(uvicorn/protocols/http/httptools_impl.py:140) 2",
        "http_server",
    ),
    (f"{FASTAPI};solve_dependencies (fastapi/dependencies/utils.py:600) 4", "framework"),
    (
        f"{FASTAPI};serialize_response (fastapi/routing.py:160);"
        "TypeAdapter.dump_python (pydantic/type_adapter.py:580) 3",
        "validation",
    ),
    (f"{FASTAPI};jsonable_encoder (fastapi/encoders.py:210) 1", "validation"),
    (
        f"{FASTAPI};product_detail_view (fastapi_app/routes.py:58);"
        f"product_detail (fastapi_app/selectors.py:44);{SQLALCHEMY};"
        "_connection_for_bind (<string>:2) 9",
        "orm",
    ),
    (
        f"{FASTAPI};product_detail_view (fastapi_app/routes.py:58);{SQLALCHEMY};"
        "AsyncAdapt_asyncpg_cursor._prepare_and_execute "
        "(sqlalchemy/dialects/postgresql/asyncpg.py:526);"
        "Connection._get_statement (asyncpg/connection.py:432) 5",
        "driver",
    ),
    (
        f"{FASTAPI};order_detail_view (fastapi_app/routes.py:77);"
        "token_decode (fastapi_app/security.py:40);decode (jwt/api_jwt.py:222);"
        "compare_digest (hmac.py:10) 2",
        "app",
    ),
    ('process 52:"uvicorn fastapi_app.main:app" 1', "other"),
]
# A bare ASGI callable on asyncpg under uvicorn: no framework, no ORM.
FLOOR_LINES = [
    (
        f"{UVICORN};RequestResponseCycle.run_asgi (uvicorn/protocols/http/httptools_impl.py:409);"
        "app (floor_app/main.py:30);product_list (floor_app/queries.py:12);"
        "Pool.acquire (asyncpg/pool.py:1000) 4",
        "driver",
    ),
    (
        f"{UVICORN};RequestResponseCycle.run_asgi (uvicorn/protocols/http/httptools_impl.py:409);"
        "app (floor_app/main.py:30);send_json (floor_app/main.py:60);"
        "dumps (json/__init__.py:231) 2",
        "validation",
    ),
    (
        f"{UVICORN};RequestResponseCycle.run_asgi (uvicorn/protocols/http/httptools_impl.py:409);"
        "app (floor_app/main.py:22) 3",
        "app",
    ),
]


@pytest.mark.parametrize(
    "lines", [DJANGO_LINES, FASTAPI_LINES, FLOOR_LINES], ids=["django", "fastapi", "floor"]
)
def test_every_sample_counts_for_its_innermost_classified_frame(
    lines: list[tuple[str, str]],
) -> None:
    stacks = parse_collapsed("\n".join(line for line, _ in lines))
    assert len(stacks) == len(lines)
    for (labels, _count), (_line, layer) in zip(stacks, lines, strict=True):
        assert stack_layer([label_file(label) for label in labels]) == layer
    expected = Counter[str]()
    for line, layer in lines:
        expected[layer] += int(line.rsplit(" ", 1)[1])
    assert layer_counts(stacks) == {key: expected[key] for key, _ in LAYERS}


@pytest.mark.parametrize(
    ("filename", "module"),
    [
        (f"{VENV}/django/db/models/query.py", "django/db/models/query.py"),
        ("/usr/lib/python3.11/json/encoder.py", "json/encoder.py"),
        ("/usr/local/lib/python3.12/asyncio/runners.py", "asyncio/runners.py"),
        ("/opt/bench/django_app/views.py", "django_app/views.py"),
        ("/opt/shop_app/fastapi_tuned_app/routes.py", "fastapi_tuned_app/routes.py"),
        ("sqlalchemy/orm/session.py", "sqlalchemy/orm/session.py"),
        ("/usr/lib/python3/dist-packages/uvloop/__init__.py", "uvloop/__init__.py"),
        ("<string>", "<string>"),
    ],
)
def test_module_path_strips_install_locations(filename: str, module: str) -> None:
    assert module_path(filename) == module


@pytest.mark.parametrize(
    ("filename", "layer"),
    [
        (f"{VENV}/django/db/backends/postgresql/base.py", "driver"),
        (f"{VENV}/django/db/backends/utils.py", "orm"),
        (f"{VENV}/django/db/models/sql/compiler.py", "orm"),
        (f"{VENV}/django/http/response.py", "framework"),
        (f"{VENV}/rest_framework/views.py", "framework"),
        (f"{VENV}/rest_framework/serializers.py", "validation"),
        (f"{VENV}/pydantic_core/core_schema.py", "validation"),
        (f"{VENV}/fastapi/encoders.py", "validation"),
        (f"{VENV}/fastapi/routing.py", "framework"),
        (f"{VENV}/starlette/routing.py", "framework"),
        (f"{VENV}/psycopg_pool/pool.py", "driver"),
        (f"{VENV}/asyncpg/connection.py", "driver"),
        (f"{VENV}/sqlalchemy/dialects/postgresql/asyncpg.py", "orm"),
        (f"{VENV}/h11/_connection.py", "http_server"),
        (f"{VENV}/gunicorn/workers/gthread.py", "http_server"),
        ("/usr/lib/python3.11/wsgiref/handlers.py", "http_server"),
        ("/usr/lib/python3.11/json/decoder.py", "validation"),
        ("/opt/bench/floor_app/main.py", "app"),
        ("/opt/bench/django_tuned_app/views.py", "app"),
        ("/usr/lib/python3.11/asyncio/base_events.py", None),
        ("/usr/lib/python3.11/socket.py", None),
        (f"{VENV}/jwt/api_jwt.py", None),
        (f"{VENV}/myapp_app.py", None),
        ("<frozen importlib._bootstrap>", None),
        ("", None),
    ],
)
def test_frame_layers(filename: str, layer: str | None) -> None:
    assert frame_layer(filename) == layer


def test_a_stack_without_classified_frames_is_other() -> None:
    assert stack_layer([]) == "other"
    assert stack_layer(["/usr/lib/python3.11/threading.py", "<string>"]) == "other"


def test_parse_collapsed_skips_lines_without_a_count() -> None:
    text = "a (x.py:1);b (y.py:2) 3\n\ngarbage\nc 0\nd (z.py) x\n"
    assert parse_collapsed(text) == [(["a (x.py:1)", "b (y.py:2)"], 3), (["c"], 0)]


def test_speedscope_becomes_collapsed_stacks_with_module_paths() -> None:
    doc = {
        "shared": {
            "frames": [
                {"name": 'process 7:"uvicorn"', "file": "", "line": 0},
                {"name": "Server.run", "file": f"{VENV}/uvicorn/server.py", "line": 67},
                {"name": "Session.execute", "file": f"{VENV}/sqlalchemy/orm/session.py", "line": 9},
                {"name": "odd;name", "file": "/app/fastapi_app/x.py", "line": None},
            ]
        },
        "profiles": [
            {"type": "sampled", "samples": [[0, 1], [0, 1, 2], [0, 1, 2]], "weights": [1, 1, 1]},
            {"type": "sampled", "samples": [[0, 1, 3], [0], []], "weights": [1, 1, 1]},
        ],
    }
    stacks = collapsed_from_speedscope(doc)
    uvicorn = 'process 7:"uvicorn";Server.run (uvicorn/server.py:67)'
    assert stacks == {
        uvicorn: 1,
        f"{uvicorn};Session.execute (sqlalchemy/orm/session.py:9)": 2,
        f"{uvicorn};odd:name (fastapi_app/x.py)": 1,
        'process 7:"uvicorn"': 1,
        NO_PYTHON_FRAME: 1,
    }
    counts = layer_counts(parse_collapsed(collapsed_text(stacks)))
    assert counts == {**dict.fromkeys(counts, 0), "http_server": 1, "orm": 2, "app": 1, "other": 2}


def test_collapsed_text_is_heaviest_first_and_round_trips() -> None:
    stacks = Counter({"a;b": 2, "a": 5, "c": 2})
    text = collapsed_text(stacks)
    assert text == "a 5\na;b 2\nc 2\n"
    assert {";".join(labels): n for labels, n in parse_collapsed(text)} == stacks


def test_layer_rows_give_shares_and_cpu_per_request() -> None:
    counts = {"http_server": 10, "framework": 30, "orm": 40, "driver": 20}
    rows = layer_rows(counts, requests=200, app_cpu_seconds=1.0)  # 5 ms of CPU a request
    by_layer = {row["layer"]: row for row in rows}
    assert [row["layer"] for row in rows] == [key for key, _ in LAYERS]
    assert by_layer["orm"]["share_pct"] == 40.0
    assert by_layer["orm"]["cpu_ms_per_request"] == 2.0
    assert by_layer["validation"]["samples"] == 0
    assert by_layer["validation"]["cpu_ms_per_request"] == 0.0
    assert sum(row["cpu_ms_per_request"] or 0 for row in rows) == pytest.approx(5.0)


def test_layer_rows_without_figures_or_samples() -> None:
    rows = layer_rows({"orm": 3}, requests=None, app_cpu_seconds=2.0)
    assert all(row["cpu_ms_per_request"] is None for row in rows)
    empty = layer_rows({}, requests=10, app_cpu_seconds=1.0)
    assert all(row["share_pct"] == 0.0 and row["cpu_ms_per_request"] is None for row in empty)
