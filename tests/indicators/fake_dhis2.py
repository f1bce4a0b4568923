"""A fake DHIS2 for the tests: ``POST /api/dataValueSets`` on 127.0.0.1, in a thread.

It behaves as dhis2-core's data value import does (DefaultDataValueSetService,
DataValueSetImportValidator, WebMessageUtils.importSummary; FORMATS.md §5):

- basic auth, else 401;
- the payload checked against the shipped schemas (JSON Schema, ADX XSD), else 400;
- id schemes from the URL, overridden by the payload's; ADX's default scheme is ``code``;
- each value keyed by (data element, period, org unit, category option combo, attribute
  option combo): new → imported, same value → ignored, another value → updated; a zero of
  a data element whose zeros are not significant is ignored when new and deletes the
  value it replaces;
- unknown data elements, periods, org units and category option combos are conflicts
  (E7610, E7611, E7612, E7613) and count as ignored; an unknown data set refuses the whole
  import (E7600, status ERROR);
- ``dryRun`` (the payload's wins over the URL's) counts without keeping anything;
- the answer is a web message around the import summary: 200 for SUCCESS, 409 for
  WARNING and ERROR (``legacy=True``: the bare summary with 200, as before 2.38).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import defusedxml.ElementTree as SafeET  # noqa: N812
import pytest

from cascada.indicators.dhis2 import schemas

DEFAULT_COC = "HllvX50cXC0"  # DHIS2's "default" category option combo
PERIOD = re.compile(r"^(\d{4}(0[1-9]|1[0-2])|\d{4}Q[1-4]|\d{4}S[12]|\d{4})$")
ADX = "{urn:ihe:qrph:adx:2015}"


@dataclass
class Metadata:
    """What the server knows: uid → code for each kind, org units also by attribute."""

    data_elements: dict[str, str] = field(default_factory=dict)
    org_units: dict[str, str] = field(default_factory=dict)
    org_unit_attributes: dict[str, dict[str, str]] = field(
        default_factory=dict
    )  # attr → value → uid
    cocs: dict[str, str] = field(default_factory=lambda: {DEFAULT_COC: "default"})
    data_sets: dict[str, str] = field(default_factory=dict)
    # ADX: frozenset of (category code, option code) → category option combo uid.
    adx_combos: dict[frozenset[tuple[str, str]], str] = field(default_factory=dict)
    zero_is_significant: set[str] = field(default_factory=set)


def _find(table: dict[str, str], scheme: str, key: str) -> str | None:
    if scheme.lower() == "code":
        return next((uid for uid, code in table.items() if code == key), None)
    return key if key in table else None


def period_of_adx(text: str) -> str:
    start, duration = text.split("/")
    day = dt.date.fromisoformat(start[:10])
    if duration == "P1M":
        return f"{day.year}{day.month:02d}"
    if duration == "P3M":
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    if duration == "P6M":
        return f"{day.year}S{(day.month - 1) // 6 + 1}"
    if duration == "P1Y":
        return str(day.year)
    return text


class FakeDhis2:
    def __init__(
        self,
        metadata: Metadata,
        *,
        username: str = "cascada",
        password: str = "district-2026-clave",
        legacy: bool = False,
    ) -> None:
        self.metadata = metadata
        self.username = username
        self.password = password
        self.legacy = legacy
        self.values: dict[tuple[str, str, str, str, str], str] = {}
        self.requests: list[dict[str, Any]] = []
        self.fail_with: int | None = None  # answer every request with this status
        self._server: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------ lifecycle

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                return

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, answer = fake.handle(self.path, dict(self.headers.items()), body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self.url

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # ------------------------------------------------------------ the import

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        url = urllib.parse.urlsplit(path)
        params = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
        content_type = headers.get("Content-Type", "").split(";")[0].strip()
        with self._lock:
            self.requests.append(
                {"path": url.path, "params": params, "content_type": content_type, "body": body}
            )
        if self.fail_with:
            return self.fail_with, {"httpStatusCode": self.fail_with, "status": "ERROR"}
        if url.path != "/api/dataValueSets":
            return 404, {"httpStatus": "Not Found", "httpStatusCode": 404, "status": "ERROR"}
        expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        if headers.get("Authorization") != f"Basic {expected}":
            return 401, {
                "httpStatus": "Unauthorized",
                "httpStatusCode": 401,
                "status": "ERROR",
                "message": "Unauthorized",
            }
        if content_type == "application/json":
            try:
                payload = json.loads(body)
            except ValueError:
                return 400, {"httpStatusCode": 400, "status": "ERROR", "message": "Bad JSON"}
            errors = schemas.json_errors(payload)
            if errors:
                return 400, {"httpStatusCode": 400, "status": "ERROR", "message": errors[0]}
            return self._import(*self._from_json(payload, params), params)
        if content_type == "application/adx+xml":
            errors = schemas.adx_errors(body)
            if errors:
                return 400, {"httpStatusCode": 400, "status": "ERROR", "message": errors[0]}
            return self._import(*self._from_adx(body, params), params)
        return 415, {"httpStatusCode": 415, "status": "ERROR", "message": "Unsupported Media Type"}

    def _schemes(self, given: dict[str, str], default: str) -> dict[str, str]:
        general = given.get("idScheme") or default
        return {
            kind: given.get(f"{kind}IdScheme") or general
            for kind in ("dataElement", "orgUnit", "categoryOptionCombo", "dataSet")
        }

    def _from_json(
        self, payload: dict[str, Any], params: dict[str, str]
    ) -> tuple[list[dict[str, str]], dict[str, str], dict[str, Any]]:
        given = dict(params)
        given.update({k: v for k, v in payload.items() if k.endswith("dScheme")})
        options = {
            "dryRun": payload.get("dryRun", params.get("dryRun", "false") == "true"),
            "strategy": payload.get("strategy", params.get("importStrategy", "CREATE_AND_UPDATE")),
            "dataSet": payload.get("dataSet"),
        }
        rows = [
            {
                "dataElement": v["dataElement"],
                "period": v.get("period") or payload.get("period", ""),
                "orgUnit": v.get("orgUnit") or payload.get("orgUnit", ""),
                "categoryOptionCombo": v.get("categoryOptionCombo", ""),
                "attributeOptionCombo": v.get("attributeOptionCombo")
                or payload.get("attributeOptionCombo", ""),
                "value": v["value"],
            }
            for v in payload["dataValues"]
        ]
        return rows, self._schemes(given, "uid"), options

    def _from_adx(
        self, body: bytes, params: dict[str, str]
    ) -> tuple[list[dict[str, str]], dict[str, str], dict[str, Any]]:
        root = SafeET.fromstring(body)
        rows = []
        data_set = None
        for group in root.iter(f"{ADX}group"):
            data_set = group.get("dataSet")
            for value in group.iter(f"{ADX}dataValue"):
                attrs = dict(value.attrib)
                coc = attrs.pop("categoryOptionCombo", "")
                element = attrs.pop("dataElement")
                amount = attrs.pop("value")
                if not coc and attrs:
                    found = self.metadata.adx_combos.get(frozenset(attrs.items()))
                    coc = found or "|".join(f"{k}={v}" for k, v in sorted(attrs.items()))
                    if found:
                        coc = self.metadata.cocs[found] if _is_code(params) else found
                rows.append(
                    {
                        "dataElement": element,
                        "period": period_of_adx(group.get("period", "")),
                        "orgUnit": group.get("orgUnit", ""),
                        "categoryOptionCombo": coc,
                        "attributeOptionCombo": group.get("attributeOptionCombo", ""),
                        "value": amount,
                    }
                )
        options = {
            "dryRun": params.get("dryRun", "false") == "true",
            "strategy": params.get("importStrategy", "CREATE_AND_UPDATE"),
            "dataSet": data_set,
        }
        return rows, self._schemes(params, "code"), options

    def _import(
        self,
        rows: list[dict[str, str]],
        schemes: dict[str, str],
        options: dict[str, Any],
        params: dict[str, str],
    ) -> tuple[int, dict[str, Any]]:
        m = self.metadata
        count = {"imported": 0, "updated": 0, "ignored": 0, "deleted": 0}
        conflicts: list[dict[str, Any]] = []
        rejected: list[int] = []
        dry = bool(options["dryRun"])

        def conflict(index: int, code: str, prop: str, obj: str, message: str) -> None:
            conflicts.append(
                {
                    "object": obj,
                    "objects": {prop: obj},
                    "value": message,
                    "errorCode": code,
                    "property": prop,
                    "indexes": [index],
                }
            )
            count["ignored"] += 1
            rejected.append(index)

        data_set = options.get("dataSet")
        if data_set and _find(m.data_sets, schemes["dataSet"], data_set) is None:
            summary = {
                "responseType": "ImportSummary",
                "status": "ERROR",
                "importOptions": {"dryRun": dry},
                "description": "Import process was aborted",
                "importCount": count,
                "conflicts": [
                    {
                        "object": data_set,
                        "objects": {"dataSet": data_set},
                        "value": f"Data set not found or not accessible: `{data_set}`",
                        "errorCode": "E7600",
                        "property": "dataSet",
                    }
                ],
                "dataSetComplete": "false",
            }
            return self._answer(summary)
        with self._lock:
            for index, row in enumerate(rows):
                de = _find(m.data_elements, schemes["dataElement"], row["dataElement"])
                if de is None:
                    conflict(
                        index,
                        "E7610",
                        "dataElement",
                        row["dataElement"],
                        f"Data element not found or not accessible: `{row['dataElement']}`",
                    )
                    continue
                if not PERIOD.match(row["period"]):
                    conflict(
                        index,
                        "E7611",
                        "period",
                        row["period"],
                        f"Period not valid: `{row['period']}`",
                    )
                    continue
                ou = self._org_unit(schemes["orgUnit"], row["orgUnit"])
                if ou is None:
                    conflict(
                        index,
                        "E7612",
                        "orgUnit",
                        row["orgUnit"],
                        f"Organisation unit not found or not accessible: `{row['orgUnit']}`",
                    )
                    continue
                given = row["categoryOptionCombo"]
                coc = _find(m.cocs, schemes["categoryOptionCombo"], given) if given else DEFAULT_COC
                if coc is None:
                    conflict(
                        index,
                        "E7613",
                        "categoryOptionCombo",
                        given,
                        f"Category option combo not found or not accessible for writing data: `{given}`",
                    )
                    continue
                aoc_given = row["attributeOptionCombo"]
                aoc = (
                    _find(m.cocs, schemes["categoryOptionCombo"], aoc_given)
                    if aoc_given
                    else DEFAULT_COC
                )
                if aoc is None:
                    conflict(
                        index,
                        "E7615",
                        "attributeOptionCombo",
                        aoc_given,
                        f"Attribute option combo not found or not accessible for writing data: `{aoc_given}`",
                    )
                    continue
                key = (de, row["period"], ou, coc, aoc)
                value = row["value"]
                existing = self.values.get(key)
                zero = _is_zero(value) and de not in m.zero_is_significant
                if zero:
                    if existing is None:
                        count["ignored"] += 1
                    else:
                        count["deleted"] += 1
                        if not dry:
                            del self.values[key]
                    continue
                if existing is None:
                    count["imported"] += 1
                elif existing == value:
                    count["ignored"] += 1
                    continue
                else:
                    count["updated"] += 1
                if not dry:
                    self.values[key] = value
        summary = {
            "responseType": "ImportSummary",
            "status": "WARNING" if conflicts else "SUCCESS",
            "importOptions": {"dryRun": dry, "importStrategy": options["strategy"]},
            "description": "Import process completed successfully",
            "importCount": count,
            "conflicts": conflicts,
            "rejectedIndexes": rejected,
            "dataSetComplete": "false",
        }
        return self._answer(summary)

    def _org_unit(self, scheme: str, key: str) -> str | None:
        if scheme.startswith("attribute:"):
            return self.metadata.org_unit_attributes.get(scheme[len("attribute:") :], {}).get(key)
        return _find(self.metadata.org_units, scheme, key)

    def _answer(self, summary: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.legacy:
            return 200, summary
        if summary["status"] == "ERROR":
            return 409, {
                "httpStatus": "Conflict",
                "httpStatusCode": 409,
                "status": "ERROR",
                "message": "An error occurred, please check import summary.",
                "response": summary,
            }
        if summary["status"] == "WARNING":
            return 409, {
                "httpStatus": "Conflict",
                "httpStatusCode": 409,
                "status": "WARNING",
                "message": "One more conflicts encountered, please check import summary.",
                "response": summary,
            }
        return 200, {
            "httpStatus": "OK",
            "httpStatusCode": 200,
            "status": "OK",
            "message": "Import was successful.",
            "response": summary,
        }

    # ------------------------------------------------------------ reading back

    def value(self, de: str, period: str, ou: str, coc: str = DEFAULT_COC) -> str | None:
        return self.values.get((de, period, ou, coc, DEFAULT_COC))


def _is_zero(value: str) -> bool:
    try:
        return float(value) == 0
    except ValueError:
        return False


def _is_code(params: dict[str, str]) -> bool:
    scheme = params.get("categoryOptionComboIdScheme") or params.get("idScheme") or "code"
    return scheme.lower() == "code"


# ---------------------------------------------------------------- the tests' DHIS2

PASSWORD = "district-2026-clave"  # a canary: must appear in no page, log or audit row
DE_ENROLLED = "dePersInsc1"
DE_COMPLETED = "dePersComp1"
DE_CONTACTS = "deContacts1"
COC_MALE = "cocHombre01"
COC_FEMALE = "cocMujer001"
DATA_SET = "dsVaronesPE"
OU = {  # the org units DHIS2 knows, by code (ubigeo) → uid
    "15": "ouLimaDep01",
    "1501": "ouLimaPrv01",
    "150101": "ouLimaCerc1",
    "05": "ouAyacucho1",
    "0501": "ouHuamang01",
    "050101": "ouHuamanga1",
}


def world_metadata() -> Metadata:
    return Metadata(
        data_elements={
            DE_ENROLLED: "PERS_INSC",
            DE_COMPLETED: "PERS_COMP",
            DE_CONTACTS: "CONTACTOS",
        },
        org_units={uid: code for code, uid in OU.items()},
        org_unit_attributes={"UbigeoAttr1": dict(OU)},
        cocs={DEFAULT_COC: "default", COC_MALE: "HOMBRE", COC_FEMALE: "MUJER"},
        data_sets={DATA_SET: "VARONES"},
        adx_combos={
            frozenset({("SEXO", "H")}): COC_MALE,
            frozenset({("SEXO", "M")}): COC_FEMALE,
        },
    )


def configure(org: Any, url: str, *, ubigeo: bool = True, contacts: bool = False) -> None:
    """The world's organization maps people enrolled (by sex) and completed (total) to the
    fake's data elements, and its places to org units by ubigeo code."""
    from cascada.indicators.dhis2 import services
    from cascada.indicators.models import Indicator

    services.server_set(
        actor=None,
        organization=org,
        base_url=url,
        username="cascada",
        password=PASSWORD,
        data_set=DATA_SET,
    )
    services.mapping_save(
        actor=None,
        organization=org,
        indicator=Indicator.objects.get(code="people_enrolled", organization=None),
        measure="base",
        data_element=DE_ENROLLED,
        dimensions=["sex"],
        category_option_combos={"male": COC_MALE, "female": COC_FEMALE},
        adx_categories={"sex": "SEXO"},
        adx_options={"sex": {"male": "H", "female": "M"}},
    )
    services.mapping_save(
        actor=None,
        organization=org,
        indicator=Indicator.objects.get(code="people_completed", organization=None),
        measure="value",
        data_element=DE_COMPLETED,
    )
    if contacts:
        services.mapping_save(
            actor=None,
            organization=org,
            indicator=Indicator.objects.get(code="session_contacts", organization=None),
            measure="value",
            data_element=DE_CONTACTS,
        )
    if ubigeo:
        services.org_units_from_ubigeo(actor=None, organization=org)


@pytest.fixture
def dhis2(settings: Any) -> Any:
    """A fake DHIS2 running on 127.0.0.1 (http to loopback allowed, as in development)."""
    settings.CASCADA_DHIS2_LOCAL_OK = True
    fake = FakeDhis2(world_metadata(), password=PASSWORD)
    fake.start()
    yield fake
    fake.stop()
