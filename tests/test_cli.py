"""The command line, run as a real subprocess the way a member of staff would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
