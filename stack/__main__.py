"""`python -m stack run|up|down|status|dlq|register|topics`: the embedded stack, from a shell."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path

from confluent_kafka import KafkaException

from avrokit.catalog import CONTRACTS_DIR, load_catalog
from avrokit.yamlfile import InputError
from services.runtime.settings import read_settings
from stack.contracts import create_topics, plan_registration, register_contracts
from stack.settings import StackSettings
from stack.stack import Stack, StackConfig


def _say(message: str) -> None:
    print(f"[stack] {message}", flush=True)


def cmd_run(config: StackConfig, once: bool) -> int:
    from services.events import Event
    from stack.demo import place_demo_orders, summary_table, wait_for_terminal
    from stack.trace import LiveTrace, format_line

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stack = Stack(config, _say)
    trace = None
    try:
        stack.start_infra()
        stack.start_services()
        stack.start_console()

        colour = sys.stdout.isatty()

        def show(event: Event) -> None:
            print(format_line(event, colour), flush=True)

        trace = LiveTrace(config.kafka, config.registry_url, show)
        trace.start()
        _say("placing demo orders (3 that succeed, 1 declined payment, 1 out of stock)")
        placed = place_demo_orders(config.order_api_url)
        orders = wait_for_terminal(config.order_api_url, [oid for oid, _, _ in placed])
        time.sleep(1.0)  # let the last notifications print
        print("\n" + summary_table(orders, placed) + "\n", flush=True)
        if not once:
            _say(
                "the stack keeps running: open the console at "
                f"{config.console_url}, or POST more orders to {config.order_api_url}/orders "
                "(docs at /docs). Ctrl-C stops everything."
            )
            while not stop.wait(2.0):
                stack.supervise()
        return 0
    finally:
        if trace:
            trace.stop()
        _say("stopping")
        stack.stop()


def cmd_up(config: StackConfig, instances: int = 1) -> int:
    stack = Stack(config, _say)
    try:
        stack.start_infra()
        stack.start_services(instances=instances)
        stack.start_console()
    except BaseException:
        stack.stop()
        raise
    stack.detach()
    _say(
        f"stack is up: Kafka {config.kafka}, registry {config.registry_url}, "
        f"order API {config.order_api_url}, console {config.console_url}. "
        "`make status` to look, `make down` to stop."
    )
    return 0


def cmd_dlq(config: StackConfig, args: argparse.Namespace) -> int:
    from services.runtime.serde import EventSerde
    from stack import dlq_tool

    entries = dlq_tool.read_entries(config.kafka)
    if args.action == "list":
        print(dlq_tool.format_list(dlq_tool.select(entries, [], args.reason)))
        return 0
    if args.action == "show":
        serde = EventSerde.from_url(config.registry_url)
        for entry in dlq_tool.select(entries, args.refs):
            print(dlq_tool.format_entry(entry, serde))
        return 0
    if not args.refs and not args.all:
        print("stack: name the entries to redrive (numbers or P:O), or --all", file=sys.stderr)
        return 2
    chosen = dlq_tool.select(entries, [] if args.all else args.refs, args.reason)
    sent, refused = dlq_tool.redrive(config.kafka, chosen, args.max_redrives)
    for done in sent:
        where = f"{done.topic}[{done.partition}]@{done.offset}"
        _say(f"redrove {done.entry.number} to {where} (redrive {done.count})")
    for no in refused:
        _say(
            f"refused {no.entry.number}: {no.reason}; fix the cause, "
            "or raise --max-redrives on purpose"
        )
    return 1 if refused else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stack", description=__doc__)
    parser.add_argument("--root", type=Path, default=Path("var"), help="state directory")
    parser.add_argument(
        "--contracts",
        type=Path,
        default=CONTRACTS_DIR,
        help="contracts directory (register, topics)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start everything, place demo orders, trace live until Ctrl-C")
    run.add_argument("--once", action="store_true", help="stop after the demo orders finish")
    up = sub.add_parser("up", help="start everything in the background")
    up.add_argument("--instances", type=int, default=1, help="instances of each service")
    sub.add_parser("down", help="stop what `up` started")
    sub.add_parser(
        "status",
        help="services, consumer groups, lag, DLQ counts (services at OPS_URLS, else this stack's)",
    )
    dlq = sub.add_parser("dlq", help="list, show or redrive dead letter queue entries")
    dlq.add_argument("action", nargs="?", default="list", choices=["list", "show", "redrive"])
    dlq.add_argument("refs", nargs="*", help="entry numbers (from list) or P:O")
    dlq.add_argument("--all", action="store_true", help="redrive every entry (see --reason)")
    dlq.add_argument("--reason", help="only entries of this error class")
    dlq.add_argument(
        "--max-redrives", type=int, default=3, help="refuse entries redriven this often"
    )
    reg = sub.add_parser("register", help="register contracts/ with the registry")
    reg.add_argument("--dry-run", action="store_true", help="say what would be registered")
    reg.add_argument(
        "--subject", action="append", help="only this subject (repeat for more); default: all"
    )
    sub.add_parser(
        "topics",
        help="create the catalog's topics (TOPIC_REPLICATION_FACTOR, TOPIC_PARTITIONS override)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = read_settings(StackSettings, "stack")
    config = StackConfig.from_settings(args.root)
    try:
        if args.command == "run":
            return cmd_run(config, args.once)
        if args.command == "up":
            return cmd_up(config, args.instances)
        if args.command == "down":
            Stack.stop_detached(args.root, _say)
            return 0
        if args.command == "status":
            from stack.health import ops_urls
            from stack.status import render_status

            try:
                print(render_status(config.kafka, ops_urls(args.root, settings.ops_urls)))
            except KafkaException as exc:
                raise RuntimeError(
                    f"status: cannot read the broker at {config.kafka}: {exc}"
                ) from None
            return 0
        if args.command == "dlq":
            return cmd_dlq(config, args)
        if args.command == "register":
            catalog = load_catalog(args.contracts)
            if args.dry_run:
                for line in plan_registration(config.registry_url, catalog, args.subject):
                    _say(line)
                _say("dry run: nothing registered")
                return 0
            register_contracts(config.registry_url, catalog, _say, args.subject)
            return 0
        if args.command == "topics":
            created = create_topics(
                config.kafka,
                load_catalog(args.contracts),
                replication_factor=settings.topic_replication_factor,
                partitions=settings.topic_partitions,
                say=_say,
            )
            _say(f"topics: {', '.join(created)}")
            return 0
    except InputError as exc:  # a malformed catalog or contract: one line per problem
        for line in str(exc).splitlines():
            print(f"stack: {line}", file=sys.stderr)
        return 2
    except (RuntimeError, KeyError) as exc:
        print(f"stack: {exc.args[0] if isinstance(exc, KeyError) else exc}", file=sys.stderr)
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
