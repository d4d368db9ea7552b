"""`suivi-dlq`: list a dead-letter topic, show one letter with personal data masked, replay."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime

from suivi_infra.dlq_read import Letter, Selection, masked_body, read_letters, summarize
from suivi_infra.kafka import make_producer
from suivi_infra.records import KafkaSink, OutRecord
from suivi_infra.settings import KafkaSettings

REPLAYED_FROM = "suivi-dlq-replayed-from"


def _age(at: datetime, now: datetime) -> str:
    seconds = max(0, int((now - at).total_seconds()))
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _when(text: str) -> datetime:
    """An ISO 8601 instant; without an offset, UTC."""
    at = datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="suivi-dlq", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="letters by source, reason and provider")
    show = commands.add_parser("show", help="one letter: headers and body, personal data masked")
    show.add_argument("record", help="partition:offset, as `list --records` prints it")
    replay = commands.add_parser(
        "replay", help="send selected letters back to their source topic (idempotent: event ids)"
    )
    for command in (listing, replay):
        command.add_argument("--reason", help="only reasons containing this text")
        command.add_argument("--provider", help="only this provider")
        command.add_argument("--since", type=_when, help="failed at or after (ISO 8601, UTC)")
        command.add_argument("--until", type=_when, help="failed before (ISO 8601, UTC)")
        command.add_argument("--record", action="append", default=[], help="partition:offset")
    listing.add_argument("--records", action="store_true", help="one line per letter as well")
    replay.add_argument("--dry-run", action="store_true", help="say what would be sent, send none")
    for command in (listing, show, replay):
        command.add_argument("topic", help="the dead-letter topic, e.g. tracking.raw.dlq.v1")
    return parser


def _selection(args: argparse.Namespace) -> Selection:
    return Selection(args.reason, args.provider, args.since, args.until, frozenset(args.record))


def print_list(letters: list[Letter], topic: str, *, records: bool) -> None:
    now = datetime.now(UTC)
    print(f"{topic}: {len(letters)} letter(s)")
    if not letters:
        return
    print(f"{'count':>6}  {'oldest':>6}  {'newest':>6}  {'source':22}  {'provider':10}  reason")
    for g in summarize(letters):
        print(
            f"{g.count:6}  {_age(g.oldest, now):>6}  {_age(g.newest, now):>6}  "
            f"{g.source_topic:22}  {g.provider or '-':10}  {g.reason}"
        )
    if records:
        for letter in letters:
            print(f"  {letter.where:>10}  {letter.failed_at.isoformat()}  {letter.reason}")


def print_letter(letter: Letter) -> None:
    print(f"{letter.topic} {letter.where}  key={letter.key!r}")
    for key, value in letter.headers:
        if key.startswith("suivi-dlq-"):
            print(f"  {key}: {value.decode(errors='replace')}")
        else:  # a header of the original record may be anything: its size only
            print(f"  {key}: ({len(value)} bytes)")
    print(masked_body(letter.value))


def replay_record(letter: Letter) -> OutRecord:
    """The record as its source topic first had it, marked with the letter it comes from."""
    headers = [(k, v) for k, v in letter.headers if not k.startswith("suivi-dlq-")]
    headers.append((REPLAYED_FROM, f"{letter.topic}:{letter.where}".encode()))
    return OutRecord(letter.key, letter.value, headers)


async def replay(settings: KafkaSettings, letters: list[Letter]) -> int:
    """Sends every letter to its source topic; returns once the broker acknowledged them."""
    by_topic: dict[str, list[OutRecord]] = {}
    for letter in letters:
        by_topic.setdefault(letter.source_topic, []).append(replay_record(letter))
    producer = make_producer(settings, client_id=f"{settings.client_id}-dlq-replay")
    await producer.start()
    try:
        sink = KafkaSink(producer)
        for topic, records in by_topic.items():
            await asyncio.gather(*await sink.publish(topic, records))
    finally:
        await producer.stop()
    return len(letters)


async def run(args: argparse.Namespace, settings: KafkaSettings) -> int:
    letters = await read_letters(settings, args.topic)
    if args.command == "show":
        found = [letter for letter in letters if letter.where == args.record]
        if not found:
            print(f"no letter {args.record} in {args.topic}")
            return 1
        print_letter(found[0])
        return 0
    chosen = [letter for letter in letters if _selection(args)(letter)]
    if args.command == "list":
        print_list(chosen, args.topic, records=args.records)
        return 0
    unknown = [letter.where for letter in chosen if not letter.source_topic]
    if unknown:
        print(f"no suivi-dlq-source-topic header on {', '.join(unknown)}: nothing replayed")
        return 1
    for letter in chosen:
        print(f"{'would replay' if args.dry_run else 'replay'} {letter.where} → "
              f"{letter.source_topic}  ({letter.reason})")  # fmt: skip
    if not args.dry_run:
        await replay(settings, chosen)
    print(f"{len(chosen)} letter(s) {'selected' if args.dry_run else 'replayed'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return asyncio.run(run(args, KafkaSettings(client_id="suivi-dlq")))
    except LookupError as exc:
        print(exc)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
