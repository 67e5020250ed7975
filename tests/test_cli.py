"""The command line, run as a real subprocess the way a member of staff would."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from bot.storage import Storage
from tests.kbfactory import ALPHA, write_kb

ROOT = Path(__file__).resolve().parents[1]


def cli(
    *args: str, stdin: str | None = None, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` (what the studio-mentor script runs) and capture its output."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "STUDIO_MENTOR_"))}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd or ROOT,
        env=full_env,
    )


def test_ask_prints_answer_source_and_confidence(tmp_path: Path) -> None:
    """`ask` answers from the bundled knowledge base from any working directory."""
    run = cli("ask", "how do i get an internship at a studio", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Source:" in run.stdout and "Confidence:" in run.stdout
    assert "starting-as-an-intern" in run.stdout or "hands-on-training" in run.stdout


def test_ask_declines_off_topic(tmp_path: Path) -> None:
    """An off-topic question gets a polite decline, not an answer."""
    run = cli("ask", "how do i bake sourdough bread", cwd=tmp_path)
    assert run.returncode == 0
    assert "outside what I can answer" in run.stdout


def test_ask_json_answers_each_line_in_order() -> None:
    """`ask --json` writes one JSON object per input line, in order, with the documented keys."""
    questions = [
        "do i need a degree to produce music",
        "what's the weather in paris",
        "",
        "mic placement tips",
    ]
    run = cli("ask", "--json", stdin="\n".join(questions) + "\n")
    assert run.returncode == 0, run.stderr
    records = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["question"] for r in records] == questions
    for r in records:
        assert {"question", "answered", "entry", "section", "score", "alternatives", "answer"} <= set(r)
    assert records[0]["answered"] and records[0]["section"] == "formal-education" and records[0]["answer"]
    assert not records[1]["answered"] and records[1]["entry"] is None and records[1]["answer"] is None
    assert not records[2]["answered"]
    assert records[3]["section"] == "sound-engineering"


def test_ask_without_question_is_a_usage_error() -> None:
    """A blank question is one line of error and exit 2, not a traceback."""
    run = cli("ask", "   ")
    assert run.returncode == 2 and "Traceback" not in run.stderr and run.stderr.strip().count("\n") == 0


def test_kb_check_passes_on_the_shipped_base() -> None:
    """`kb check` exits 0 on the bundled knowledge base."""
    run = cli("kb", "check")
    assert run.returncode == 0, run.stdout
    assert run.stdout.startswith("OK:")


def test_kb_check_lists_every_problem_and_exits_1(tmp_path: Path) -> None:
    """`kb check` on a broken folder lists each problem with file, entry and key, and exits 1."""
    folder = write_kb(
        tmp_path / "kb",
        alpha=ALPHA.replace('stages = ["learning"]', 'stages = ["diva"]').replace(
            'related = ["second"]', 'related = ["ghost"]'
        ),
    )
    run = cli("kb", "check", "--knowledge", str(folder))
    assert run.returncode == 1
    assert "alpha.toml: entry 'first': key 'stages': unknown stage 'diva'" in run.stdout
    assert "alpha.toml: entry 'first': key 'related': unknown id 'ghost'" in run.stdout
    assert "2 problem(s) found" in run.stdout


def test_kb_eval_prints_figures_and_misses(tmp_path: Path) -> None:
    """`kb eval` reports hit@1, decline rate, accuracy and each miss."""
    labelled = tmp_path / "q.tsv"
    labelled.write_text(
        "# comment\nshould i get a degree in audio engineering\tformal-education\n"
        "how do i fix my car\tnone\nhow do i fix my car brakes\tformal-education\n",
        encoding="utf-8",
    )
    run = cli("kb", "eval", str(labelled))
    assert run.returncode == 0, run.stderr
    assert "on-topic hit@1: 50.0% (1/2)" in run.stdout
    assert "off-topic declined: 100.0% (1/1)" in run.stdout
    assert "overall accuracy: 66.7%" in run.stdout
    assert "MISS on-topic  'how do i fix my car brakes'" in run.stdout


def test_broken_config_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """A config with an unknown key names the file and key and exits 2."""
    config = tmp_path / "config.toml"
    config.write_text("[answers]\ncooldown = 5\n", encoding="utf-8")
    run = cli("--config", str(config), "kb", "check")
    assert run.returncode == 2
    assert (
        run.stderr.strip()
        == f"error: {config}: [answers] cooldown: unknown key (known: cooldown_seconds, help_channel_ids)"
    )


def test_console_script_is_installed() -> None:
    """The `studio-mentor` script reaches the same command line."""
    script = Path(sys.executable).with_name("studio-mentor")
    run = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "kb" in run.stdout and "ask" in run.stdout


def test_bundled_knowledge_is_found_in_a_regular_install(tmp_path: Path) -> None:
    """A non-editable install (a built copy of the package) still finds its knowledge base from any directory."""
    target = tmp_path / "site"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert build.returncode == 0, build.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "STUDIO_MENTOR_"))}
    env["PYTHONPATH"] = str(target)
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import bot, sys; from bot.cli import main; print(bot.__file__); sys.exit(main(['kb', 'check']))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0].startswith(str(target))
    assert "OK: " in run.stdout


def test_config_option_is_accepted_after_the_command(tmp_path: Path) -> None:
    """`run --config x.toml` and `kb check --config x.toml` read that file, as `--config x.toml run` does."""
    config = tmp_path / "x.toml"
    config.write_text("[answers]\ncooldown = 5\n", encoding="utf-8")
    for args in (("run", "--config", str(config)), ("kb", "check", "--config", str(config))):
        run = cli(*args, cwd=tmp_path)
        assert run.returncode == 2, run.stderr
        assert run.stderr.startswith(f"error: {config}: [answers] cooldown: unknown key"), run.stderr


def test_ask_with_config_after_the_command_keeps_the_question(tmp_path: Path) -> None:
    """`ask --config x.toml "hi"`: x.toml is the config (its knowledge folder is used), "hi" the question."""
    folder = write_kb(tmp_path / "kb")
    config = tmp_path / "x.toml"
    config.write_text(f'[bot]\nknowledge_dir = "{folder}"\n', encoding="utf-8")
    run = cli("ask", "--config", str(config), "--json", "what is the first thing", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    record = json.loads(run.stdout)
    assert record["question"] == "what is the first thing"
    assert record["entry"] == "first"  # answered from the config's knowledge folder
    bundled = cli("ask", "--json", "what is the first thing", cwd=tmp_path)
    assert json.loads(bundled.stdout)["entry"] not in ("first", "second")


def test_help_of_every_command_lists_config(capsys) -> None:  # type: ignore[no-untyped-def]
    """`run --help` (and every other command's help) shows --config."""
    from bot.cli import build_parser

    for args in (
        ("run",),
        ("ask",),
        ("kb", "check"),
        ("kb", "eval"),
        ("db", "check"),
        ("db", "backup"),
        ("sync",),
        ("invite",),
    ):
        try:
            build_parser().parse_args([*args, "--help"])
        except SystemExit as exit_:
            assert exit_.code == 0
        assert "--config" in capsys.readouterr().out, args


def test_invite_without_token_or_client_id_is_a_usage_error(tmp_path: Path) -> None:
    """`invite` with neither --client-id nor a token: one line, exit 2 like every usage error."""
    run = cli("invite", cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.strip().startswith("error: invite: pass --client-id")
    assert run.stderr.strip().count("\n") == 0
    assert cli("invite", "--client-id", "42", cwd=tmp_path).returncode == 0


def _db_config(tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text('[bot]\ndatabase = "mentor.db"\n', encoding="utf-8")
    return config


def test_db_check_reports_integrity_migrations_and_rows(tmp_path: Path) -> None:
    """`db check` on a healthy database: integrity ok, every migration applied, row counts, exit 0."""
    storage = Storage(tmp_path / "mentor.db")
    storage.prepare()
    storage.settings.update(1, cooldown_seconds=5)
    storage.close()
    run = cli("db", "check", "--config", str(_db_config(tmp_path)), cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "integrity: ok" in run.stdout
    assert re.search(r"migrations: \d+ applied, 0 pending, 0 unknown", run.stdout)
    assert re.search(r"guild_settings +1$", run.stdout, re.M)
    assert run.stdout.rstrip().endswith("OK")


def test_db_check_flags_a_newer_database_and_a_missing_one(tmp_path: Path) -> None:
    """An unknown migration makes `db check` exit 1 naming it; no database at all is exit 2, and none is created."""
    config = _db_config(tmp_path)
    missing = cli("db", "check", "--config", str(config), cwd=tmp_path)
    assert missing.returncode == 2 and "no database here" in missing.stderr
    assert not (tmp_path / "mentor.db").exists()
    storage = Storage(tmp_path / "mentor.db")
    storage.prepare()
    storage.core.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('studio-mentor', 'm0099_x', 'x')"
    )
    storage.close()
    run = cli("db", "check", "--config", str(config), cwd=tmp_path)
    assert run.returncode == 1
    assert "1 unknown" in run.stdout and "m0099_x" in run.stdout


def test_db_backup_copies_a_database_in_use_and_verifies_it(tmp_path: Path) -> None:
    """`db backup` while another connection holds a write transaction: a verified copy of every committed row."""
    storage = Storage(tmp_path / "mentor.db")
    storage.prepare()
    for guild in range(1, 51):
        storage.settings.update(guild, cooldown_seconds=guild)
    # The bot is running: its connection is open, the rows sit in the WAL, and a write is in progress.
    storage.core.execute("BEGIN IMMEDIATE")
    storage.core.execute("DELETE FROM guild_settings")
    try:
        run = cli(
            "db", "backup", str(tmp_path / "copy.db"), "--config", str(_db_config(tmp_path)), cwd=tmp_path
        )
    finally:
        storage.core.execute("ROLLBACK")
        storage.close()
    assert run.returncode == 0, run.stderr
    assert "integrity_check: ok" in run.stdout
    with sqlite3.connect(tmp_path / "copy.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM guild_settings").fetchone()[0] == 50
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert not (tmp_path / "copy.db-wal").exists()  # one self-contained file
    again = cli(
        "db", "backup", str(tmp_path / "copy.db"), "--config", str(_db_config(tmp_path)), cwd=tmp_path
    )
    assert again.returncode == 2 and "already exists" in again.stderr
    forced = cli(
        "db",
        "backup",
        str(tmp_path / "copy.db"),
        "--force",
        "--config",
        str(_db_config(tmp_path)),
        cwd=tmp_path,
    )
    assert forced.returncode == 0, forced.stderr
