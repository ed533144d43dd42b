"""Kafka client configuration, in one place."""

from __future__ import annotations

import os
import socket

from confluent_kafka import Consumer, Producer

from services.runtime.settings import Settings


def client_id(service: str) -> str:
    return f"{service}-{socket.gethostname()}-{os.getpid()}"


def make_producer(settings: Settings, service: str) -> Producer:
    return Producer(
        {
            "bootstrap.servers": settings.kafka_bootstrap_servers,
            "client.id": client_id(service),
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": 5,
        }
    )


def make_consumer(settings: Settings, service: str, group: str) -> Consumer:
    return Consumer(
        {
            "bootstrap.servers": settings.kafka_bootstrap_servers,
            "client.id": client_id(service),
            "group.id": group,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "session.timeout.ms": settings.session_timeout_ms,
            "heartbeat.interval.ms": max(500, settings.session_timeout_ms // 6),
            # the broker answers an empty fetch after this long: it bounds the latency of a hop
            "fetch.wait.max.ms": settings.fetch_wait_max_ms,
        }
    )
