from __future__ import annotations

from gate.repoint import translate

OLD = {
    "type": "record",
    "name": "R",
    "fields": [
        {"name": "a", "type": "int"},
        {
            "name": "note",
            "type": [
                "null",
                {"type": "record", "name": "N", "fields": [{"name": "x", "type": "string"}]},
            ],
        },
        {"name": "gone", "type": "int"},
    ],
}
NEW = {
    "type": "record",
    "name": "R",
    "fields": [
        {"name": "b", "type": "int"},
        {"name": "a", "type": "long"},
        {
            "name": "customer_note",
            "aliases": ["note"],
            "type": [
                {
                    "type": "record",
                    "name": "N",
                    "fields": [{"name": "y", "type": "int"}, {"name": "x", "type": "string"}],
                },
                "null",
            ],
        },
    ],
}


def test_fields_follow_names_and_aliases_and_union_branches_follow_names() -> None:
    assert translate("/fields/0/type", OLD, NEW) == "/fields/1/type"
    assert translate("/fields/1", OLD, NEW) == "/fields/2"
    assert translate("/fields/1/type/1/fields/0/type", OLD, NEW) == "/fields/2/type/0/fields/1/type"


def test_a_vanished_field_points_at_its_record_and_the_root_stays() -> None:
    assert translate("/fields/2/type", OLD, NEW) == "/name"
    assert translate("/fields", OLD, NEW) == "/fields"
    assert translate("", OLD, NEW) == ""
