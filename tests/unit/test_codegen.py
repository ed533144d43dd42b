"""`make codegen`: deterministic, fresh, and every class knows its schema, topics and subjects."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from avrokit.catalog import CatalogError, load_catalog
from codegen.generate import render, ruff_format
from codegen.named import CodegenError
from services import events as ev

ROOT = Path(__file__).resolve().parents[2]


def test_render_is_deterministic() -> None:
    catalog = load_catalog()
    out = ROOT / "services" / "events" / "generated.py"
    assert ruff_format(render(catalog), out) == ruff_format(render(load_catalog()), out)


def test_committed_output_is_fresh() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "codegen", "--check"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr


def test_check_fails_on_stale_output(tmp_path: Path) -> None:
    contracts = tmp_path / "contracts"
    shutil.copytree(ROOT / "contracts", contracts)
    output = tmp_path / "events.py"
    shutil.copy(ROOT / "services" / "events" / "generated.py", output)
    paid = contracts / "shop" / "events" / "order_paid.avsc"
    schema = json.loads(paid.read_text())
    schema["fields"].append(
        {"name": "gateway", "type": ["null", "string"], "default": None, "doc": "Gateway name."}
    )
    paid.write_text(json.dumps(schema, indent=2))
    argv = [sys.executable, "-m", "codegen", "--contracts", str(contracts), "--output", str(output)]
    stale = subprocess.run([*argv, "--check"], capture_output=True, text=True, cwd=ROOT)
    assert stale.returncode == 1
    assert "stale" in stale.stderr and "make codegen" in stale.stderr
    subprocess.run(argv, check=True, capture_output=True, cwd=ROOT)
    assert "gateway: str | None" in output.read_text()
    again = subprocess.run([*argv, "--check"], capture_output=True, text=True, cwd=ROOT)
    assert again.returncode == 0


def test_every_topic_has_a_class_with_its_bindings() -> None:
    catalog = load_catalog()
    assert set(ev.TOPIC_TYPES) == set(catalog.topics)
    for name, topic in catalog.topics.items():
        cls = ev.TOPIC_TYPES[name]
        assert json.loads(cls.AVRO_SCHEMA) == topic.value.schema
        assert topic.value.full_name == cls.AVRO_NAME
        assert name in cls.TOPICS and f"{name}-value" in cls.SUBJECTS
        assert cls.AVRO_REFERENCES == ("shop.common.EventMetadata",)
    assert ev.TOPIC_TYPES["high_priority_notifications"] is ev.Notification
    assert json.loads(ev.SHARED_SCHEMAS["shop.common.EventMetadata"])["name"] == "EventMetadata"


def test_generated_types_enforce_what_avro_would_refuse() -> None:
    import datetime
    import uuid

    import pydantic

    with pytest.raises(pydantic.ValidationError, match="decimal"):
        ev.OrderLine(sku="A", quantity=1, unit_price="1.005")
    with pytest.raises(pydantic.ValidationError, match="quantity"):
        ev.OrderLine(sku="A", quantity=2**31, unit_price="1.00")
    with pytest.raises(pydantic.ValidationError, match="timezone"):
        ev.EventMetadata(
            event_id=uuid.uuid4(),
            correlation_id=uuid.uuid4(),
            producer="x",
            occurred_at=datetime.datetime(2026, 1, 1),  # naive
        )
    meta = ev.EventMetadata(
        event_id=uuid.uuid4(),
        correlation_id=uuid.uuid4(),
        producer="x",
        occurred_at=datetime.datetime(2026, 1, 1, 0, 0, 0, 123456, tzinfo=datetime.UTC),
    )
    assert meta.occurred_at.microsecond == 123000  # cut to the millisecond the wire keeps


def test_catalog_errors_name_the_file(tmp_path: Path) -> None:
    contracts = tmp_path / "contracts"
    shutil.copytree(ROOT / "contracts", contracts)
    (contracts / "shop" / "events" / "order_paid.avsc").write_text("{ not json")
    with pytest.raises(CatalogError, match=r"order_paid\.avsc:1:3: not valid JSON"):
        load_catalog(contracts)


def test_unknown_reference_is_refused(tmp_path: Path) -> None:
    contracts = tmp_path / "contracts"
    shutil.copytree(ROOT / "contracts", contracts)
    paid = contracts / "shop" / "events" / "order_paid.avsc"
    paid.write_text(paid.read_text().replace("shop.common.EventMetadata", "shop.common.Nope"))
    expected = r"order_paid\.avsc: uses shop\.common\.Nope, defined by no shared type"
    with pytest.raises(CatalogError, match=expected):
        load_catalog(contracts)


def test_every_generated_field_carries_its_contract_doc() -> None:
    import pydantic

    seen: set[type] = set()

    def check(model: type[pydantic.BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"
            for arg in (field.annotation, *getattr(field.annotation, "__args__", ())):
                if isinstance(arg, type) and issubclass(arg, pydantic.BaseModel):
                    check(arg)

    for cls in ev.EVENT_TYPES.values():
        check(cls)
    assert ev.OrderLine in seen and ev.EventMetadata in seen


def test_every_event_class_derives_from_the_event_base() -> None:
    catalog = load_catalog()
    for name, topic in catalog.topics.items():
        cls = ev.TOPIC_TYPES[name]
        assert issubclass(cls, ev.Event) and cls.PARTITION_KEY == topic.key == "order_id"
    shared = [ev.EventMetadata, ev.OrderLine, ev.StockLine]
    assert not any(issubclass(cls, ev.Event) for cls in shared)
    assert ev.Event.model_fields["metadata"].annotation is ev.EventMetadata


def test_the_partition_key_is_the_text_of_the_declared_field() -> None:
    from tests.samples import sample_events

    for _, event in sample_events():
        assert event.partition_key() == str(event.model_dump()["order_id"]).encode()


def test_generated_module_stands_alone() -> None:
    """Dependencies point services -> runtime -> generated events: never back."""
    source = (ROOT / "services" / "events" / "generated.py").read_text()
    assert source.startswith("# GENERATED by `make codegen` from contracts/ -- do not edit")
    probe = "import sys, services.events; print(sorted(m for m in sys.modules if 'services' in m))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "['services', 'services.events', 'services.events.generated']"


def test_an_event_without_the_envelope_is_refused(tmp_path: Path) -> None:
    contracts = tmp_path / "contracts"
    shutil.copytree(ROOT / "contracts", contracts)
    paid = contracts / "shop" / "events" / "order_paid.avsc"
    schema = json.loads(paid.read_text())
    schema["fields"][0]["name"] = "meta"
    paid.write_text(json.dumps(schema))
    with pytest.raises(CodegenError, match=r"order_paid\.avsc: event shop.events.OrderPaid has no"):
        render(load_catalog(contracts))
