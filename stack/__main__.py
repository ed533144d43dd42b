"""`python -m stack run|up|down|status|register|topics`: the embedded stack, from a shell."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path

import pydantic

from stack.contracts import create_topics, register_contracts
from stack.stack import Stack, StackConfig


def _say(message: str) -> None:
    print(f"[stack] {message}", flush=True)


def cmd_run(config: StackConfig, once: bool) -> int:
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

        def show(event: pydantic.BaseModel) -> None:
            print(format_line(event), flush=True)

        trace = LiveTrace(config.kafka, config.registry_url, show)
        trace.start()
        _say("placing demo orders (3 that succeed, 1 declined payment, 1 out of stock)")
        placed = place_demo_orders(config.order_api_url)
        orders = wait_for_terminal(config.order_api_url, [oid for oid, _, _ in placed])
        time.sleep(1.0)  # let the last notifications print
        print("\n" + summary_table(orders, placed) + "\n", flush=True)
        if not once:
            _say(
                "the stack keeps running: POST more orders to "
                f"{config.order_api_url}/orders (docs at /docs). Ctrl-C stops everything."
            )
            while not stop.wait(2.0):
                stack.supervise()
        return 0
    finally:
        if trace:
            trace.stop()
        _say("stopping")
        stack.stop()


def cmd_up(config: StackConfig) -> int:
    stack = Stack(config, _say)
    try:
        stack.start_infra()
        stack.start_services()
    except BaseException:
        stack.stop()
        raise
    stack.detach()
    _say(
        f"stack is up: Kafka {config.kafka}, registry {config.registry_url}, "
        f"order API {config.order_api_url}. `make status` to look, `make down` to stop."
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="stack", description=__doc__)
    parser.add_argument("--root", type=Path, default=Path("var"), help="state directory")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start everything, place demo orders, trace live until Ctrl-C")
    run.add_argument("--once", action="store_true", help="stop after the demo orders finish")
    sub.add_parser("up", help="start everything in the background")
    sub.add_parser("down", help="stop what `up` started")
    sub.add_parser("status", help="services, consumer groups, lag, DLQ counts")
    sub.add_parser("register", help="register contracts/ with the registry")
    sub.add_parser("topics", help="create the catalog's topics")
    args = parser.parse_args(argv)
    config = StackConfig.from_settings(args.root)
    try:
        if args.command == "run":
            return cmd_run(config, args.once)
        if args.command == "up":
            return cmd_up(config)
        if args.command == "down":
            Stack.stop_detached(args.root, _say)
            return 0
        if args.command == "status":
            from stack.status import render_status

            print(render_status(config.kafka, args.root / "data" / "run"))
            return 0
        if args.command == "register":
            register_contracts(config.registry_url, progress=_say)
            return 0
        if args.command == "topics":
            _say(f"topics: {', '.join(create_topics(config.kafka))}")
            return 0
    except RuntimeError as exc:
        print(f"stack: {exc}", file=sys.stderr)
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
