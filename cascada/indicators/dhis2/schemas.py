"""The two formats' schemas, shipped with the app (``indicators/data/``, sources in
``data/SOURCE.md``): dataValueSets JSON against the JSON Schema Cascada wrote from DHIS2's
documentation, ADX against the IHE ADX profile's loose schema. Every payload is checked
before it is offered for download or sent; the fake DHIS2 of the tests checks with them
too."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from cascada.core.errors import ApplicationError

DATA = Path(__file__).resolve().parent.parent / "data"
JSON_SCHEMA = DATA / "dhis2_data_value_set.schema.json"
ADX_XSD = DATA / "adx" / "adx_loose.xsd"
ADX_NS = "urn:ihe:qrph:adx:2015"


@lru_cache(maxsize=1)
def _json_validator() -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads(JSON_SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@lru_cache(maxsize=1)
def _adx_schema() -> Any:
    import xmlschema

    # Only the files beside the schema are read: never the network.
    return xmlschema.XMLSchema(str(ADX_XSD), allow="local")


def json_errors(payload: Any) -> list[str]:
    """What is wrong with a dataValueSets payload (empty: nothing)."""
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in _json_validator().iter_errors(payload)
    ]


def adx_errors(document: Any) -> list[str]:
    """What is wrong with an ADX message (bytes, text or a parsed element)."""
    schema = _adx_schema()
    if isinstance(document, bytes | str):
        import defusedxml.ElementTree as SafeET  # noqa: N812

        try:
            document = SafeET.fromstring(document)
        except Exception as error:  # noqa: BLE001 (any parse failure is an answer here)
            return [f"(not XML) {error}"]
    return [str(error.reason or error.message) for error in schema.iter_errors(document)]


def check_json(payload: Any) -> None:
    errors = json_errors(payload)
    if errors:
        raise ApplicationError(
            _("The figures could not be written in DHIS2's format: %(why)s")
            % {"why": errors[0][:200]},
            code="invalid_payload",
        )


def check_adx(document: bytes) -> None:
    errors = adx_errors(document)
    if errors:
        raise ApplicationError(
            _("The figures could not be written in DHIS2's format: %(why)s")
            % {"why": errors[0][:200]},
            code="invalid_payload",
        )
