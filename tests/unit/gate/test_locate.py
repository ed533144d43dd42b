from gate.locate import Locator

TEXT = """{
  "type": "record",
  "name": "A",
  "fields": [
    {"name": "x", "type": "int", "doc": "a \\"quoted\\" doc"},
    {"name": "y/z", "type": {"type": "array", "items": "long"}}
  ]
}
"""


def test_locates_values_fields_and_nested_pointers() -> None:
    loc = Locator(TEXT)
    assert loc.locate("") == (1, 1)
    assert loc.locate("/name") == (3, 11)
    assert loc.locate("/fields/0") == (5, 14)  # a field: at its "name" value
    assert loc.locate("/fields/0/type") == (5, 27)
    assert loc.locate("/fields/1/type/items") == (6, 56)


def test_missing_pointer_falls_back_to_nearest_ancestor() -> None:
    loc = Locator(TEXT)
    assert loc.locate("/fields/1/type/fields/3/type") == loc.locate("/fields/1/type")
    assert loc.locate("/fields/9") == (4, 13)


def test_keys_with_slash_are_escaped_and_malformed_json_still_locates_prefix() -> None:
    loc = Locator('{"a/b": {"c": 1}}')
    assert loc.keys["/a~1b"] == 1
    broken = Locator('{\n  "name": "A",\n  "fields": [oops')
    assert broken.locate("/name") == (2, 11)
    assert broken.locate("/fields/0") == (3, 14)  # the bad token itself
