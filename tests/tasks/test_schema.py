"""The JSON Schema files in schemas/ are exactly what the pydantic models export."""

import json

from conftest import ROOT

from summarizer.schema import Brief, json_schemas, schema_text


def test_schema_files_match_the_models():
    for name, schema in json_schemas().items():
        path = ROOT / "schemas" / f"{name}.schema.json"
        assert path.is_file(), f"{path} missing: run `summarizer schemas`"
        assert path.read_text(encoding="utf-8") == schema_text(schema), f"{path.name} drifted from the model: run `summarizer schemas`"


def test_brief_schema_requires_grounding_fields():
    schema = json.loads((ROOT / "schemas" / "brief.schema.json").read_text(encoding="utf-8"))
    fact = schema["$defs"]["Fact"]
    for field in ("value", "unit", "quote", "start", "end", "alignment"):
        assert field in fact["required"], field
    assert {"title_vi", "title_en", "summary_vi", "summary_en", "key_points", "facts", "provenance"} <= set(schema["required"])
    assert Brief.model_json_schema() == schema
