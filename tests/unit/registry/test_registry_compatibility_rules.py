"""Compatibility levels and the explained incompatibilities (avrokit.compatibility)."""

from __future__ import annotations

import json

import pytest

from avrokit import CompatibilityLevel, Incompatibility, check_compatibility, parse_schema
from avrokit.schema import ParsedSchema

L = CompatibilityLevel


def rec(*fields: dict, name: str = "R") -> ParsedSchema:
    return parse_schema(json.dumps({"type": "record", "name": name, "fields": list(fields)}))


A = {"name": "a", "type": "int"}
B_REQUIRED = {"name": "b", "type": "string"}
B_OPTIONAL = {"name": "b", "type": ["null", "string"], "default": None}
V1 = rec(A)
V2_ADD_REQUIRED = rec(A, B_REQUIRED)
V2_ADD_OPTIONAL = rec(A, B_OPTIONAL)


def kinds(found: list[Incompatibility]) -> list[str]:
    return [i.kind for i in found]


def test_levels_parse_case_insensitively_and_know_their_directions() -> None:
    assert L.parse("full_transitive") is L.FULL_TRANSITIVE
    assert L.FULL.backward and L.FULL.forward and not L.FULL.transitive
    assert L.BACKWARD_TRANSITIVE.transitive and not L.BACKWARD_TRANSITIVE.forward
    assert L.FORWARD.forward and not L.FORWARD.backward
    with pytest.raises(ValueError):
        L.parse("SIDEWAYS")


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (L.NONE, []),
        (L.BACKWARD, ["READER_FIELD_MISSING_DEFAULT_VALUE"]),
        (L.BACKWARD_TRANSITIVE, ["READER_FIELD_MISSING_DEFAULT_VALUE"]),
        (L.FORWARD, []),
        (L.FORWARD_TRANSITIVE, []),
        (L.FULL, ["READER_FIELD_MISSING_DEFAULT_VALUE"]),
        (L.FULL_TRANSITIVE, ["READER_FIELD_MISSING_DEFAULT_VALUE"]),
    ],
)
def test_adding_a_required_field_per_level(level: L, expected: list[str]) -> None:
    assert kinds(check_compatibility(V2_ADD_REQUIRED, [(1, V1)], level)) == expected


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (L.NONE, []),
        (L.BACKWARD, []),
        (L.FORWARD, ["READER_FIELD_MISSING_DEFAULT_VALUE"]),
        (L.FULL, ["READER_FIELD_MISSING_DEFAULT_VALUE"]),
    ],
)
def test_removing_a_field_without_default_per_level(level: L, expected: list[str]) -> None:
    assert kinds(check_compatibility(V1, [(1, V2_ADD_REQUIRED)], level)) == expected


def test_adding_an_optional_field_is_fully_compatible() -> None:
    for level in L:
        assert check_compatibility(V2_ADD_OPTIONAL, [(1, V1)], level) == []


def test_incompatibility_explains_path_change_level_version_and_fix() -> None:
    [found] = check_compatibility(V2_ADD_REQUIRED, [(7, V1)], L.BACKWARD)
    assert found.path == "/fields/1"
    assert found.against_version == 7 and found.level is L.BACKWARD
    assert "'b'" in found.message
    assert found.fix == "add a default to field 'b'"
    text = found.describe()
    for part in ("/fields/1", "'b'", "BACKWARD", "version 7", "add a default"):
        assert part in text


def test_forward_removal_points_at_fields_of_new_schema() -> None:
    [found] = check_compatibility(V1, [(3, V2_ADD_REQUIRED)], L.FORWARD)
    assert found.path == "/fields" and "removed" in found.message and "keep field 'b'" in found.fix


def test_transitive_checks_every_version_non_transitive_only_the_last() -> None:
    # v1 {a}, v2 {a, b optional}; the new schema keeps b but drops its default, so only v1 (which
    # has no b) is a problem: visible to transitive levels only.
    v2 = rec(A, B_OPTIONAL)
    new = rec(A, {"name": "b", "type": ["null", "string"]})  # b without default
    history = [(1, V1), (2, v2)]
    assert check_compatibility(new, history, L.BACKWARD) == []
    found = check_compatibility(new, history, L.BACKWARD_TRANSITIVE)
    assert [(i.kind, i.against_version) for i in found] == [
        ("READER_FIELD_MISSING_DEFAULT_VALUE", 1)
    ]
    assert check_compatibility(new, history, L.FULL) == []
    assert [i.against_version for i in check_compatibility(new, history, L.FULL_TRANSITIVE)] == [1]


def test_forward_transitive_sees_old_readers() -> None:
    v1 = rec(A, B_REQUIRED)  # old reader needs b, no default
    v2 = rec(A, {"name": "b", "type": "string", "default": ""})
    new = rec(A)  # drops b
    assert check_compatibility(new, [(1, v1), (2, v2)], L.FORWARD) == []
    found = check_compatibility(new, [(1, v1), (2, v2)], L.FORWARD_TRANSITIVE)
    assert [(i.kind, i.against_version) for i in found] == [
        ("READER_FIELD_MISSING_DEFAULT_VALUE", 1)
    ]


def test_type_change_and_promotions() -> None:
    as_long = rec({"name": "a", "type": "long"})
    as_string = rec({"name": "a", "type": "string"})
    assert check_compatibility(as_long, [(1, V1)], L.BACKWARD) == []  # int promotes to long
    [found] = check_compatibility(as_long, [(1, V1)], L.FORWARD)  # long does not narrow to int
    assert found.kind == "TYPE_MISMATCH" and found.path == "/fields/0/type"
    [found] = check_compatibility(as_string, [(1, V1)], L.BACKWARD)
    assert found.kind == "TYPE_MISMATCH" and "int" in found.message and "string" in found.message


def test_record_rename_is_name_mismatch_unless_aliased() -> None:
    renamed = rec(A, name="Other")
    [found] = check_compatibility(renamed, [(1, V1)], L.BACKWARD)
    assert found.kind == "NAME_MISMATCH" and found.path == "" and "alias" in found.fix
    aliased = parse_schema(
        json.dumps({"type": "record", "name": "Other", "aliases": ["R"], "fields": [A]})
    )
    assert check_compatibility(aliased, [(1, V1)], L.BACKWARD) == []


def test_enum_symbols() -> None:
    def enum(*symbols: str, default: str | None = None) -> ParsedSchema:
        e: dict = {"type": "enum", "name": "E", "symbols": list(symbols)}
        if default:
            e["default"] = default
        return rec({"name": "e", "type": e})

    ab, abc = enum("A", "B"), enum("A", "B", "C")
    [found] = check_compatibility(ab, [(1, abc)], L.BACKWARD)
    assert (
        found.kind == "MISSING_ENUM_SYMBOLS"
        and "C" in found.message
        and found.path == "/fields/0/type"
    )
    assert check_compatibility(abc, [(1, ab)], L.BACKWARD) == []
    assert kinds(check_compatibility(abc, [(1, ab)], L.FORWARD)) == ["MISSING_ENUM_SYMBOLS"]
    # a default on the reader's enum makes unknown symbols readable
    assert check_compatibility(enum("A", "B", default="A"), [(1, abc)], L.BACKWARD) == []


def test_union_branches() -> None:
    opt = rec({"name": "a", "type": ["null", "int"], "default": None})
    three = rec({"name": "a", "type": ["null", "int", "string"], "default": None})
    assert check_compatibility(opt, [(1, V1)], L.BACKWARD) == []  # int -> [null, int]
    [found] = check_compatibility(V1, [(1, opt)], L.BACKWARD)  # null data cannot be read as int
    assert found.kind == "TYPE_MISMATCH" and found.path == "/fields/0/type"
    [found] = check_compatibility(opt, [(1, three)], L.BACKWARD)
    assert found.kind == "MISSING_UNION_BRANCH" and "string" in found.message
    [found] = check_compatibility(three, [(1, opt)], L.FORWARD)
    assert found.kind == "MISSING_UNION_BRANCH" and found.path == "/fields/0/type/2"


def test_fixed_size_and_nested_paths() -> None:
    def fixed(size: int) -> ParsedSchema:
        return rec(
            {
                "name": "h",
                "type": {"type": "array", "items": {"type": "fixed", "name": "H", "size": size}},
            }
        )

    [found] = check_compatibility(fixed(16), [(1, fixed(32))], L.BACKWARD)
    assert found.kind == "FIXED_SIZE_MISMATCH" and found.path == "/fields/0/type/items"


def test_recursive_types_terminate() -> None:
    node = {
        "type": "record",
        "name": "Node",
        "fields": [
            {"name": "v", "type": "int"},
            {"name": "next", "type": ["null", "Node"], "default": None},
        ],
    }
    a = parse_schema(json.dumps(node))
    assert check_compatibility(a, [(1, a)], L.FULL_TRANSITIVE) == []


def test_long_transitive_history_is_checked_against_every_version() -> None:
    history = []
    fields = [A]
    for v in range(1, 21):
        history.append((v, rec(*fields)))
        fields = fields + [{"name": f"f{v}", "type": ["null", "string"], "default": None}]
    assert check_compatibility(rec(*fields), history, L.FULL_TRANSITIVE) == []
    broken = rec(*fields, {"name": "req", "type": "int"})
    found = check_compatibility(broken, history, L.FULL_TRANSITIVE)
    assert sorted(i.against_version for i in found) == list(range(1, 21))


def union_field(*branches: object) -> ParsedSchema:
    return rec({"name": "u", "type": list(branches)})


def named(name: str, *fields: dict, **extra: object) -> dict:
    return {"type": "record", "name": name, "fields": list(fields), **extra}


def test_union_branch_resolution_picks_the_first_match() -> None:
    """Branches are found through an index (checks are linear in branches); the branch picked is
    still the first that Avro resolution would pick, by name, alias or promotion."""
    x_int = named("X", {"name": "v", "type": "int"})
    x_str = named("X", {"name": "v", "type": "string"})
    # writer X (v: int) is read by the first reader branch named X: here one that cannot read it
    [found] = check_compatibility(
        union_field(x_str, "null"), [(1, union_field("null", x_int))], L.BACKWARD
    )
    assert found.kind == "TYPE_MISMATCH" and found.path == "/fields/0/type/0/fields/0/type"
    # an alias names the writer's record
    renamed = named("Y", {"name": "v", "type": "int"}, aliases=["X"])
    assert (
        check_compatibility(
            union_field("null", renamed), [(1, union_field("null", x_int))], L.BACKWARD
        )
        == []
    )
    # promotion: int data is read by the first of long/float/double, in reader order
    assert (
        check_compatibility(
            union_field("null", "double", "long"), [(1, union_field("null", "int"))], L.BACKWARD
        )
        == []
    )
    [found] = check_compatibility(
        union_field("null", "string"), [(1, union_field("null", "int"))], L.BACKWARD
    )
    assert found.kind == "MISSING_UNION_BRANCH" and found.path == "/fields/0/type"
    # unnamed complex types match by type: arrays of int read arrays of int
    arrays = union_field("null", {"type": "array", "items": "long"})
    assert (
        check_compatibility(
            arrays, [(1, union_field("null", {"type": "array", "items": "int"}))], L.BACKWARD
        )
        == []
    )


def test_wide_unions_with_many_findings() -> None:
    old = union_field(*(named(f"B{i}", {"name": "v", "type": "int"}) for i in range(1000)))
    new = union_field(*(named(f"B{i}", {"name": "v", "type": "int"}) for i in range(0, 1000, 2)))
    found = check_compatibility(new, [(1, old)], L.BACKWARD)
    assert len(found) == 500 and {f.kind for f in found} == {"MISSING_UNION_BRANCH"}
    assert all(len(f.message) < 300 for f in found)  # a union is named by its first branches
    assert check_compatibility(old, [(1, new)], L.BACKWARD) == []


def test_enum_symbols_many() -> None:
    def enum(*symbols: str) -> ParsedSchema:
        return rec({"name": "e", "type": {"type": "enum", "name": "E", "symbols": list(symbols)}})

    every = [f"S{i}" for i in range(5000)]
    [found] = check_compatibility(enum(*every[:4000]), [(1, enum(*every))], L.BACKWARD)
    assert found.kind == "MISSING_ENUM_SYMBOLS" and "S4999" in found.message


def test_wide_union_index_keeps_the_first_match_order() -> None:
    """Unions wider than 16 branches go through the index: the branch picked is still the first
    Avro resolution would pick, whether it matches by name, alias or promotion."""
    pad = [named(f"Pad{i}", {"name": "v", "type": "int"}) for i in range(20)]
    x_int = named("X", {"name": "v", "type": "int"})
    aliased_str = named("Y", {"name": "v", "type": "string"}, aliases=["X"])
    # the alias comes first: X data is read by Y (v: string), which cannot read it
    reader = union_field(*pad[:3], aliased_str, *pad[3:], x_int, "null")
    [found] = check_compatibility(reader, [(1, union_field("null", x_int))], L.BACKWARD)
    assert found.path == "/fields/0/type/3/fields/0/type" and found.kind == "TYPE_MISMATCH"
    # promotion: int data goes to the first of long/float/double in reader order
    reader = union_field(*pad[:10], "double", *pad[10:], "long", "null")
    assert check_compatibility(reader, [(1, union_field("null", "int"))], L.BACKWARD) == []
    [found] = check_compatibility(
        union_field(*pad, "null", "string"), [(1, union_field("null", "int"))], L.BACKWARD
    )
    assert found.kind == "MISSING_UNION_BRANCH"
