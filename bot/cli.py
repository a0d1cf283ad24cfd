"""The command line: `aipm-coach COMMAND` (or `python -m bot COMMAND`). Every command reads one
Settings object."""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot import settings as settings_mod
from bot.cli_types import channel_id, int_range, output_file, pair_ref, team_id, user_id
from bot.core.knowledge import KnowledgeError, source_text
from bot.core.library import TEAM_FILE
from bot.core.pipeline.answer import UNSURE
from bot.settings import Settings, SettingsError
from bot.store import StoreError
from bot.store.files import (
    UnsafeTarget,
    check_target,
    check_writable,
    refuse_live_target,
    write_atomic,
)

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
log = logging.getLogger("bot")


class RedactingFilter(logging.Filter):
    """Replaces tokens and the signing secret in every log record, whatever logged it."""

    def __init__(self, settings: Settings):
        super().__init__()
        self.settings = settings

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.settings.redact(message)
        if clean != message or record.exc_info:
            record.msg, record.args = clean, None
            if record.exc_info:
                record.msg = self.settings.redact(
                    clean + "\n" + logging.Formatter().formatException(record.exc_info)
                )
                record.exc_info = None
                record.exc_text = None
        return True


def setup_logging(settings: Settings, *, level: int = logging.INFO) -> None:
    """Log to stderr, one line per event, secrets redacted."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(settings))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("slack_bolt", "slack_sdk", "waitress", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _fail(message: str, code: int) -> int:
    print(message, file=sys.stderr)
    return code


# -- knowledge ---------------------------------------------------------------------


def cmd_knowledge_build(settings: Settings, args: argparse.Namespace) -> int:
    from bot.notes.build import BuildError, build

    seeds = Path(args.seeds) if args.seeds else settings.seeds_dir
    notes = [Path(p) for p in args.notes] or sorted(
        p for p in seeds.glob("*") if p.is_file() and not p.name.startswith(".")
    )
    if not notes:
        return _fail(
            f"No notes found in {seeds}/ (pass NOTE files, --seeds DIR or set COACH_SEEDS).",
            EXIT_USAGE,
        )
    if not settings.knowledge_dir.exists():  # a file in its place is build()'s error to report
        settings.knowledge_dir.mkdir(parents=True)

    def guard(path: Path) -> None:
        # The database need not exist (build never opens it), but is never written over.
        problem = refuse_live_target(
            settings.db_path, path, "a knowledge file", "e.g. a knowledge folder apart from it"
        )
        if problem:
            raise StoreError(problem)

    try:
        report = build(notes, settings.knowledge_dir, guard=guard)
    except BuildError as exc:
        return _fail(str(exc), EXIT_INVALID)
    print(report.format())
    return EXIT_INVALID if getattr(report, "errors", None) else EXIT_OK


def cmd_knowledge_check(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core import knowledge
    from bot.notes.grounding import check_grounding

    try:
        base = knowledge.load(settings.knowledge_dir)
        problems = check_grounding(base, settings.seeds_dir)
    except KnowledgeError as exc:
        problems = exc.problems
    if problems:
        print("\n".join(str(p) for p in problems), file=sys.stderr)
        print(f"{len(problems)} problem(s) in {settings.knowledge_dir}", file=sys.stderr)
        return EXIT_INVALID
    drafts = len(base.drafts)
    gone = sum(1 for t in base if t.status == "gone")
    print(
        f"{settings.knowledge_dir}: {len(base)} tips OK, every quote found in its note in "
        f"{settings.seeds_dir}/ ({len(base.live_tips)} served, {drafts} draft(s) waiting for "
        f"review, {gone} gone from their notes)"
    )
    return EXIT_OK


def _load_base(settings: Settings):
    from bot.core import knowledge

    return knowledge.load(settings.knowledge_dir)


def _served(settings: Settings):
    """The store and the base the bot serves: the YAML folder with the team's tips merged in."""
    from bot.core.library import Library

    store = _open_store(settings)
    return store, Library(settings.knowledge_dir, team=store).base


def cmd_knowledge_list(settings: Settings, args: argparse.Namespace) -> int:
    # With a database, list what the bot serves (team tips included); never create one here.
    base = _served(settings)[1] if settings.db_path.is_file() else _load_base(settings)
    if args.json:
        _print_json([tip.as_dict() for tip in base])
        return EXIT_OK
    for tip in base:
        flag = {"curated": "", "draft": " [draft: waiting for review]"}.get(
            tip.status, f" [{tip.status}]"
        )
        if tip.file == TEAM_FILE:
            flag += " [team]"
        kind = f"{tip.kind}; " if tip.kind else ""
        print(f"{tip.id}{flag}: {tip.title}  ({kind}{', '.join(tip.tags)})")
    drafts = len(base.drafts)
    waiting = f", {drafts} waiting for review (not served)" if drafts else ""
    print(f"{len(base)} tips{waiting}")
    return EXIT_OK


def cmd_knowledge_export(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core import curation

    if not settings.db_path.is_file():
        return _fail(
            f"No database at {settings.db_path}: point COACH_DB at the bot's database file.",
            EXIT_USAGE,
        )
    target = Path(args.path)
    example = "e.g. knowledge/team-tips.yaml"
    store = _open_store(settings)
    guard = store.guard("a knowledge export", example)
    guard(target)  # first: the live database is the worst place to write, say so
    check_target(target, example=example)
    if target.is_file() and not args.force:
        reason = curation.not_an_export(target.read_text(encoding="utf-8", errors="replace"))
        if reason:
            return _fail(
                f"{target}: not replaced, {reason}; an export would lose them. Give a new file "
                f"name, {example}, or add --force to replace it anyway. Nothing was written.",
                EXIT_USAGE,
            )
    try:
        text, count = curation.export_yaml(store)
    except curation.ExportError as exc:
        return _fail(str(exc), EXIT_INVALID)
    write_atomic(target, text, guard=guard, example=example)
    print(
        f"Exported {count} team tip{'' if count == 1 else 's'} to {target}. Put it in the "
        "knowledge folder and commit it; a tip in both is served once (the database's version)."
    )
    return EXIT_OK


# -- ask -----------------------------------------------------------------------------


def _answer_json(answer) -> dict:
    return {
        "question": answer.question,
        "surface": answer.surface,
        "answered": answer.answered,
        "level": answer.level,
        "reason": answer.reason,
        "topic": answer.topic,
        "matches": [
            {
                "id": tip.id,
                "title": tip.title,
                "text": tip.text,
                "score": round(score, 2),
                "url": tip.source.url,
            }
            for tip, score in answer.matches
        ],
    }


def _answer_text(answer) -> str:
    if answer.level == UNSURE:
        lines = ["Not sure this is what you need; closest I have:"]
        lines += [f"  - {tip.title}  (score {score:.2f})" for tip, score in answer.matches]
        return "\n".join(lines)
    if answer.answered:
        tip, score = answer.matches[0]
        lines = [f"{tip.title}  (score {score:.2f})", "", tip.text, "", source_text(tip)]
        others = answer.matches[1:]
        if others:
            lines += ["", "Also relevant: " + "; ".join(t.title for t, _ in others)]
        return "\n".join(lines)
    lines = [
        f"I have no tip on {answer.topic} yet." if answer.topic else "I have no tip on that yet."
    ]
    if answer.matches:
        lines.append("Closest topics: " + "; ".join(t.title for t, _ in answer.matches))
    return "\n".join(lines)


def cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core.coach import Coach

    # The same path as /aipm in Slack, so answers rank with the team's ratings; a
    # question tried in the terminal is not a gap the team had.
    coach = Coach.open(settings)

    def answer(question: str):
        return coach.ask(question, limit=args.limit, surface=args.surface, record_gap=False)

    if args.question == "-":
        for line in sys.stdin:
            question = line.rstrip("\n")
            if not question.strip():
                continue
            result = answer(question)
            if args.json:
                print(json.dumps(_answer_json(result), ensure_ascii=False), flush=True)
            else:
                print(f"> {question}\n{_answer_text(result)}\n", flush=True)
        return EXIT_OK
    result = answer(args.question)
    if args.json:
        _print_json(_answer_json(result))
    else:
        print(_answer_text(result))
    return EXIT_OK


# -- serve ---------------------------------------------------------------------------


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core.coach import Coach
    from bot.serve import ListenError, Runtime, serve_http, serve_socket, warn_if_volatile
    from bot.store.serving import ServingLock

    if args.port:
        settings = _replace(settings, port=args.port)
    if args.playground or (
        not settings.bot_token
        and not settings.app_token
        and not settings.many_workspaces
        and args.auto_playground
    ):
        from bot.playground.server import run_playground

        setup_logging(settings)
        warn_if_volatile(settings)
        return run_playground(settings, workspaces=args.workspaces)
    if args.workspaces != 1:
        return _fail(
            "--workspaces is for the playground: `aipm-coach serve --playground --workspaces 2`. "
            "A real install serves every workspace that installs it (SLACK_CLIENT_ID).",
            EXIT_USAGE,
        )
    from bot.playground import CHANNEL_ID as PLAYGROUND_CHANNEL

    settings.require_slack()
    setup_logging(settings)
    if settings.many_workspaces:
        return _serve_workspaces(settings)
    # Held until the process ends: `restore` is refused while any server holds it.
    serving = ServingLock.hold(settings.db_path)
    coach = Coach.open(settings)
    # The playground's simulated channel lives in the same database: never post there.
    from bot.slack.auth import SlackUnavailable, TokenRejected

    try:
        runtime = Runtime(
            settings, coach, skip_channels=frozenset({PLAYGROUND_CHANNEL}), serving=serving
        )
    except TokenRejected as exc:
        coach.close()
        return _fail(str(exc), EXIT_USAGE)  # one line: which variable, Slack's error, the fix
    except SlackUnavailable as exc:
        coach.close()
        return _fail(str(exc), EXIT_INVALID)
    warn_if_volatile(settings)  # once it will serve: a refused token stays one line
    try:
        if settings.socket_mode:
            return serve_socket(runtime)
        return serve_http(runtime, host=settings.host, port=settings.port)
    except ListenError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except SettingsError as exc:  # AppTokenRejected: one line naming SLACK_APP_TOKEN
        return _fail(str(exc), EXIT_USAGE)
    except SlackUnavailable as exc:
        return _fail(str(exc), EXIT_INVALID)


def _serve_workspaces(settings: Settings) -> int:
    """One install for many workspaces: Slack's OAuth install flow, HTTP mode."""
    from bot.core.library import Library
    from bot.serve import FleetRuntime, ListenError, serve_http, warn_if_volatile
    from bot.store.serving import ServingLock

    serving = ServingLock.hold(settings.db_path)
    runtime = FleetRuntime(settings, Library(settings.knowledge_dir), serving=serving)
    warn_if_volatile(settings)
    if settings.curators or settings.admins:
        log.warning(
            "COACH_CURATORS and COACH_ADMINS name one workspace's people and are ignored with "
            "many workspaces: curators pick curators in App Home, or use "
            "`aipm-coach --team T… curators --add U…`."
        )
    try:
        return serve_http(runtime, host=settings.host, port=settings.port)
    except ListenError as exc:
        return _fail(str(exc), EXIT_USAGE)


def _replace(settings: Settings, **changes) -> Settings:
    from dataclasses import replace

    return replace(settings, **changes)


# -- ratings, gaps, export, backup ----------------------------------------------------


def _open_store(settings: Settings):
    from bot.store import Store

    return Store.open(settings.db_path)


def cmd_stats(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core import ratings

    store, base = _served(settings)
    data = ratings.stats(store, base, days=args.days)
    if args.json:
        keys = ("posts", "ratings", "tips", "questions", "most_asked")
        _print_json({k: data[k] for k in keys})
        return EXIT_OK
    span = f"last {args.days} days" if args.days else "all time"
    asked = data["questions"].get("all", {}).get("asked", 0)
    print(f"{asked} questions, {data['posts']} tip posts, {data['ratings']} ratings ({span})")
    if data["questions"]:
        print(
            f"  {'where':<10} {'asked':>6} {'sure':>6} {'unsure':>7} {'declined':>9} {'not what I asked':>17}"
        )
        for surface, c in data["questions"].items():
            print(
                f"  {surface:<10} {c['asked']:>6} {c['sure']:>6} {c['unsure']:>7} "
                f"{c['declined']:>9} {c['mismatched']:>17}"
            )
    typed = [r for r in data["most_asked"] if r["question"]]
    if typed:
        print("Asked most:")
        for r in typed:
            print(f"  {r['count']:>4}  {r['question']}")
    print("Ratings:")
    for row in data["tips"]:
        print(f"  +{row['useful']:<3} -{row['not_useful']:<3} {row['title']} ({row['id']})")
    return EXIT_OK


def _pairs(settings: Settings, store, *, limit: int | None = None):
    from bot.core import learned
    from bot.core.pipeline.config import DEFAULT

    return learned.for_curators(
        store, _load_base(settings), agree_users=DEFAULT.agree_users, limit=limit
    )


def cmd_gaps(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core import gaps, learned

    if args.clear is not None:
        if not args.clear.strip():
            return _fail("--clear needs the question, as `gaps` shows it.", EXIT_USAGE)
        _require_database(settings)
        counts = gaps.clear(_open_store(settings), args.clear)
        if not any(counts.values()):
            print(f"No kept question matches {args.clear!r}; `aipm-coach gaps` lists them.")
            return EXIT_OK
        print(
            f"Forgot {counts['gaps']} kept wording(s) of {args.clear!r} and "
            f"{counts['gap_waiters']} request(s) to be told about it."
        )
        return EXIT_OK
    store = _open_store(settings)
    # Each open question as people typed it (the latest wording), most asked first.
    rows = [{**row, "example": row["question"] or ""} for row in store.open_gaps(limit=args.limit)]
    taught = _pairs(settings, store, limit=args.limit)
    wrongly = [p for p in taught if p.verdict == learned.MISMATCH]
    candidates = [p for p in taught if p.verdict == learned.MATCH]
    if args.json:
        # A list of unanswered topics; answered-wrongly rows are marked by `kind`.
        _print_json(
            [{"kind": "unanswered", **row} for row in rows]
            + [{"kind": "answered wrongly", **_pair_json(p)} for p in wrongly]
            + [{"kind": "candidate question", **_pair_json(p)} for p in candidates]
        )
        return EXIT_OK
    if not rows and not taught:
        print("No unanswered questions recorded.")
    for row in rows:
        waiting = f"  ({row['waiting']} waiting to be told)" if row.get("waiting") else ""
        print(f"{row['count']:>4}  {row['question'] or '(the question is not kept)'}{waiting}")
    if wrongly:
        print("\nAnswered wrongly (people clicked Not what I asked):")
        for p in wrongly:
            print(f"{p.mismatched:>4}  {p.question!r} got {p.tip_id}")
    if candidates:
        print("\nCandidate questions (people picked the tip; add to its questions):")
        for p in candidates:
            print(f"{p.matched:>4}  {p.question!r} -> {p.tip_id}")
    return EXIT_OK


def _pair_json(pair) -> dict:
    return {
        "ref": pair.ref,
        "question": pair.question,
        "tip_id": pair.tip_id,
        "title": pair.title,
        "verdict": pair.verdict,
        "status": pair.status,
        "matched": pair.matched,
        "mismatched": pair.mismatched,
        "last_at": pair.last_at,
        "curator": pair.curator,
        "advice": pair.advice,
    }


STATUS_WORDS = {
    "pending": "only the people who taught it",
    "disputed": "only each teacher (people disagree)",
    "shared": "everyone (people agreed)",
    "approved": "everyone (a curator approved it)",
    "removed": "nobody but each teacher (a curator removed it)",
}


def cmd_learned(settings: Settings, args: argparse.Namespace) -> int:
    store = _open_store(settings)
    if args.clear:
        print(f"Forgot {store.clear_learned()} learned row(s): every pair and decision.")
        return EXIT_OK
    pairs = _pairs(settings, store)
    chosen = args.approve or args.remove
    if chosen:
        found = [p for p in pairs if p.ref == chosen]
        if not found:
            return _fail(
                f"no learned pair {chosen!r}: run `aipm-coach learned` for the refs", EXIT_USAGE
            )
        pair = found[0]
        verdict = args.verdict or pair.verdict
        store.decide_pair(
            key=pair.key,
            tip_id=pair.tip_id,
            verdict=verdict,
            state="approved" if args.approve else "removed",
            question=pair.question,
            curator=args.curator,
        )
        word = "Approved" if args.approve else "Removed"
        what = "is" if verdict == "match" else "is not"
        print(f"{word} for everyone: {pair.question!r} {what} answered by {pair.tip_id}.")
        return EXIT_OK
    if args.json:
        _print_json([_pair_json(p) for p in pairs])
        return EXIT_OK
    if not pairs:
        print("Nothing learned yet: 'Not what I asked' and picked tips show up here.")
    for p in pairs:
        said = "is" if p.verdict == "match" else "is NOT"
        title = p.title or "(no longer in the base)"
        print(f"[{p.ref}] {p.question!r} {said} answered by {p.tip_id} ({title})")
        when = p.last_at[:16].replace("T", " ")
        print(
            f"    {p.matched} said it is, {p.mismatched} said it is not; last taught {when} UTC;"
            f" changes answers for {STATUS_WORDS[p.status]}"
        )
    print(
        f"{len(pairs)} learned pair(s). Approve one for everyone with "
        "`aipm-coach learned --approve REF`, take one back with `--remove REF`."
    )
    return EXIT_OK


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    store = _open_store(settings)
    guard = store.guard("an export", "e.g. ratings.json")
    if args.output:
        guard(Path(args.output))
        check_target(Path(args.output), example="e.g. ratings.json")
    data = store.export()
    if args.format == "json":
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        text = export_csv(data)
    if args.output:
        write_atomic(args.output, text, guard=guard, example="e.g. ratings.json")
        print(f"Exported {sum(len(rows) for rows in data.values())} records to {args.output}")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def export_csv(data: dict[str, list[dict]]) -> str:
    """One CSV with a `record` column (post, vote, rating) and the union of their columns."""
    columns = ["record"]
    for rows in data.values():
        for row in rows:
            columns += [c for c in row if c not in columns]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for record, rows in data.items():
        for row in rows:
            writer.writerow({"record": record.rstrip("s"), **row})
    return buffer.getvalue()


def _require_database(settings: Settings) -> None:
    if not settings.db_path.is_file():
        raise StoreError(
            f"No database at {settings.db_path}: point COACH_DB at the bot's database file."
        )


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from bot.store import backups
    from bot.store.db import prune

    if args.check:
        if args.path:
            return _fail("Give either PATH (to make a backup) or --check FILE, not both.", 2)
        report = backups.inspect(args.check)
        if not report.ok:
            return _fail(report.format(), EXIT_INVALID)
        print(report.format())
        return EXIT_OK
    if not args.path:
        return _fail(
            "Give PATH, a file or a folder for the backup (e.g. backups/), or --check FILE "
            "to check one.",
            EXIT_USAGE,
        )
    folder = Path(args.path)
    if args.keep is not None and not folder.is_dir():
        return _fail(
            f"{folder}: --keep needs a folder, where each backup gets a timestamped name; "
            "create it or give one, e.g. backups/",
            EXIT_USAGE,
        )
    probe = folder / ".aipm-coach-probe" if folder.is_dir() else folder
    check_target(probe, example="e.g. backups/")
    check_writable(probe)
    _require_database(settings)  # never back up an empty database made here by mistake
    target = _open_store(settings).backup(folder)
    print(f"Backed up {settings.db_path} to {target}")
    if args.keep is not None:
        removed = prune(folder, settings.db_path, keep=args.keep)
        if removed:
            names = ", ".join(p.name for p in removed)
            print(
                f"Removed {len(removed)} older backup(s), keeping the newest {args.keep}: {names}"
            )
    return EXIT_OK


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    from bot.store import backups

    done = backups.restore(args.backup, settings.db_path)
    report = done.report
    print(f"Restored {settings.db_path} from {args.backup} (schema version {report.schema}).")
    if done.aside:
        print(f"The database it replaced is kept at {done.aside}; delete it when all is well.")
    if report.pending:
        print(
            f"The backup is from an older version: the next start applies "
            f"{len(report.pending)} migration(s) (`aipm-coach migrate --check` lists them)."
        )
    print("Start the bot again, e.g. `sudo systemctl start aipm-coach`.")
    return EXIT_OK


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from bot.store import backups

    if args.check:
        pending = backups.pending_migrations(settings.db_path)
        if not pending:
            print(f"{settings.db_path}: up to date, no migration pending.")
            return EXIT_OK
        print(f"{settings.db_path}: {len(pending)} migration(s) pending (not applied):")
        for name in pending:
            print(f"  {name}")
        print("`aipm-coach migrate` (or the next start) applies them; back up first.")
        return EXIT_OK
    pending = backups.pending_migrations(settings.db_path)  # StoreError when no database
    _open_store(settings)  # opening applies them, in one transaction each
    print(
        f"{settings.db_path}: applied {len(pending)} migration(s)"
        + (f" ({', '.join(pending)})" if pending else "")
        + "; the schema is up to date."
    )
    return EXIT_OK


def cmd_forget(settings: Settings, args: argparse.Namespace) -> int:
    _require_database(settings)
    counts = _open_store(settings).forget_user(args.user)
    if not counts:
        print(f"Nothing stored for {args.user}.")
        return EXIT_OK
    rows = ", ".join(f"{table} {n}" for table, n in sorted(counts.items()))
    print(
        f"Forgot {args.user}: {rows} row(s). Their votes, ratings, questions, waits and learned "
        "pairs are deleted; subscriptions, shares and team tips they made stay, without their id."
    )
    return EXIT_OK


# -- daily tips ---------------------------------------------------------------------


def cmd_subscribe(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core import subscriptions
    from bot.core.channel_topics import known_topics
    from bot.core.schedule import ScheduleError

    known = known_topics(_load_base(settings).live_tips) if args.topics else ()
    store = _open_store(settings)
    parts = [p for p in (args.at, args.tz, args.days) if p]
    if args.topics:
        parts += ["topics", args.topics]
    try:
        row, created = subscriptions.subscribe(
            store, args.channel, " ".join(parts), default_tz="UTC", known_topics=known
        )
    except ScheduleError as exc:
        return _fail(str(exc), EXIT_USAGE)
    verb = "Subscribed" if created else "Updated"
    print(f"{verb} {args.channel}: daily tip at {subscriptions.describe(row)}.")
    return EXIT_OK


def cmd_unsubscribe(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core import subscriptions

    if subscriptions.unsubscribe(_open_store(settings), args.channel):
        print(f"Stopped the daily tip in {args.channel}. Ratings and past posts are kept.")
    else:
        print(f"{args.channel} has no daily tip, so there was nothing to stop.")
    return EXIT_OK


def cmd_subscriptions(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core import subscriptions

    rows = _open_store(settings).subscriptions()
    if args.json:
        _print_json([subscriptions.as_json(row) for row in rows])
        return EXIT_OK
    if not rows:
        print("No subscriptions.")
    for row in rows:
        print(f"{row['channel']}: daily tip at {subscriptions.describe(row)}")
    return EXIT_OK


def cmd_post_tip(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core import subscriptions
    from bot.daily.posting import Poster
    from bot.slack.delivery import SlackDeliverer, make_client

    settings.require_bot_token()
    store, base = _served(settings)
    poster = Poster(SlackDeliverer(make_client(settings), command=settings.command), store)
    outcome = subscriptions.post_tip_now(store, base, poster, args.channel, force=args.force)
    if outcome is None:
        return _fail("The tip base has no live tips to post.", EXIT_INVALID)
    if outcome.status == "already":
        print(
            f"{args.channel} already has its daily tip for {outcome.local_date} ({outcome.tip_id}); "
            "nothing posted. Use --force to post another."
        )
        return EXIT_OK
    if outcome.ok:
        print(f"Posted {outcome.tip_id} in {args.channel} (ts {outcome.ts}).")
        return EXIT_OK
    return _fail(
        f"Not posted in {args.channel}: {outcome.status} ({outcome.error or 'no detail'}).",
        EXIT_INVALID,
    )


def cmd_tip(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core import subscriptions

    store, base = _served(settings)
    tip = subscriptions.preview_tip(store, base, channel=args.channel)
    if tip is None:
        return _fail("The tip base has no live tips.", EXIT_INVALID)
    print(subscriptions.render_text(tip))
    return EXIT_OK


# -- many workspaces, curators --------------------------------------------------------


def _workspaces(settings: Settings):
    """The install's workspaces, as `serve` keeps them (COACH_DB and the workspaces folder)."""
    from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore

    from bot.core.library import Library
    from bot.slack.workspaces import Workspaces

    _require_database(settings)
    if not settings.client_id:
        raise SettingsError(
            [
                "SLACK_CLIENT_ID is not set: the workspaces' installations are kept under the "
                f"app's Client ID; use {settings_mod.WHERE['SLACK_CLIENT_ID']}."
            ]
        )
    installations = SQLite3InstallationStore(
        database=str(settings.db_path), client_id=settings.client_id
    )
    library = Library(settings.knowledge_dir)
    return Workspaces(settings, _open_store(settings), library, installations)


def cmd_workspaces_list(settings: Settings, args: argparse.Namespace) -> int:
    _require_database(settings)
    rows = _open_store(settings).workspaces()
    if args.json:
        _print_json(rows)
        return EXIT_OK
    if not rows:
        print("No workspace installed the app (one install serves many with SLACK_CLIENT_ID).")
        return EXIT_OK
    for row in rows:
        when = {"removed": f", data deleted after {row['delete_after']}", "paused": ""}.get(
            row["state"], ""
        )
        reason = f" ({row['reason']})" if row["reason"] else ""
        print(f"{row['team']}  {row['state']}{reason}{when}  {row['team_name']}")
    return EXIT_OK


def cmd_workspaces_delete(settings: Settings, args: argparse.Namespace) -> int:
    workspaces = _workspaces(settings)
    if workspaces.install.workspace(args.workspace) is None:
        return _fail(
            f"No workspace {args.workspace}: `aipm-coach workspaces` lists them.", EXIT_USAGE
        )
    if not args.now:
        after = workspaces.remove(args.workspace, "removed by the operator")
        print(
            f"Removed {args.workspace}: nothing more is posted there; its data is deleted after {after}."
        )
        return EXIT_OK
    workspaces.remove(args.workspace, "deleted by the operator")
    workspaces.delete(args.workspace)
    print(
        f"Deleted {args.workspace}: its tokens and its database ({workspaces.path(args.workspace)})."
    )
    return EXIT_OK


def _team_token(install: Settings, team: str) -> str:
    """The workspace's bot token from the installation store in COACH_DB ("" when none)."""
    from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore

    if not install.db_path.is_file():
        return ""
    store = _open_store(install)
    try:
        row = store.workspace(team)
    finally:
        store.close()
    if row is None or row["state"] not in ("active", "paused"):
        return ""
    installations = SQLite3InstallationStore(
        database=str(install.db_path), client_id=install.client_id
    )
    bot = installations.find_bot(enterprise_id=row["enterprise"] or None, team_id=team)
    return bot.bot_token if bot is not None and bot.bot_token else ""


def cmd_workspaces_adopt(settings: Settings, args: argparse.Namespace) -> int:
    # The single workspace's data (COACH_DB) becomes one workspace's when the install turns
    # into one for many: a consistent copy, never over a workspace's existing file.
    _require_database(settings)
    target = settings.for_team(args.workspace).db_path
    if target.exists():
        return _fail(
            f"{target} exists: {args.workspace} has data already; nothing copied.", EXIT_USAGE
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    store = _open_store(settings)
    store.backup(target)
    print(f"Copied the data in {settings.db_path} to {target}: {args.workspace}'s from now on.")
    return EXIT_OK


def cmd_curators(settings: Settings, args: argparse.Namespace) -> int:
    _require_database(settings)
    store = _open_store(settings)
    if args.add:
        added = store.add_curator(args.add, by=args.by)
        print(f"{args.add} {'is now' if added else 'was already'} a curator.")
        return EXIT_OK
    if args.remove:
        removed = store.remove_curator(args.remove)
        print(f"{args.remove} {'is no longer' if removed else 'was not'} a curator made in Slack.")
        return EXIT_OK
    rows = store.curators()
    if args.json:
        _print_json(rows)
        return EXIT_OK
    for name in sorted(settings.curators):
        print(f"{name}  (COACH_CURATORS)")
    for row in rows:
        print(f"{row['user']}  (added by {row['added_by']}, {row['added_at'][:10]})")
    if not rows and not settings.curators:
        print("No curators beyond the workspace's admins and owners.")
    return EXIT_OK


# -- parser ----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command (each sets `func`)."""
    parser = argparse.ArgumentParser(
        prog="aipm-coach", description="AI PM Coach: tips on AI product management."
    )
    parser.add_argument(
        "--team",
        type=team_id,
        default=None,
        help="one install for many workspaces: run the command on this workspace's data",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Callable, help_text: str, into=sub) -> argparse.ArgumentParser:
        p = into.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    kn = sub.add_parser("knowledge", help="build, check and list the tip base")
    kn_sub = kn.add_subparsers(dest="knowledge_command", required=True, metavar="ACTION")
    p = add(
        "build", cmd_knowledge_build, "turn notes into draft tips, keeping curated edits", kn_sub
    )
    p.add_argument(
        "notes", nargs="*", metavar="NOTE", help="note files (default: every file in seeds/)"
    )
    p.add_argument(
        "--seeds", default="", help="folder of notes when no NOTE is given (default $COACH_SEEDS)"
    )
    add(
        "check",
        cmd_knowledge_check,
        "validate every knowledge file and find each tip's quote in its note ($COACH_SEEDS)",
        kn_sub,
    )
    p = add("list", cmd_knowledge_list, "list every tip", kn_sub)
    p.add_argument("--json", action="store_true", help="a JSON array of tips")
    p = add(
        "export",
        cmd_knowledge_export,
        "write the team's tips (added in Slack) as a knowledge YAML file",
        kn_sub,
    )
    p.add_argument("path", metavar="PATH", help="the YAML file to write")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace PATH even when it holds tips other than exported team tips",
    )

    p = add("ask", cmd_ask, "answer a question from the tip base")
    p.add_argument(
        "question", metavar="QUESTION", help="the question, or - to read one per line from stdin"
    )
    p.add_argument("--json", action="store_true", help="print JSON (one object per line with -)")
    p.add_argument(
        "--limit",
        type=int_range(1, 25, example=3),
        default=3,
        help="how many matches to show, 1-25 (default 3)",
    )

    p.add_argument(
        "--surface",
        choices=("slash", "mention", "dm", "shortcut"),
        default="slash",
        help="answer as if asked there (a shortcut's message is decided as a long one)",
    )
    p = add(
        "serve", cmd_serve, "run the bot (Socket Mode with SLACK_APP_TOKEN, else HTTP on $PORT)"
    )
    p.add_argument(
        "--playground", action="store_true", help="a local Slack-like page, no tokens needed"
    )
    p.add_argument(
        "--auto-playground",
        action="store_true",
        help="use the playground when no Slack token is set",
    )
    p.add_argument(
        "--workspaces",
        type=int,
        choices=(1, 2),
        default=1,
        help="the playground's workspaces: 2 installs the bot in both through Slack's OAuth flow",
    )
    p.add_argument(
        "--port",
        type=int_range(1, 65535, example=3000),
        default=0,
        help="port (default $PORT or 3000)",
    )

    p = add("subscribe", cmd_subscribe, "post a daily tip in a channel")
    p.add_argument("--channel", required=True, type=channel_id, help="channel id, e.g. C0123456")
    p.add_argument("--at", default="", help="local time, e.g. 09:00 or 9am (default 09:00)")
    p.add_argument("--tz", default="", help="IANA time zone, e.g. Europe/Berlin (default UTC)")
    p.add_argument("--days", default="", help="weekdays (default), daily, or e.g. mon,wed,fri")
    p.add_argument(
        "--topics",
        default="",
        help="only tips with these tags, e.g. ux,strategy ('all' for every tip; default: keep)",
    )
    p = add("unsubscribe", cmd_unsubscribe, "stop a channel's daily tip")
    p.add_argument("--channel", required=True, type=channel_id)
    p = add("subscriptions", cmd_subscriptions, "list daily-tip subscriptions")
    p.add_argument("--json", action="store_true")
    p = add("post-tip", cmd_post_tip, "post the due daily tip now (once per local day)")
    p.add_argument("--channel", required=True, type=channel_id)
    p.add_argument(
        "--force", action="store_true", help="post another tip even if today's was posted"
    )
    p = add("tip", cmd_tip, "print today's tip locally")
    p.add_argument(
        "--channel",
        default=None,
        type=channel_id,
        help="follow this channel's rotation (default: a new one)",
    )

    p = add("stats", cmd_stats, "posts, ratings and each tip's tally")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--days",
        type=int_range(1, 36500, example=30),
        default=None,
        help="only the last N days (1-36500)",
    )
    p = add("gaps", cmd_gaps, "the most frequent questions without a tip")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int_range(1, 100_000, example=20), default=20)
    p.add_argument(
        "--clear",
        metavar="QUESTION",
        default=None,
        help="forget this question (as `gaps` shows it), its topic and who waits for it",
    )
    p = add(
        "learned",
        cmd_learned,
        "question-tip pairs people confirmed or marked 'Not what I asked' (candidate questions)",
    )
    p.add_argument("--json", action="store_true")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--clear", action="store_true", help="forget every learned pair")
    what.add_argument("--approve", metavar="REF", type=pair_ref, help="apply a pair for everyone")
    what.add_argument("--remove", metavar="REF", type=pair_ref, help="apply a pair for nobody")
    p.add_argument(
        "--verdict",
        choices=("match", "mismatch"),
        help="with --approve: what to approve (default: what most people said)",
    )
    p.add_argument("--curator", default="cli", help="who decided, for the record (default: cli)")
    p = add("export", cmd_export, "export all ratings and posts")
    p.add_argument("--format", choices=("csv", "json"), default="json")
    p.add_argument(
        "--output",
        "-o",
        type=output_file,
        default="",
        help="file to write (default: standard output)",
    )
    p = add("backup", cmd_backup, "a consistent copy of the database, safe while the bot runs")
    p.add_argument(
        "path", metavar="PATH", nargs="?", default="", help="a file, or a folder for dated names"
    )
    p.add_argument(
        "--keep",
        type=int_range(1, 10_000, example=14),
        default=None,
        help="with a folder PATH: keep only the newest N dated backups there",
    )
    p.add_argument(
        "--check",
        metavar="FILE",
        default="",
        help="check FILE instead: integrity, and a schema this version can open",
    )
    p = add(
        "restore",
        cmd_restore,
        "replace the database (COACH_DB) with a backup; the bot must be stopped",
    )
    p.add_argument("backup", metavar="BACKUP", help="the backup file to restore")
    p = add("migrate", cmd_migrate, "apply pending schema migrations (serve does it at start)")
    p.add_argument(
        "--check", action="store_true", help="only list the pending migrations, apply none"
    )
    p = add("forget", cmd_forget, "delete one person's data (votes, ratings, questions, ...)")
    p.add_argument("--user", required=True, type=user_id, help="their Slack member id, U...")
    p = add("curators", cmd_curators, "list, add or remove the curators made in Slack")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--add", metavar="USER", type=user_id, help="make this member a curator")
    which.add_argument("--remove", metavar="USER", type=user_id, help="no longer a curator")
    p.add_argument("--by", default="cli", help="who decided, for the record (default: cli)")
    p.add_argument("--json", action="store_true")
    ws = sub.add_parser("workspaces", help="one install for many workspaces: list, remove, adopt")
    ws.set_defaults(func=cmd_workspaces_list, json=False)
    ws_sub = ws.add_subparsers(dest="workspaces_command", metavar="ACTION")
    p = add("list", cmd_workspaces_list, "the workspaces that installed the app", ws_sub)
    p.add_argument("--json", action="store_true")
    p = add(
        "delete",
        cmd_workspaces_delete,
        "stop serving a workspace; its data is deleted after COACH_DELETE_AFTER_DAYS",
        ws_sub,
    )
    p.add_argument("workspace", metavar="TEAM", type=team_id)
    p.add_argument("--now", action="store_true", help="delete its data at once")
    p = add(
        "adopt",
        cmd_workspaces_adopt,
        "make the single workspace's data (COACH_DB) this workspace's",
        ws_sub,
    )
    p.add_argument("workspace", metavar="TEAM", type=team_id)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code (0 ok, 1 invalid data, 2 bad settings/usage)."""
    args = build_parser().parse_args(argv)
    try:
        settings = settings_mod.from_env()
    except SettingsError as exc:
        return _fail(f"Configuration problem:\n{exc}", EXIT_USAGE)
    if args.team:
        if args.command in ("workspaces", "serve"):
            return _fail(f"--team does not apply to `{args.command}`.", EXIT_USAGE)
        install = settings
        settings = settings.for_team(args.team)
        if settings.client_id and not settings.bot_token:
            # Commands that call Slack (post-tip for a cron) use the workspace's own token.
            settings = _replace(settings, bot_token=_team_token(install, args.team))
            if args.command == "post-tip" and not settings.bot_token:
                return _fail(
                    f"{args.team} has no installation (it never installed the app, or it was "
                    "removed): there is no token to post with.",
                    EXIT_USAGE,
                )
        if not settings.db_path.is_file():
            return _fail(
                f"No data for workspace {args.team} ({settings.db_path}): `aipm-coach "
                "workspaces` lists the installed ones.",
                EXIT_USAGE,
            )
    try:
        return args.func(settings, args)
    except SettingsError as exc:
        return _fail(f"Configuration problem:\n{exc}", EXIT_USAGE)
    except KnowledgeError as exc:
        print(str(exc), file=sys.stderr)
        return _fail(
            f"The knowledge base in {settings.knowledge_dir} is invalid; fix it and retry "
            "(`aipm-coach knowledge check`).",
            EXIT_INVALID,
        )
    except (StoreError, UnsafeTarget) as exc:
        return _fail(str(exc), EXIT_USAGE)
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        return _fail(f"{where}{exc.strerror or exc}", EXIT_USAGE)
    except Exception as exc:  # the last resort: one line, never a traceback
        return _fail(
            f"Unexpected error: {type(exc).__name__}: {settings.redact(str(exc))}. This is a "
            "bug; please report it "
            "with the command you ran.",
            EXIT_INVALID,
        )
