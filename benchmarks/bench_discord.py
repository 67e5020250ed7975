"""Discord round trips end to end: Studio Mentor against a bare discord.py echo bot, side by side.

Both bots run unmodified in their own subprocess, each against its own fresh loopback Discord
(tests/discord_double) served from this process, which also plays the members:

* message -> reply: a member asks a question in the help channel (MESSAGE_CREATE); the clock stops when
  the bot's ``POST /channels/{id}/messages`` replying to it reaches the double. The echo bot echoes it.
* slash command -> callback: ``/ask question`` (Studio Mentor) or ``/echo text`` (echo bot); the clock
  stops when ``POST /interactions/{id}/{token}/callback`` reaches the double.

For each: closed-loop throughput with 1 and 8 round trips in flight (bounded in count and time), then
open-loop latency at half the echo bot's peak rate (sends at fixed intervals, each one timed), plus each
bot's peak RSS (VmHWM of its process) and CPU per round trip. Studio Mentor is started exactly like in
production (``python -m bot --config config.toml run``, token in DISCORD_TOKEN); the echo bot by
benchmarks/echo_runner.py. Everything stays on 127.0.0.1.

    python benchmarks/bench_discord.py                 # full run, 3 repetitions (about 5 minutes)
    python benchmarks/bench_discord.py --quick         # small counts, 1 repetition (about 15 s)
    python benchmarks/bench_discord.py --json out.json # also write every figure as JSON ("-": stdout)

This machine has 2 cores: the double plus the load generator (this process) and the bot under test
(the child) each get roughly one, so the bot's CPU is separated from the double's only partly.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from tests.discord_double import DiscordDouble, RecordedRequest  # noqa: E402
from tests.discord_double.studio import Studio, populate_studio  # noqa: E402

# Shaped like a real bot token (Studio Mentor checks the shape before connecting); only the double takes it.
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GabcDE.abcdefghijklmnopqrstuvwxyz012345678"
HELDOUT = ROOT / "tests" / "data" / "heldout-questions.tsv"
MESSAGE_ROUTE = "/channels/{channel_id}/messages"
CALLBACK_ROUTE = "/interactions/{interaction_id}/{interaction_token}/callback"
KINDS = ("message", "slash")
KIND_TITLES = {"message": "message → reply", "slash": "slash command → callback"}
BOTS = ("echo", "mentor")
P99_TARGET_MS = 20.0
RATIO_TARGET = 0.7
MAX_QUESTIONS = 40
QUESTION_MAX = 300  # /ask's option limit
MAX_IN_FLIGHT = 2000  # open loop: stop sending if the bot falls this far behind

# Used when the held-out file or the knowledge base cannot be read (e.g. mid-edit): clearly on-topic.
FALLBACK_QUESTIONS = [
    "do i need a degree to become a music producer?",
    "what daw should a beginner use?",
    "how do i get my first clients as a producer?",
    "what does a music producer actually do?",
    "how much do music producers earn?",
    "do i need expensive gear to start producing?",
    "should i learn music theory to produce?",
    "how do i build a portfolio as a producer?",
    "what headphones or monitors should i buy first?",
    "how do i network with artists?",
    "how long does it take to become a good producer?",
    "should i go to a music production school?",
    "how do producers get paid royalties?",
    "what is the difference between mixing and mastering?",
    "how do i find an internship at a studio?",
    "can i make a living producing music?",
    "how do i collaborate with other musicians?",
    "how do i promote my music online?",
    "do i need a manager as a producer?",
    "how do i stay motivated when learning production?",
]


# --- questions ------------------------------------------------------------------------------------


# With --distinct every send is a new text ("... #123"): the number changes no answer (numbers are not topic
# words) but defeats Studio Mentor's cache of repeated questions, so each answer pays for a full ranking.
DISTINCT = False
_SEQUENCE = itertools.count()  # unique across phases and repetitions, so no text is ever sent twice


def ask_text(questions: list[str], i: int) -> str:
    """The i-th question to send, made unique when --distinct is on."""
    question = questions[i % len(questions)]
    return f"{question} #{next(_SEQUENCE)}" if DISTINCT else question


def load_questions() -> tuple[list[str], str]:
    """On-topic held-out questions the bundled knowledge base answers in a help channel (or the fallback)."""
    try:
        from bot.chat import looks_like_question
        from bot.knowledge import SearchIndex, load_knowledge

        index = SearchIndex(load_knowledge())
        chosen: list[str] = []
        for line in HELDOUT.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#") or "\t" not in line:
                continue
            question, labels = line.split("\t", 1)
            if labels.strip() == "none" or len(question) > QUESTION_MAX or not looks_like_question(question):
                continue
            if index.search(question).answered:
                chosen.append(question)
            if len(chosen) >= MAX_QUESTIONS:
                break
        if len(chosen) >= 10:
            return chosen, f"{len(chosen)} answered on-topic questions from {HELDOUT.relative_to(ROOT)}"
    except Exception as exc:  # a knowledge base mid-edit must not stop the benchmark
        print(f"note: could not pick held-out questions ({exc!r}); using the fixed list", file=sys.stderr)
    return list(FALLBACK_QUESTIONS), f"{len(FALLBACK_QUESTIONS)} fixed on-topic questions"


# --- one bot under test ---------------------------------------------------------------------------


class ReplyTracker:
    """Timestamps the bot's answers as the double records them, keyed by the message/interaction id."""

    def __init__(self, double: DiscordDouble) -> None:
        self.double = double
        self.pending: dict[int, asyncio.Future[tuple[float, int]]] = {}
        self.arrived: dict[int, tuple[float, int]] = {}
        original = double.requests_log.add

        def add(record: RecordedRequest) -> None:
            original(record)
            key = self._key(record)
            if key is None:
                return
            hit = (time.perf_counter(), record.status)
            future = self.pending.pop(key, None)
            if future is not None and not future.done():
                future.set_result(hit)
            else:
                self.arrived[key] = hit

        double.requests_log.add = add  # type: ignore[method-assign]

    @staticmethod
    def _key(record: RecordedRequest) -> int | None:
        if record.method != "POST":
            return None
        if record.route == CALLBACK_ROUTE:
            return int(record.params["interaction_id"])
        if record.route == MESSAGE_ROUTE and isinstance(record.json, dict):
            ref = record.json.get("message_reference") or {}
            if ref.get("message_id"):
                return int(ref["message_id"])
        return None

    async def wait(self, key: int, timeout: float) -> tuple[float, int] | None:
        """(arrival time, HTTP status) of the answer to ``key``, or None after ``timeout`` seconds."""
        hit = self.arrived.pop(key, None)
        if hit is not None:
            return hit
        future: asyncio.Future[tuple[float, int]] = asyncio.get_running_loop().create_future()
        self.pending[key] = future
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return None
        finally:
            self.pending.pop(key, None)

    def reset(self) -> None:
        """Between phases (nothing in flight): forget what the double kept of earlier traffic.

        The double keeps every request, interaction, message and gateway frame (for RESUME replay). Left
        to grow, that heap makes this process's full garbage collections take tens of milliseconds in
        the middle of later phases, which would show up as the bot's latency.
        """
        double = self.double
        self.arrived.clear()
        double.requests_log.requests.clear()
        double.requests_log.unknown.clear()
        double.interactions.clear()
        double.interactions_by_token.clear()
        double.state.message_index.clear()
        for messages in double.state.messages_by_channel.values():
            messages.clear()
        for session in double.gateway_sessions:
            session.events.clear()


@dataclass
class BotUnderTest:
    name: str  # "echo" or "mentor"
    label: str
    double: DiscordDouble
    studio: Studio
    tracker: ReplyTracker
    proc: subprocess.Popen[bytes]
    log_path: Path
    command: str  # slash command name
    option: str  # its text option

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def check_alive(self) -> None:
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.label} exited with {self.proc.returncode}:\n{self.log_tail()}")

    async def round_trip(self, kind: str, question: str, timeout: float) -> tuple[float | None, int]:
        """One member action and the bot's answer: (seconds, HTTP status), or (None, 0) on timeout."""
        s = self.studio
        start = time.perf_counter()
        if kind == "message":
            message = await self.double.send_message(s.help.id, s.alice.id, question)
            key = int(message["id"])
        else:
            interaction = await self.double.slash_command(
                s.guild.id, s.help.id, s.alice.id, self.command, {self.option: question}
            )
            key = interaction.id
        hit = await self.tracker.wait(key, timeout)
        if hit is None:
            return None, 0
        return hit[0] - start, hit[1]


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads) from /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return float("nan")
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_memory_kib(pid: int) -> dict[str, int]:
    """VmHWM (peak RSS) and VmRSS of a process, in KiB."""
    out: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmHWM:", "VmRSS:")):
                key, value = line.split(":", 1)
                out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def child_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISCORD_TOKEN_FILE", "STUDIO_MENTOR_CONFIG", "HTTP_PROXY", "HTTPS_PROXY")
    }
    env["DISCORD_TOKEN"] = TOKEN
    env["NO_PROXY"] = "127.0.0.1"
    env["PYTHONUNBUFFERED"] = "1"
    return env


async def start_double() -> tuple[DiscordDouble, Studio]:
    double = DiscordDouble(token=TOKEN)
    await double.start()
    return double, populate_studio(double)


def spawn(argv: list[str], log_path: Path) -> subprocess.Popen[bytes]:
    """Start a bot process from the repository root, its output going to log_path."""
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [sys.executable, *argv],
            cwd=ROOT,
            env=child_env(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


async def launch_echo(workdir: Path) -> BotUnderTest:
    double, studio = await start_double()
    log_path = workdir / "echo.log"
    argv = [str(HERE / "echo_runner.py"), "--api-base", double.api_base, "--gateway-url", double.gateway_url]
    proc = spawn([*argv, "--guild-id", str(studio.guild.id)], log_path)
    return BotUnderTest(
        "echo", "echo bot", double, studio, ReplyTracker(double), proc, log_path, "echo", "text"
    )


async def launch_mentor(workdir: Path) -> BotUnderTest:
    double, studio = await start_double()
    folder = workdir / "mentor"
    folder.mkdir()
    config = folder / "config.toml"
    config.write_text(
        "[discord]\n"
        f'api_base = "{double.api_base}"\n'
        f'gateway_url = "{double.gateway_url}"\n'
        f"dev_guild_ids = [{studio.guild.id}]\n"
        "guild_ready_timeout = 0.05\n\n"
        "[bot]\n"
        f"database = {json.dumps(str(folder / 'mentor.db'))}\n"
        'log_level = "INFO"\n\n'
        "[answers]\n"
        "cooldown_seconds = 0\n"
        f"help_channel_ids = [{studio.help.id}]\n",
        encoding="utf-8",
    )
    log_path = workdir / "mentor.log"
    proc = spawn(["-m", "bot", "--config", str(config), "run"], log_path)
    return BotUnderTest(
        "mentor", "Studio Mentor", double, studio, ReplyTracker(double), proc, log_path, "ask", "question"
    )


async def wait_ready(bot: BotUnderTest, probe: str, timeout: float = 60.0) -> float:
    """Wait for command sync, a gateway session and a first answered message; return seconds taken."""
    started = time.perf_counter()
    deadline = started + timeout
    state, guild_id = bot.double.state, bot.studio.guild.id
    while time.perf_counter() < deadline:
        bot.check_alive()
        connected = any(s.alive and s.connected for s in bot.double.gateway_sessions)
        if connected and state.find_command(guild_id, bot.command) is not None:
            break
        await asyncio.sleep(0.05)
    else:
        raise RuntimeError(f"{bot.label} did not connect and sync within {timeout:.0f} s:\n{bot.log_tail()}")
    while time.perf_counter() < deadline:
        bot.check_alive()
        latency, status = await bot.round_trip("message", probe, timeout=1.0)
        if latency is not None and status < 400:
            bot.tracker.reset()
            return time.perf_counter() - started
    raise RuntimeError(f"{bot.label} never answered a message within {timeout:.0f} s:\n{bot.log_tail()}")


async def answered_by(bot: BotUnderTest, questions: list[str]) -> tuple[list[str], list[str]]:
    """Split questions into those the bot answers in the help channel and those it leaves alone."""
    kept: list[str] = []
    dropped: list[str] = []
    for question in questions:
        latency, status = await bot.round_trip("message", question, timeout=2.0)
        (kept if latency is not None and status < 400 else dropped).append(question)
    await drain(bot)
    bot.tracker.reset()
    return kept, dropped


async def stop_bot(bot: BotUnderTest, timeout: float = 15.0) -> int | None:
    """SIGTERM the child, keep serving the double while it closes, then stop the double."""
    try:
        if bot.proc.poll() is None:
            bot.proc.send_signal(signal.SIGTERM)
            deadline = time.perf_counter() + timeout
            while bot.proc.poll() is None and time.perf_counter() < deadline:
                await asyncio.sleep(0.05)
            if bot.proc.poll() is None:
                bot.proc.kill()
                await asyncio.sleep(0.2)
        return bot.proc.poll()
    finally:
        await bot.double.stop()


# --- load patterns --------------------------------------------------------------------------------


@dataclass
class PhaseResult:
    sent: int = 0
    completed: int = 0
    errors: int = 0  # answered with an HTTP error
    timeouts: int = 0
    elapsed: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    bot_cpu_s: float = 0.0
    double_cpu_s: float = 0.0  # this process: the double plus the load generator
    send_lag_ms: list[float] = field(default_factory=list)  # open loop: how late each send left
    overloaded: bool = False

    @property
    def throughput(self) -> float:
        return self.completed / self.elapsed if self.elapsed > 0 else 0.0

    def percentile(self, q: float) -> float:
        return percentile(self.latencies_ms, q)

    def summary(self) -> dict[str, Any]:
        done = max(self.completed, 1)
        return {
            "sent": self.sent,
            "completed": self.completed,
            "errors": self.errors,
            "timeouts": self.timeouts,
            "elapsed_s": round(self.elapsed, 3),
            "throughput_per_s": round(self.throughput, 1),
            "p50_ms": round(self.percentile(50), 3),
            "p99_ms": round(self.percentile(99), 3),
            "max_ms": round(max(self.latencies_ms, default=float("nan")), 3),
            "bot_cpu_us_per_rt": round(self.bot_cpu_s / done * 1e6, 1),
            "bot_cpu_util": round(self.bot_cpu_s / self.elapsed, 3) if self.elapsed else None,
            "double_cpu_util": round(self.double_cpu_s / self.elapsed, 3) if self.elapsed else None,
            "send_lag_p99_ms": round(percentile(self.send_lag_ms, 99), 3) if self.send_lag_ms else None,
            "overloaded": self.overloaded,
        }


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (nan for no values)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


async def measured(bot: BotUnderTest, run: Callable[[PhaseResult], Awaitable[None]]) -> PhaseResult:
    bot.check_alive()
    bot.tracker.reset()
    # The harness's own garbage collections (this process: double + load generator) would show up as
    # the bot's latency: collect between phases and not during them (a phase allocates a bounded amount).
    gc.collect()
    gc.disable()
    result = PhaseResult()
    try:
        cpu0, own0, t0 = proc_cpu_seconds(bot.proc.pid), time.process_time(), time.perf_counter()
        await run(result)
        result.elapsed = time.perf_counter() - t0
        result.bot_cpu_s = proc_cpu_seconds(bot.proc.pid) - cpu0
        result.double_cpu_s = time.process_time() - own0
    finally:
        gc.enable()
    await drain(bot)
    return result


async def drain(bot: BotUnderTest, quiet: float = 0.3, limit: float = 15.0) -> None:
    """Wait until the bot has stopped sending (a backlog after timeouts must not leak into the next phase)."""
    deadline = time.perf_counter() + limit
    seen = -1
    while time.perf_counter() < deadline:
        count = len(bot.double.requests_log.requests)
        if count == seen:
            return
        seen = count
        await asyncio.sleep(quiet)


def record(result: PhaseResult, latency: float | None, status: int) -> None:
    if latency is None:
        result.timeouts += 1
        return
    result.completed += 1
    if status >= 400:
        result.errors += 1
    result.latencies_ms.append(latency * 1000)


async def closed_loop(
    bot: BotUnderTest,
    kind: str,
    questions: list[str],
    concurrency: int,
    n: int,
    max_s: float,
    timeout: float = 5.0,
) -> PhaseResult:
    """``concurrency`` members each asking again as soon as answered, until ``n`` sent or ``max_s`` passed."""
    counter = itertools.count()

    async def run(result: PhaseResult) -> None:
        deadline = time.perf_counter() + max_s

        async def member() -> None:
            while True:
                i = next(counter)
                if i >= n or time.perf_counter() >= deadline:
                    return
                result.sent += 1
                latency, status = await bot.round_trip(kind, ask_text(questions, i), timeout)
                record(result, latency, status)

        await asyncio.gather(*(member() for _ in range(concurrency)))

    return await measured(bot, run)


async def open_loop(
    bot: BotUnderTest,
    kind: str,
    questions: list[str],
    rate: float,
    n: int,
    max_s: float,
    timeout: float = 5.0,
) -> PhaseResult:
    """Sends at fixed intervals of 1/rate regardless of answers (no coordinated omission), each timed."""
    count = max(1, min(n, int(rate * max_s)))
    interval = 1.0 / rate

    async def run(result: PhaseResult) -> None:
        tasks: list[asyncio.Task[None]] = []
        in_flight = 0

        async def one(question: str) -> None:
            nonlocal in_flight
            in_flight += 1
            try:
                latency, status = await bot.round_trip(kind, question, timeout)
                record(result, latency, status)
            finally:
                in_flight -= 1

        start = time.perf_counter() + 0.005
        for i in range(count):
            due = start + i * interval
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            result.send_lag_ms.append(max(0.0, time.perf_counter() - due) * 1000)
            if in_flight >= MAX_IN_FLIGHT:
                result.overloaded = True
                break
            result.sent += 1
            tasks.append(asyncio.create_task(one(ask_text(questions, i))))
        await asyncio.gather(*tasks)

    return await measured(bot, run)


# --- the run --------------------------------------------------------------------------------------


@dataclass
class Settings:
    n: int
    max_s: float
    warmup: int
    repeat: int
    concurrency: tuple[int, ...]


async def one_repetition(rep: int, settings: Settings, questions: list[str], workdir: Path) -> dict[str, Any]:
    """Start both bots (fresh doubles), run every phase interleaved, stop them; return the figures."""
    out: dict[str, Any] = {"phases": {}, "bots": {}, "loadavg_before": os.getloadavg()[0]}
    bots: dict[str, BotUnderTest] = {}
    try:
        bots["echo"] = await launch_echo(workdir)
        bots["mentor"] = await launch_mentor(workdir)
        ready = await asyncio.gather(*(wait_ready(b, questions[0]) for b in bots.values()))
        for name, seconds in zip(bots, ready, strict=True):
            out["bots"][name] = {"ready_s": round(seconds, 2), "pid": bots[name].proc.pid}
        # The knowledge base may differ from what the parent loaded (edited meanwhile): keep only the
        # questions Studio Mentor really answers in the help channel, and use those for both bots.
        kept, dropped = await answered_by(bots["mentor"], questions)
        if len(kept) < 5:
            raise RuntimeError(
                f"Studio Mentor answered only {len(kept)} of the questions:\n{bots['mentor'].log_tail()}"
            )
        questions = kept
        out["questions"] = {"used": len(kept), "dropped": dropped}
        for bot in bots.values():
            for kind in KINDS:
                warm = await closed_loop(bot, kind, questions, 8, settings.warmup, 30.0)
                if warm.completed < warm.sent or warm.errors:
                    raise RuntimeError(f"{bot.label} warm-up ({kind}): {warm.summary()}\n{bot.log_tail()}")
            out["bots"][bot.name]["rss_after_warmup_kib"] = proc_memory_kib(bot.proc.pid).get("VmRSS")
        for kind in KINDS:
            for concurrency in settings.concurrency:
                for bot in bots.values():
                    res = await closed_loop(bot, kind, questions, concurrency, settings.n, settings.max_s)
                    out["phases"][f"{bot.name}/{kind}/c{concurrency}"] = res.summary()
                    print(
                        f"  rep {rep} {bot.label:13} {kind:7} {concurrency} in flight: "
                        f"{res.throughput:7.0f}/s  p50 {res.percentile(50):6.2f} ms  "
                        f"({res.completed}/{res.sent}, {res.errors} errors, {res.timeouts} timeouts)",
                        file=sys.stderr,
                    )
            echo_peak = max(
                out["phases"][f"echo/{kind}/c{c}"]["throughput_per_s"] for c in settings.concurrency
            )
            rate = max(1.0, echo_peak / 2)
            out["phases"][f"rate/{kind}"] = round(rate, 1)
            for bot in bots.values():
                res = await open_loop(bot, kind, questions, rate, settings.n, settings.max_s)
                out["phases"][f"{bot.name}/{kind}/open"] = res.summary()
                print(
                    f"  rep {rep} {bot.label:13} {kind:7} open loop {rate:5.0f}/s: "
                    f"p50 {res.percentile(50):6.2f} ms  p99 {res.percentile(99):6.2f} ms  "
                    f"({res.completed}/{res.sent}, {res.timeouts} timeouts)",
                    file=sys.stderr,
                )
            # Diagnostic: Studio Mentor's latency at a rate it can sustain (half its own peak).
            own = max(out["phases"][f"mentor/{kind}/c{c}"]["throughput_per_s"] for c in settings.concurrency)
            own_rate = max(1.0, own / 2)
            out["phases"][f"own_rate/{kind}"] = round(own_rate, 1)
            res = await open_loop(bots["mentor"], kind, questions, own_rate, settings.n, settings.max_s)
            out["phases"][f"mentor/{kind}/open_own"] = res.summary()
            print(
                f"  rep {rep} Studio Mentor {kind:7} open loop {own_rate:5.0f}/s (½ own peak): "
                f"p50 {res.percentile(50):6.2f} ms  p99 {res.percentile(99):6.2f} ms",
                file=sys.stderr,
            )
        for bot in bots.values():
            mem = proc_memory_kib(bot.proc.pid)
            out["bots"][bot.name]["peak_rss_kib"] = mem.get("VmHWM")
            out["bots"][bot.name]["rss_end_kib"] = mem.get("VmRSS")
            out["bots"][bot.name]["double_internal_errors"] = len(bot.double.internal_errors)
        out["loadavg_after"] = os.getloadavg()[0]
    finally:
        for bot in bots.values():
            code = await stop_bot(bot)
            out["bots"].setdefault(bot.name, {})["exit_code"] = code
    return out


def median_of(reps: list[dict[str, Any]], get: Callable[[dict[str, Any]], float | None]) -> dict[str, float]:
    values = [v for v in (get(r) for r in reps) if v is not None]
    if not values:
        return {"median": float("nan"), "min": float("nan"), "max": float("nan")}
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def summarise(reps: list[dict[str, Any]], settings: Settings) -> dict[str, Any]:
    """Medians (with min and max) over the repetitions of every headline figure."""
    levels = settings.concurrency

    def phase(r: dict[str, Any], bot: str, kind: str, tag: str, key: str) -> float:
        return float(r["phases"][f"{bot}/{kind}/{tag}"][key])

    def peak(r: dict[str, Any], bot: str, kind: str) -> float:
        return max(phase(r, bot, kind, f"c{c}", "throughput_per_s") for c in levels)

    summary: dict[str, Any] = {}
    for kind in KINDS:
        s: dict[str, Any] = {}
        for bot in BOTS:
            for c in levels:
                s[f"{bot}_tput_c{c}"] = median_of(
                    reps, lambda r, b=bot, k=kind, c=c: phase(r, b, k, f"c{c}", "throughput_per_s")
                )
                s[f"{bot}_cpu_us_c{c}"] = median_of(
                    reps, lambda r, b=bot, k=kind, c=c: phase(r, b, k, f"c{c}", "bot_cpu_us_per_rt")
                )
            s[f"{bot}_peak"] = median_of(reps, lambda r, b=bot, k=kind: peak(r, b, k))
            for q in ("p50", "p99"):
                s[f"{bot}_{q}"] = median_of(
                    reps, lambda r, b=bot, k=kind, q=q: phase(r, b, k, "open", f"{q}_ms")
                )
            s[f"{bot}_send_lag_p99"] = median_of(
                reps, lambda r, b=bot, k=kind: phase(r, b, k, "open", "send_lag_p99_ms")
            )
        s["ratio_peak"] = median_of(reps, lambda r, k=kind: peak(r, "mentor", k) / peak(r, "echo", k))
        for c in levels:
            s[f"ratio_c{c}"] = median_of(
                reps,
                lambda r, k=kind, c=c: (
                    phase(r, "mentor", k, f"c{c}", "throughput_per_s")
                    / phase(r, "echo", k, f"c{c}", "throughput_per_s")
                ),
            )
        s["rate"] = median_of(reps, lambda r, k=kind: r["phases"][f"rate/{k}"])
        s["own_rate"] = median_of(reps, lambda r, k=kind: r["phases"][f"own_rate/{k}"])
        for q in ("p50", "p99"):
            s[f"mentor_own_{q}"] = median_of(
                reps, lambda r, k=kind, q=q: phase(r, "mentor", k, "open_own", f"{q}_ms")
            )
        summary[kind] = s
    for bot in BOTS:
        summary[f"{bot}_peak_rss_mib"] = median_of(reps, lambda r, b=bot: r["bots"][b]["peak_rss_kib"] / 1024)
    return summary


def fmt(stat: dict[str, float], digits: int = 0, spread: bool = True) -> str:
    text = f"{stat['median']:,.{digits}f}"
    if spread and stat["min"] != stat["max"]:
        text += f" ({stat['min']:,.{digits}f}–{stat['max']:,.{digits}f})"
    return text


def render(summary: dict[str, Any], settings: Settings, meta: dict[str, Any]) -> str:
    reps = settings.repeat
    lines = [
        "Studio Mentor vs a bare discord.py echo bot, each in its own process against its own loopback "
        "Discord; "
        f"{'median (min–max) of ' + str(reps) + ' repetitions' if reps > 1 else '1 repetition'}; "
        f"{meta['questions']}.",
        "",
        "| Round trip | Measure | Echo bot | Studio Mentor | Mentor / echo | Target |",
        "|---|---|---:|---:|---:|---|",
    ]
    for kind in KINDS:
        s = summary[kind]
        title = KIND_TITLES[kind] + (" (`/ask` vs `/echo`)" if kind == "slash" else "")
        for c in settings.concurrency:
            lines.append(
                f"| {title} | throughput, {c} in flight (/s) | {fmt(s[f'echo_tput_c{c}'])} | "
                f"{fmt(s[f'mentor_tput_c{c}'])} | {fmt(s[f'ratio_c{c}'], 2)} | |"
            )
        ok = "met" if s["ratio_peak"]["median"] >= RATIO_TARGET else "**missed**"
        lines.append(
            f"| {title} | peak throughput (/s) | {fmt(s['echo_peak'])} | {fmt(s['mentor_peak'])} | "
            f"{fmt(s['ratio_peak'], 2)} | ≥ {RATIO_TARGET} ({ok}) |"
        )
        rate = fmt(s["rate"], spread=False)
        lines.append(
            f"| {title} | p50 latency at {rate}/s = ½ echo peak (ms) | {fmt(s['echo_p50'], 2)} | "
            f"{fmt(s['mentor_p50'], 2)} | | |"
        )
        ok = "met" if s["mentor_p99"]["median"] <= P99_TARGET_MS else "**missed**"
        lines.append(
            f"| {title} | p99 latency at {rate}/s (ms) | {fmt(s['echo_p99'], 2)} | "
            f"{fmt(s['mentor_p99'], 2)} | | ≤ {P99_TARGET_MS:.0f} ms ({ok}) |"
        )
        lines.append(
            f"| {title} | load generator send lag p99 in that phase (ms) | "
            f"{fmt(s['echo_send_lag_p99'], 2)} | {fmt(s['mentor_send_lag_p99'], 2)} | | |"
        )
        own = fmt(s["own_rate"], spread=False)
        lines.append(
            f"| {title} | Studio Mentor p50 / p99 at {own}/s = ½ its own peak (ms) | | "
            f"{fmt(s['mentor_own_p50'], 2)} / {fmt(s['mentor_own_p99'], 2)} | | (diagnostic) |"
        )
        c = max(settings.concurrency)
        lines.append(
            f"| {title} | bot CPU per round trip, {c} in flight (µs) | "
            f"{fmt(s[f'echo_cpu_us_c{c}'])} | {fmt(s[f'mentor_cpu_us_c{c}'])} | | |"
        )
    lines.append(
        f"| process | peak RSS, VmHWM (MiB) | {fmt(summary['echo_peak_rss_mib'], 1)} | "
        f"{fmt(summary['mentor_peak_rss_mib'], 1)} | | |"
    )
    lines += [
        "",
        f"Throughput phases: closed loop, up to {settings.n:,} round trips or {settings.max_s:.0f} s each; "
        "latency phases: open loop (fixed send intervals, latency timed from each actual send), "
        f"up to {settings.n:,} sends or {settings.max_s:.0f} s; "
        f"{settings.warmup} warm-up round trips of each kind first. {meta['cpus']} CPUs: the double and load "
        "generator (one process) and the bot (another) share them, so the bot's CPU is separated from the "
        "double's only partly; on loaded machines expect ±10–20 % between runs.",
    ]
    return "\n".join(lines)


def git_state() -> dict[str, Any]:
    """The commit measured and which tracked files under bot/ and knowledge/ differed from it."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return done.stdout.rstrip()

    dirty = [line[3:] for line in git("status", "--porcelain", "--", "bot", "knowledge").splitlines()]
    return {"commit": git("rev-parse", "--short", "HEAD").strip(), "uncommitted_bot_or_knowledge": dirty}


async def main_async(args: argparse.Namespace) -> int:
    settings = Settings(
        n=args.n or (300 if args.quick else 3000),
        max_s=args.max_seconds or (3.0 if args.quick else 20.0),
        warmup=30 if args.quick else 100,
        repeat=args.repeat or (1 if args.quick else 3),
        concurrency=tuple(args.concurrency),
    )
    questions, source = load_questions()
    meta = {
        "questions": source,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
    }
    import discord

    meta["discord_py"] = discord.__version__
    meta["git"] = git_state()
    reps: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-discord-") as tmp:
        for rep in range(1, settings.repeat + 1):
            workdir = Path(tmp) / f"rep{rep}"
            workdir.mkdir()
            load = os.getloadavg()[0]
            print(
                f"repetition {rep}/{settings.repeat} (1-min load average before: {load:.2f})", file=sys.stderr
            )
            if load > 0.5:
                print("  warning: the machine is busy; figures will be noisy", file=sys.stderr)
            reps.append(await one_repetition(rep, settings, questions, workdir))
    summary = summarise(reps, settings)
    print(render(summary, settings, meta))
    loads = ", ".join(f"{r['loadavg_before']:.2f}→{r.get('loadavg_after', float('nan')):.2f}" for r in reps)
    print(f"\n1-min load average before→after each repetition: {loads} (the benchmark itself adds about 2).")
    dirty = meta["git"]["uncommitted_bot_or_knowledge"]
    print(
        f"\nMeasured at commit {meta['git']['commit'] or '?'}"
        + (f" with uncommitted changes to {', '.join(dirty)}." if dirty else ".")
    )
    if args.json:
        payload = json.dumps(
            {"meta": meta, "settings": settings.__dict__, "summary": summary, "repetitions": reps}, indent=2
        )
        if args.json == "-":
            print(payload)
        else:
            Path(args.json).write_text(payload + "\n", encoding="utf-8")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small counts, one repetition")
    parser.add_argument(
        "--distinct", action="store_true", help="make every question text unique (no repeated-question cache)"
    )
    parser.add_argument("--repeat", type=int, help="repetitions (default 3, or 1 with --quick)")
    parser.add_argument("-n", type=int, help="round trips per phase (default 3000, or 300 with --quick)")
    parser.add_argument("--max-seconds", type=float, help="time cap per phase, s (default 20; 3 quick)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8], help="in-flight levels (1 8)")
    parser.add_argument("--json", nargs="?", const="-", help="also write all figures as JSON ('-': stdout)")
    args = parser.parse_args()
    global DISTINCT
    DISTINCT = args.distinct
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(main_async(args))
    return 130


if __name__ == "__main__":
    sys.exit(main())
