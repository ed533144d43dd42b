"""CONTRIBUTING.md's recipes, followed step by step in a temporary copy of the repository: the
code written is the guide's own code blocks, the commands run are the guide's own commands, and
what each command prints or refuses is what the guide says it does."""

from __future__ import annotations

from pathlib import Path

import pytest
from guide import copy_repository, insert, recipe, run, shows, write

ORDER_CREATED = "contracts/shop/events/order_created.avsc"
NOTE = '"doc": "Free-text note from the customer, if any."}'


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_repository(tmp_path / "repo")


def test_recipe_1_add_a_field_to_an_event(repo: Path) -> None:
    guide = recipe(1)
    original = (repo / ORDER_CREATED).read_text()
    insert(repo, ORDER_CREATED, ",\n" + guide.blocks[ORDER_CREATED].rstrip("\n"), after=NOTE)
    [[codegen, compat]] = guide.commands
    run(repo, codegen)
    assert run(repo, compat).splitlines()[-1] == "gate compat passed: 0 errors in 12 subjects"
    assert "`gate compat passed: 0 errors in 12 subjects`" in guide.text
    namespace: dict[str, object] = {}
    generated = (repo / "services/events/generated.py").read_text()
    exec(compile(generated, "generated", "exec"), namespace)  # noqa: S102 - the generated module
    field = namespace["OrderCreated"].model_fields["gift_message"]  # type: ignore[attr-defined]
    assert field.annotation == str | None and field.default is None
    # the required field instead: stopped, with the finding and the fix the guide shows
    (repo / ORDER_CREATED).write_text(original)
    required = guide.blocks[f"{ORDER_CREATED}:required"].rstrip("\n")
    insert(repo, ORDER_CREATED, ",\n" + required, after=NOTE)
    refused = run(repo, compat, ok=False)
    assert shows(refused, guide.blocks["make compat"]), guide.blocks["make compat"]


def test_recipe_2_add_a_service(repo: Path) -> None:
    guide = recipe(2)
    files = [label for label in guide.blocks if ":" not in label and "/" in label]
    new = [f for f in files if not (repo / f).exists()]
    assert {f for f in new if f.startswith("services/loyalty/")} == {
        f"services/loyalty/{m}.py"
        for m in ("__init__", "store", "handlers", "bootstrap", "__main__")
    }
    for path in new:
        write(repo, path, guide.blocks[path])
    [[unit_test], [docs, lint]] = guide.commands
    run(repo, unit_test)  # its handler on the TestBus, before any registration
    # registered with the tools: declarations, the stack, the compose file
    declarations = "services/declarations.py"
    insert(
        repo,
        declarations,
        guide.blocks[f"{declarations}:import"],
        before="from services.notification.bootstrap import NotificationSettings\n",
    )
    insert(
        repo,
        declarations,
        guide.blocks[f"{declarations}:APP_FACTORIES"],
        after='    "notification": lambda: create_notification(NotificationSettings()),\n',
    )
    stack = (repo / "stack/stack.py").read_text()
    (old,) = [line for line in stack.splitlines() if line.startswith("SERVICES = (")]
    (repo / "stack/stack.py").write_text(stack.replace(old, guide.blocks["stack/stack.py"].strip()))
    insert(
        repo,
        "docker-compose.yml",
        guide.blocks["docker-compose.yml"],
        before="  # The operations console",
    )
    assert "`,http://loyalty:9000` appended to the\n`x-ops-urls` line" in guide.text
    compose = (repo / "docker-compose.yml").read_text()
    (ops,) = [line for line in compose.splitlines() if line.startswith("x-ops-urls:")]
    (repo / "docker-compose.yml").write_text(compose.replace(ops, ops + ",http://loyalty:9000"))
    assert "`python -m stack.deploy_check`" in guide.text
    run(repo, ".venv/bin/python -m stack.deploy_check")
    # the catalog does not list the new consumer yet: lint names the topic, the service, the fix
    refused = run(repo, lint, ok=False)
    assert shows(refused, guide.blocks["make lint"]), guide.blocks["make lint"]
    catalog = (repo / "contracts/catalog.yaml").read_text()
    entry = catalog.index("\n  order_delivered:\n")
    old = "    consumers: [notification, order]"
    at = catalog.index(old, entry)
    new_line = guide.blocks["contracts/catalog.yaml"].rstrip("\n")
    (repo / "contracts/catalog.yaml").write_text(catalog[:at] + new_line + catalog[at + len(old) :])
    run(repo, docs)
    run(repo, lint)
    run(repo, "make docs-check")
    # the stack's and the declarations' lists agree, and the handler still passes
    run(repo, ".venv/bin/python -m pytest -q tests/unit/test_declarations.py tests/unit/loyalty")


def test_recipe_3_add_a_gate_rule(repo: Path) -> None:
    guide = recipe(3)
    lint_rules = "gate/rules/lint.py"
    # declared beside the other rules (after the last, before the module's patterns)
    insert(repo, lint_rules, guide.blocks[f"{lint_rules}:rule"], before="\n_SNAKE = re.compile")
    text = (repo / lint_rules).read_text()
    body = text.index("\ndef _field(")
    assert "\ndef " not in text[body + 1 :], "_field() is no longer the last function of lint.py"
    last_return = text.rindex("    return out\n")
    check = guide.blocks[f"{lint_rules}:check"]
    (repo / lint_rules).write_text(text[:last_return] + check + text[last_return:])
    [[fixture_test], [again, rules, docs_check, lint]] = guide.commands
    assert again == fixture_test
    missing = run(repo, fixture_test, ok=False)
    assert (
        "rule LINT_TIMESTAMP_FIELD has no fixture: add "
        "tests/fixtures/gate_rules/LINT_TIMESTAMP_FIELD.yaml"
    ) in missing
    assert "fails with `rule LINT_TIMESTAMP_FIELD has no fixture" in guide.text
    fixture = "tests/fixtures/gate_rules/LINT_TIMESTAMP_FIELD.yaml"
    write(repo, fixture, guide.blocks[fixture])
    run(repo, fixture_test)
    assert "gate/RULES.md is stale" in run(repo, docs_check, ok=False)
    run(repo, rules)
    assert "### `LINT_TIMESTAMP_FIELD`" in (repo / "gate/RULES.md").read_text()
    run(repo, docs_check)
    run(repo, lint)  # the contracts pass the new rule...
    delivered = repo / "contracts/shop/events/order_delivered.avsc"
    stamp = '{"type": "long", "logicalType": "timestamp-millis"}'
    delivered.write_text(delivered.read_text().replace(stamp, '"string"'))
    refused = run(repo, ".venv/bin/python -m gate lint", ok=False)  # ...and it fires in lint
    assert (
        "LINT_TIMESTAMP_FIELD shop.events.OrderDelivered.delivered_at: field 'delivered_at' is "
        "named as a time but is not a timestamp-millis"
    ) in refused
