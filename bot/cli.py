"""The `studio-mentor` command line: run the bot, ask offline, check the knowledge base and the database."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from bot.config import DEFAULT_CONFIG_NAME, Config, ConfigError, load_config, load_token
from bot.knowledge import KnowledgeError, SearchIndex, bundled_knowledge_dir, load_knowledge
from bot.knowledge.evaluation import evaluate, read_labelled
from bot.knowledge.prompt_library import PROMPTS_FILE, load_prompts
from bot.knowledge.stage_guides import STAGES_FILE, load_stage_content
from bot.storage.core import StorageError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _config_path(arg: str | None) -> Path | None:
    """Pick the config file: --config, then STUDIO_MENTOR_CONFIG, then ./config.toml if present."""
    if arg:
        return Path(arg)
    if os.environ.get("STUDIO_MENTOR_CONFIG"):
        return Path(os.environ["STUDIO_MENTOR_CONFIG"])
    default = Path(DEFAULT_CONFIG_NAME)
    return default if default.is_file() else None


def _knowledge_dir(args: argparse.Namespace, config: Config) -> Path | None:
    """Pick the knowledge folder: --knowledge, then the config's [bot] knowledge_dir, then the bundled one."""
    return Path(args.knowledge) if getattr(args, "knowledge", None) else config.bot.knowledge_dir


def _index(args: argparse.Namespace, config: Config) -> SearchIndex:
    return SearchIndex(load_knowledge(_knowledge_dir(args, config)))


def cmd_ask(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    """Answer questions offline, for a person or (--json) one JSON line per stdin line."""
    index = _index(args, config)
    if args.json:
        questions = [args.question] if args.question else (line.rstrip("\r\n") for line in sys.stdin)
        for question in questions:
            result = index.search(question)
            entry = result.best.entry if result.answered and result.best else None
            record = {
                "question": question,
                "answered": result.answered,
                "entry": entry.id if entry else None,
                "section": entry.section if entry else None,
                "score": round(result.score, 4),
                "confidence": result.confidence.value,
                "alternatives": [e.id for e in result.suggestions]
                or [m.entry.id for m in result.alternatives if result.answered],
                "answer": entry.answer if entry else None,
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
        return EXIT_OK
    if not args.question or not args.question.strip():
        print('error: ask needs a question, e.g. studio-mentor ask "do i need a degree?"', file=sys.stderr)
        return EXIT_USAGE
    result = index.search(args.question)
    if result.answered and result.best:
        entry = result.best.entry
        out.write(f"{entry.title}\n\n{entry.answer}\n\n")
        out.write(f"Source: {index.kb.section_title(entry.section)} ({entry.section})\n")
        out.write(f"Confidence: {result.score:.2f}\n")
        if result.alternatives:
            out.write("Related: " + "; ".join(m.entry.title for m in result.alternatives) + "\n")
        return EXIT_OK
    if result.suggestions:
        out.write(f"I'm not sure I understood (confidence {result.score:.2f}). Did you mean:\n")
        for entry in result.suggestions:
            out.write(f"  - {entry.title}\n")
        return EXIT_OK
    out.write("Sorry, that's outside what I can answer: I only know about becoming a music producer.\n")
    return EXIT_OK


def cmd_kb_check(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    """Validate the knowledge folder and list every problem."""
    folder = _knowledge_dir(args, config)
    try:
        kb = load_knowledge(folder)
        problems, parts = [], [f"{len(kb.entries)} entries in {len(kb.sections)} sections"]
    except KnowledgeError as exc:
        problems, parts = list(exc.problems), []
    if parts:  # the curated stage guides and prompts point at entries: check them against a loaded base
        where = folder or bundled_knowledge_dir()
        try:  # optional in a custom folder; checked whenever present
            if (where / STAGES_FILE).is_file():
                content = load_stage_content(where, kb.by_id)
                parts.append(f"{len(content.guides)} stage guides, {len(content.quiz)} quiz questions")
        except KnowledgeError as exc:
            problems.extend(exc.problems)
        try:
            if (where / PROMPTS_FILE).is_file():
                parts.append(f"{len(load_prompts(where, kb.by_id))} prompts")
        except KnowledgeError as exc:
            problems.extend(exc.problems)
    if problems:
        for problem in problems:
            out.write(f"{problem}\n")
        out.write(f"{len(problems)} problem(s) found\n")
        return EXIT_PROBLEMS
    out.write(f"OK: {'; '.join(parts)}\n")
    return EXIT_OK


def cmd_kb_eval(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    """Score a labelled question file and print the figures and every miss."""
    index = _index(args, config)
    try:
        items = read_labelled(Path(args.file))
    except (OSError, ValueError) as exc:
        print(f"error: {args.file}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    report = evaluate(index, items)
    out.write(report.render(verbose=not args.quiet))
    return EXIT_OK


def cmd_run(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    """Run the bot until SIGINT/SIGTERM."""
    from bot.runtime import run  # imported late: the offline commands need no discord import

    return run(config, knowledge_dir=_knowledge_dir(args, config))


def cmd_sync(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    """Sync slash commands globally (or to one server) once, then exit."""
    from bot.runtime import sync_commands

    return sync_commands(config, guild_id=args.guild, knowledge_dir=_knowledge_dir(args, config))


def cmd_invite(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    """Print the invite link with exactly the permissions the bot needs."""
    from bot.invite import client_id_from_token, invite_url

    client_id = args.client_id
    if client_id is None:
        try:
            token = load_token()
        except ConfigError as exc:
            raise ConfigError(
                f"invite: pass --client-id (your application's id), or set the token: {exc}"
            ) from None
        client_id = client_id_from_token(token.reveal())
        if client_id is None:
            raise ConfigError("invite: the token holds no application id; pass --client-id")
    out.write(invite_url(client_id) + "\n")
    return EXIT_OK


def cmd_learning(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    """List upcoming scheduled sends, or recent deliveries, from the database (no Discord connection)."""
    from bot.learning_report import report  # imported late: the other commands don't need it

    return report(args, config.bot.database, out)


def cmd_db_check(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    """Report integrity, migrations and row counts; exit 1 if the database needs attention."""
    from bot.storage.maintenance import check_database

    report = check_database(config.bot.database)
    out.write(report.render())
    return EXIT_OK if report.healthy else EXIT_PROBLEMS


def cmd_db_backup(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    """Copy the database with SQLite's online backup, then verify the copy."""
    from bot.storage.maintenance import backup_database

    result = backup_database(config.bot.database, Path(args.path), replace=args.force)
    out.write(result.render())
    return EXIT_OK


def _common() -> argparse.ArgumentParser:
    """Options every command accepts, before or after its name (`run --config x.toml` as well)."""
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS as the default: a subcommand that was not given --config leaves the top-level value alone.
    common.add_argument(
        "--config",
        default=argparse.SUPPRESS,
        help=f"config file (default: $STUDIO_MENTOR_CONFIG or ./{DEFAULT_CONFIG_NAME})",
    )
    return common


def _knowledge_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--knowledge", help="knowledge folder (default: the bundled one)")


def register_run(sub: Any, common: argparse.ArgumentParser) -> None:
    """`run`."""
    p = sub.add_parser(
        "run", parents=[common], help="run the bot (token from DISCORD_TOKEN or DISCORD_TOKEN_FILE)"
    )
    _knowledge_option(p)
    p.set_defaults(func=cmd_run)


def register_ask(sub: Any, common: argparse.ArgumentParser) -> None:
    """`ask`."""
    p = sub.add_parser("ask", parents=[common], help="answer a question offline from the knowledge base")
    p.add_argument("question", nargs="?", help="the question; with --json, omit it to read stdin lines")
    p.add_argument("--json", action="store_true", help="one JSON object per question line on stdin")
    _knowledge_option(p)
    p.set_defaults(func=cmd_ask)


def register_kb(sub: Any, common: argparse.ArgumentParser) -> None:
    """`kb check`, `kb eval`."""
    group = sub.add_parser("kb", parents=[common], help="knowledge base tools")
    kb = group.add_subparsers(dest="kb_command", required=True)
    p = kb.add_parser("check", parents=[common], help="validate the knowledge folder and list every problem")
    _knowledge_option(p)
    p.set_defaults(func=cmd_kb_check)
    p = kb.add_parser("eval", parents=[common], help="score labelled questions (question<TAB>slugs|none)")
    p.add_argument("file")
    _knowledge_option(p)
    p.add_argument("--quiet", action="store_true", help="figures only, no list of misses")
    p.set_defaults(func=cmd_kb_eval)


def register_db(sub: Any, common: argparse.ArgumentParser) -> None:
    """`db check`, `db backup PATH`."""
    group = sub.add_parser("db", parents=[common], help="database tools (safe while the bot runs)")
    db = group.add_subparsers(dest="db_command", required=True)
    p = db.add_parser(
        "check", parents=[common], help="integrity, migrations applied/pending/unknown, rows per table"
    )
    p.set_defaults(func=cmd_db_check)
    p = db.add_parser("backup", parents=[common], help="copy the database to PATH (online, then verified)")
    p.add_argument("path", help="the backup file to write")
    p.add_argument("--force", action="store_true", help="replace PATH if it exists")
    p.set_defaults(func=cmd_db_backup)


def register_sync(sub: Any, common: argparse.ArgumentParser) -> None:
    """`sync`."""
    p = sub.add_parser("sync", parents=[common], help="sync slash commands globally (or to --guild) and exit")
    p.add_argument("--guild", type=int, help="sync to this server only")
    _knowledge_option(p)
    p.set_defaults(func=cmd_sync)


def register_invite(sub: Any, common: argparse.ArgumentParser) -> None:
    """`invite`."""
    p = sub.add_parser(
        "invite", parents=[common], help="print the invite link with the permissions the bot needs"
    )
    p.add_argument("--client-id", type=int, help="application id (default: read from DISCORD_TOKEN)")
    p.set_defaults(func=cmd_invite)


def register_learning(sub: Any, common: argparse.ArgumentParser) -> None:
    """`learning upcoming`, `learning deliveries`."""
    learn = sub.add_parser(
        "learning", parents=[common], help="scheduled learning prompts, read from the database"
    )
    learn_sub = learn.add_subparsers(dest="learning_command", required=True)
    p = learn_sub.add_parser(
        "upcoming", parents=[common], help="the next scheduled sends (default: next 24 hours)"
    )
    p.add_argument("--hours", type=float, default=24.0, help="how far ahead to look")
    p.set_defaults(func=cmd_learning)
    p = learn_sub.add_parser(
        "deliveries", parents=[common], help="what was sent, failed or skipped (default: last 24 hours)"
    )
    p.add_argument("--since", default="24h", help="a length (90m, 24h, 7d) or a UTC date/time (2026-01-05)")
    p.set_defaults(func=cmd_learning)


# Each command group adds itself with one function taking (subparsers, common options parser): a new group
# (e.g. `learning`) is one more function in this tuple. Give every parser `parents=[common]`.
REGISTRARS: tuple[Callable[[Any, argparse.ArgumentParser], None], ...] = (
    register_run,
    register_ask,
    register_kb,
    register_db,
    register_sync,
    register_learning,
    register_invite,
)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser (also used by the README test to list commands)."""
    common = _common()
    parser = argparse.ArgumentParser(prog="studio-mentor", description=__doc__, parents=[common])
    sub = parser.add_subparsers(dest="command", required=True)
    for register in REGISTRARS:
        register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script and `python -m bot`."""
    args = build_parser().parse_args(argv)
    try:
        config = load_config(_config_path(getattr(args, "config", None)))
        return int(args.func(args, config, sys.stdout))
    except (ConfigError, StorageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `studio-mentor ask --json | head` must not print a traceback
        return EXIT_OK
