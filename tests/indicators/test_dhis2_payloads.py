"""DHIS2 payloads built from the fill table of the hand-built world (conftest.py): the
values are the consenting sums, by period, org unit and category option combo; the JSON
follows the shipped JSON Schema and the ADX the IHE ADX schema; what cannot be sent is
reported, never dropped (docs/decisions/dhis2.md)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import defusedxml.ElementTree as SafeET  # noqa: N812
import pytest

from cascada.core.errors import ApplicationError
from cascada.indicators import present
from cascada.indicators.dhis2 import payloads, rules, schemas, services
from cascada.indicators.dhis2.payloads import adx, build, data_value_sets
from cascada.indicators.dhis2.selectors import DIMENSION_LABELS
from cascada.indicators.models import Dhis2Mapping, Dhis2OrgUnit, Indicator
from cascada.registry.models import Place, Sex
from tests.indicators.fake_dhis2 import (
    COC_FEMALE,
    COC_MALE,
    DATA_SET,
    DE_COMPLETED,
    DE_ENROLLED,
    configure,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 1, 15)
HALF = ["2025Q1", "2025Q2"]


@pytest.fixture
def mapped(filled, settings):
    settings.CASCADA_DHIS2_LOCAL_OK = True
    configure(filled["org"], "http://127.0.0.1:9")  # nothing listens: payloads only
    return filled


def table(payload):
    return {
        (v["dataElement"], v["period"], v["orgUnit"], v.get("categoryOptionCombo", "")): v["value"]
        for v in payload["dataValues"]
    }


def test_json_follows_the_schema_and_counts_people_who_consented(mapped):
    payload = data_value_sets(organization=mapped["org"], periods=HALF)
    assert schemas.json_errors(payload) == []
    assert payload["dataSet"] == DATA_SET
    assert payload["orgUnitIdScheme"] == "code" and payload["dataElementIdScheme"] == "uid"
    values = table(payload)
    # Q1, Lima (Cercado): a1 (man), a2 (woman), a4 (man) consented; a3 did not.
    assert values[(DE_ENROLLED, "2025Q1", "150101", COC_MALE)] == "2"
    assert values[(DE_ENROLLED, "2025Q1", "150101", COC_FEMALE)] == "1"
    # Q2, Huamanga: b1..b4 consented, b5 did not; b1, b2, b4 completed (b5 too, not counted).
    assert values[(DE_ENROLLED, "2025Q2", "050101", COC_MALE)] == "4"
    assert values[(DE_COMPLETED, "2025Q2", "050101", "")] == "3"
    assert values[(DE_COMPLETED, "2025Q1", "150101", "")] == "2"  # a1, a2 (a3 did not consent)
    # Places and subgroups the program had get a zero in the other periods: a value that
    # went down is corrected in DHIS2, not left behind.
    assert values[(DE_ENROLLED, "2025Q2", "150101", COC_MALE)] == "0"
    assert values[(DE_COMPLETED, "2025Q1", "050101", "")] == "0"


def test_json_values_equal_the_fill_tables_consenting_sums(mapped):
    """Against an independent reading of the fill table: every (period, district, sex)
    sum of the consenting columns."""
    program = mapped["program"]
    expected: dict[tuple, float] = defaultdict(float)
    for source, de, column, by_sex in (
        ("participants", DE_ENROLLED, 1, True),
        ("completions", DE_COMPLETED, 0, False),
    ):
        qs = present.facts(source, program_ids=[program.pk])
        for (month, district, sex), pair in present.sums(
            qs, ("month", "district__code", "sex"), consenting=True
        ).items():
            period = f"{month.year}Q{(month.month - 1) // 3 + 1}"
            coc = {"male": COC_MALE, "female": COC_FEMALE}[sex] if by_sex else ""
            expected[(de, period, district, coc)] += pair[column]
    got = {
        k: float(v)
        for k, v in table(data_value_sets(organization=mapped["org"], periods=HALF)).items()
        if float(v)
    }
    assert got == {k: v for k, v in expected.items() if v}


@pytest.mark.parametrize(
    "periods,expected",
    [
        (["202501", "202504"], {"202501": "2", "202504": "0"}),
        (["2025S1"], {"2025S1": "2"}),
        (["2025"], {"2025": "2"}),
    ],
)
def test_periods_as_dhis2_names_them(mapped, periods, expected):
    values = table(data_value_sets(organization=mapped["org"], periods=periods))
    assert {p: values[(DE_ENROLLED, p, "150101", COC_MALE)] for p in periods} == expected
    assert values[(DE_ENROLLED, periods[-1], "050101", COC_MALE)] == "4"


def test_adx_follows_the_adx_schema_with_iso_periods_and_category_codes(mapped):
    document = adx(organization=mapped["org"], periods=HALF)
    assert schemas.adx_errors(document) == []
    root = SafeET.fromstring(document)
    ns = "{urn:ihe:qrph:adx:2015}"
    assert root.tag == f"{ns}adx" and root.get("exported").endswith("Z")
    groups = {(g.get("orgUnit"), g.get("period")): g for g in root.iter(f"{ns}group")}
    assert set(groups) == {
        ("150101", "2025-01-01/P3M"),
        ("150101", "2025-04-01/P3M"),
        ("050101", "2025-01-01/P3M"),
        ("050101", "2025-04-01/P3M"),
    }
    assert all(g.get("dataSet") == DATA_SET for g in groups.values())
    lima_q1 = {
        (v.get("dataElement"), v.get("SEXO")): v.get("value")
        for v in groups[("150101", "2025-01-01/P3M")]
    }
    assert lima_q1 == {
        (DE_ENROLLED, "H"): "2",
        (DE_ENROLLED, "M"): "1",
        (DE_COMPLETED, None): "2",
    }


def test_adx_falls_back_to_the_category_option_combo_and_needs_a_data_set(mapped):
    mapping = Dhis2Mapping.objects.get(data_element=DE_ENROLLED)
    mapping.adx_categories = {}
    mapping.save()
    root = SafeET.fromstring(adx(organization=mapped["org"], periods=["2025Q1"]))
    cocs = {v.get("categoryOptionCombo") for v in root.iter("{urn:ihe:qrph:adx:2015}dataValue")}
    assert {COC_MALE, COC_FEMALE} <= cocs
    server = mapped["org"].dhis2_server
    server.data_set = ""
    server.save()
    with pytest.raises(ApplicationError) as refused:
        adx(organization=mapped["org"], periods=["2025Q1"])
    assert refused.value.code == "adx_needs_data_set"


@pytest.mark.parametrize("code", ["SEX O", "1SEX", "SEX:O", "dataElement", "value", "xmlSex", ""])
def test_an_adx_category_code_must_be_an_xml_name(code):
    with pytest.raises(ApplicationError):
        rules.adx_category(code)


def test_the_mapping_refuses_an_adx_category_code_that_is_no_xml_name(mapped):
    mapping = Dhis2Mapping.objects.get(data_element=DE_ENROLLED)
    with pytest.raises(ApplicationError) as refused:
        services.mapping_save(
            actor=None,
            organization=mapped["org"],
            mapping=mapping,
            indicator=mapping.indicator,
            measure="base",
            data_element=DE_ENROLLED,
            dimensions=["sex"],
            category_option_combos=mapping.category_option_combos,
            adx_categories={"sex": "SEXO DE LA PERSONA"},
            adx_options={"sex": {"male": "H"}},
        )
    assert refused.value.code == "bad_xml_name"
    mapping.refresh_from_db()
    assert mapping.adx_categories == {"sex": "SEXO"}


def test_places_without_an_org_unit_are_reported_not_dropped(mapped):
    ayacucho = Place.objects.filter(country="PE", code__in=["05", "0501", "050101"])
    Dhis2OrgUnit.objects.filter(place__in=ayacucho).delete()
    export = build(organization=mapped["org"], periods=HALF, fmt="json")
    assert not [v for v in export.payload["dataValues"] if v["orgUnit"].startswith("05")]
    skipped = {(s.reason, s.indicator, s.measure, s.detail): s.count for s in export.skipped}
    assert skipped[(payloads.NO_ORG_UNIT, "people_enrolled", "base", "Ayacucho (050101)")] == 4
    assert skipped[(payloads.NO_ORG_UNIT, "people_completed", "value", "Ayacucho (050101)")] == 3


def test_a_district_without_org_unit_goes_to_its_department_and_says_so(mapped):
    Dhis2OrgUnit.objects.filter(place__code__in=["0501", "050101"], place__country="PE").delete()
    export = build(organization=mapped["org"], periods=HALF, fmt="json")
    values = table(export.payload)
    assert values[(DE_ENROLLED, "2025Q2", "05", COC_MALE)] == "4"
    notes = [s for s in export.skipped if s.reason == payloads.COARSER]
    assert notes and "Ayacucho (050101)" in notes[0].detail and "→ 05" in notes[0].detail


def test_a_subgroup_without_category_option_combo_is_reported(mapped):
    mapping = Dhis2Mapping.objects.get(data_element=DE_ENROLLED)
    mapping.category_option_combos = {"male": COC_MALE}
    mapping.save()
    export = build(organization=mapped["org"], periods=HALF, fmt="json")
    assert not [
        v for v in export.payload["dataValues"] if v.get("categoryOptionCombo") == COC_FEMALE
    ]
    skipped = [s for s in export.skipped if s.reason == payloads.NO_COMBO]
    female = f"{DIMENSION_LABELS['sex']}: {Sex('female').label}"
    assert [(s.indicator, s.detail, s.count) for s in skipped] == [("people_enrolled", female, 1)]


def test_court_mandated_programs_are_left_out(mapped):
    program = mapped["program"]
    program.is_court_mandated = True
    program.save()
    export = build(organization=mapped["org"], periods=HALF, fmt="json")
    assert export.payload["dataValues"] == []
    assert [(s.reason, s.count) for s in export.skipped] == [(payloads.COURT, 1)]
    with pytest.raises(ApplicationError):
        services.export_download(
            actor=None, organization=mapped["org"], periods=HALF, fmt="json", program=program
        )


def test_people_attending_a_month_are_sent_by_month_only(mapped):
    services.mapping_save(
        actor=None,
        organization=mapped["org"],
        indicator=Indicator.objects.get(code="people_attending", organization=None),
        measure="value",
        data_element="deAsisten01",
    )
    by_quarter = build(organization=mapped["org"], periods=["2025Q1"], fmt="json")
    assert not [v for v in by_quarter.payload["dataValues"] if v["dataElement"] == "deAsisten01"]
    assert [s.reason for s in by_quarter.skipped] == [payloads.MONTHLY_ONLY]
    by_month = table(data_value_sets(organization=mapped["org"], periods=["202501"]))
    # Counted by department only: Lima. a1, a2 (a3 did not consent).
    assert by_month[("deAsisten01", "202501", "15", "")] == "2"


@pytest.mark.parametrize("code", ["gem_improved", "referrals_made", "milestones_done"])
def test_scores_safeguarding_and_figures_without_a_place_cannot_be_mapped(mapped, code):
    indicator = Indicator.objects.filter(code=code, organization=None).first()
    if indicator is None:
        pytest.fail(f"built-in indicator {code} is missing")
    with pytest.raises(ApplicationError):
        services.mapping_save(
            actor=None,
            organization=mapped["org"],
            indicator=indicator,
            measure="value",
            data_element="deOtro00001",
        )


def test_ubigeo_codes_keep_their_leading_zero(mapped):
    units = dict(
        Dhis2OrgUnit.objects.filter(organization=mapped["org"]).values_list(
            "place__code", "org_unit"
        )
    )
    assert units["05"] == "05" and units["050101"] == "050101" and units["0501"] == "0501"
    Dhis2OrgUnit.objects.all().delete()
    services.org_units_from_ubigeo(actor=None, organization=mapped["org"], six_digits=True)
    units = dict(Dhis2OrgUnit.objects.values_list("place__code", "org_unit"))
    assert units == {
        "05": "050000",
        "0501": "050100",
        "050101": "050101",
        "15": "150000",
        "1501": "150100",
        "150101": "150101",
    }


def test_the_json_schema_refuses_what_dhis2_would_not_read():
    good = {
        "dataValues": [
            {"dataElement": DE_ENROLLED, "period": "2025Q1", "orgUnit": "05", "value": "3"}
        ]
    }
    assert schemas.json_errors(good) == []
    bad = [
        {
            "dataValues": [{"dataElement": DE_ENROLLED, "period": "2025Q1", "value": "3"}]
        },  # no org unit
        {
            "dataValues": [
                {"dataElement": DE_ENROLLED, "period": "2025Q1", "orgUnit": "05", "value": 3}
            ]
        },
        {
            "dataValues": [
                {"dataElement": DE_ENROLLED, "period": "2025-13", "orgUnit": "05", "value": "3"}
            ]
        },
        {
            "dataValues": [
                {"dataElement": DE_ENROLLED, "period": "2025Q5", "orgUnit": "05", "value": "3"}
            ]
        },
        {"dataValues": [{"period": "2025Q1", "orgUnit": "05", "value": "3"}]},  # no data element
        {**good, "orgUnitIdScheme": "ubigeo"},
        {**good, "dryRun": True},  # would beat the URL's dryRun
    ]
    for payload in bad:
        assert schemas.json_errors(payload), payload


def test_the_adx_schema_refuses_what_dhis2_would_not_read():
    ok = (
        '<adx xmlns="urn:ihe:qrph:adx:2015" exported="2026-01-01T00:00:00Z">'
        '<group orgUnit="05" period="2025-04-01/P3M" dataSet="X">'
        '<dataValue dataElement="A" value="3" SEXO="H"/></group></adx>'
    )
    assert schemas.adx_errors(ok.encode()) == []
    for bad in (
        ok.replace(' exported="2026-01-01T00:00:00Z"', ""),
        ok.replace("2025-04-01/P3M", "2025Q2"),
        ok.replace('value="3"', 'value="tres"'),
        ok.replace(' orgUnit="05"', ""),
        ok.replace("urn:ihe:qrph:adx:2015", "http://dhis2.org/schema/dxf/2.0"),
    ):
        assert schemas.adx_errors(bad.encode()), bad


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2025Q1, 2025q2", ["2025Q1", "2025Q2"]),
        ("202504 202501", ["202501", "202504"]),
        ("2025", ["2025"]),
    ],
)
def test_periods_are_read_as_people_type_them(text, expected):
    assert rules.parse_periods(text, today=TODAY) == expected


@pytest.mark.parametrize("text", ["", "2025-04", "2025Q1, 202504", "2026Q2", "2025Q7"])
def test_periods_that_cannot_be_sent_get_a_clear_message(text):
    with pytest.raises(ApplicationError) as refused:
        rules.parse_periods(text, today=TODAY)
    assert str(refused.value)


def test_adx_periods_are_start_and_duration():
    assert rules.adx_period("202507") == "2025-07-01/P1M"
    assert rules.adx_period("2025Q3") == "2025-07-01/P3M"
    assert rules.adx_period("2025S2") == "2025-07-01/P6M"
    assert rules.adx_period("2025") == "2025-01-01/P1Y"
