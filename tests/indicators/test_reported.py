"""An organization's own indicator typed by hand, month by month (issue 14; "Values reported
by hand" in docs/decisions/indicators.md): created on the new-indicator page, its values
typed, corrected and removed by whoever manages the organization's indicators, shown on the
dashboards and in the donor report with its targets; a viewer gets years only and no small
count of people."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cascada.accounts.roles import Role
from cascada.audit.models import AuditEvent
from cascada.commitments import money
from cascada.core.errors import ApplicationError, PermissionDeniedError
from cascada.indicators import reported
from cascada.indicators.models import Frequency, Indicator, Measure, ReportedValue
from cascada.indicators.present import indicator_view
from cascada.indicators.services import indicator_create, plan_save
from tests.accounts.factories import login_verified, make_user, totp_device
from tests.browser.conftest import browser  # noqa: F401 (the fixture)
from tests.browser.support import CHROMIUM, SMALL_PHONE, fits, shoot, sign_in
from tests.registry.factories import make_org
from tests.trainings.factories import make_program

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 12, 31)


def token() -> str:
    return "tok" + uuid.uuid4().hex


def own(org, unit: str = "count", *, cumulative: bool = False, frequency: str = "quarter"):
    return indicator_create(
        actor=None, organization=org, name_es=f"Ordenanzas ({unit})", source="reported",
        measure="value", unit=unit, cumulative=cumulative, frequency=frequency,
    )  # fmt: skip


def typed(indicator, program, values: dict[str, tuple]) -> None:
    for month, pair in values.items():
        value, base = pair if len(pair) == 2 else (pair[0], None)
        reported.reported_value_save(
            actor=None, indicator=indicator, program=program, month=month, value=value, base=base
        )


def view(indicator, program, *, exact: bool = True, frequency: str = "", plan=None):
    return indicator_view(
        indicator, program_ids=[program.pk], organization_id=program.owner_id, exact=exact,
        plan=plan, frequency=frequency, today=TODAY,
    )  # fmt: skip


def cells(v) -> dict[str, str]:
    return {p.key: p.value.text for p in v.periods}


@pytest.fixture
def program(org):
    return make_program(owner=org)


def values_url(program, indicator) -> str:
    return reverse("web:indicator_values", args=[program.pk, indicator.code])


# ---------------------------------------------------------------- creating the indicator


def test_the_new_indicator_page_offers_values_typed_by_hand(coordinator_client, org, program):
    page = coordinator_client.get(reverse("web:indicator_new", args=[org.pk]))
    assert 'value="reported"' in page.content.decode()
    response = coordinator_client.post(
        reverse("web:indicator_new", args=[org.pk]),
        {"name_es": "Ordenanzas municipales aprobadas", "source": "reported", "measure": "base",
         "unit": "count", "direction": "increase", "cumulative": "on", "frequency": "quarter",
         "form_token": token()},
    )  # fmt: skip
    assert response.status_code == 302
    indicator = Indicator.objects.get(organization=org)
    assert (indicator.source, indicator.area, indicator.unit) == ("reported", "reported", "count")
    assert indicator.measure == Measure.VALUE and indicator.cumulative  # the unit decides
    page = coordinator_client.get(reverse("web:indicators_program", args=[program.pk]))
    assert f'data-test="indicator-{indicator.code}"' in page.content.decode()


def test_a_percentage_or_a_score_is_a_level_not_a_sum(org):
    percent = own(org, "percent", cumulative=True)
    score = own(org, "points", cumulative=True)
    assert (percent.measure, percent.cumulative) == (Measure.RATIO, False)
    assert (score.measure, score.cumulative) == (Measure.MEAN, False)


def test_an_unknown_source_or_unit_is_still_refused(org):
    with pytest.raises(ApplicationError):
        indicator_create(
            actor=None, organization=org, name_es="X", source="typed", measure="value",
            unit="count",
        )  # fmt: skip
    with pytest.raises(ApplicationError):
        indicator_create(
            actor=None, organization=org, name_es="X", source="reported", measure="value",
            unit="leagues",
        )  # fmt: skip


# ---------------------------------------------------------------- the service


def test_saving_a_month_twice_changes_it_and_is_audited(org, program, coordinator):
    indicator = own(org, "money")
    first = reported.reported_value_save(
        actor=coordinator, indicator=indicator, program=program, month="2025-03",
        value="1.200,50", note="Informe del municipio",
    )  # fmt: skip
    assert first.value == Decimal("1200.50") and first.month == dt.date(2025, 3, 1)
    assert first.recorded_by == coordinator
    again = reported.reported_value_save(
        actor=coordinator, indicator=indicator, program=program, month="03/2025", value="1300"
    )
    assert again.pk == first.pk
    assert ReportedValue.objects.get().value == 1300
    actions = AuditEvent.objects.filter(target_type="indicators.reportedvalue")
    assert sorted(actions.values_list("action", flat=True)) == ["create", "update"]
    reported.reported_value_delete(
        actor=coordinator, indicator=indicator, program=program, month="2025-03"
    )
    assert not ReportedValue.objects.exists()
    with pytest.raises(ApplicationError):
        reported.reported_value_delete(
            actor=coordinator, indicator=indicator, program=program, month="2025-03"
        )


def test_only_whoever_manages_the_owners_indicators_types_values(org, program):
    indicator = own(org)
    other = make_org(name="Otra")
    for user in (
        make_user(role=Role.VIEWER, organization=org),
        make_user(role=Role.FACILITATOR, organization=org),
        make_user(role=Role.ADMINISTRATOR, organization=other),
    ):
        with pytest.raises(PermissionDeniedError):
            reported.reported_value_save(
                actor=user, indicator=indicator, program=program, month="2025-01", value="1"
            )
    # Another organization's indicator on this program, or a counted one: refused.
    theirs = own(other)
    admin = make_user(role=Role.ADMINISTRATOR, organization=org)
    with pytest.raises(PermissionDeniedError):
        reported.reported_value_save(
            actor=admin, indicator=theirs, program=program, month="2025-01", value="1"
        )
    builtin = Indicator.objects.get(code="people_enrolled", organization__isnull=True)
    with pytest.raises((ApplicationError, PermissionDeniedError)):
        reported.reported_value_save(
            actor=admin, indicator=builtin, program=program, month="2025-01", value="1"
        )
    assert not ReportedValue.objects.exists()


@pytest.mark.parametrize(
    ("unit", "month", "value", "base", "field"),
    [
        ("count", "2025-01", "muchos", None, "value"),
        ("count", "2025-01", "-3", None, "value"),
        ("count", "2025-01", "", None, "value"),
        ("money", "2025-01", "1e400", None, "value"),
        ("count", "1989-12", "3", None, "month"),
        ("count", "2101-01", "3", None, "month"),
        ("count", "2026-13", "3", None, "month"),
        ("count", "2026-00", "3", None, "month"),
        ("count", "0000-01", "3", None, "month"),
        ("count", "marzo", "3", None, "month"),
        ("count", "", "3", None, "month"),
        ("people", "2025-01", "2,5", None, "value"),
        ("count", "2025-01", "3", "10", "base"),
        ("percent", "2025-01", "3", "0", "base"),
        ("percent", "2025-01", "3", "-10", "base"),
        # Found looking at the page: Decimal alone took these.
        ("money", "2025-01", "1e9", None, "value"),
        ("money", "2025-01", "NaN", None, "value"),
        ("money", "2025-01", "Infinity", None, "value"),
        ("count", "2025-01", "\u0661\u0662", None, "value"),
        ("money", "2025-01", "9" * 40, None, "value"),
        ("count", "2025-01", "12,5", None, "value"),
        ("percent", "2025-01", "150", None, "value"),
        ("percent", "2025-01", "9", "4", "value"),
    ],
)
def test_bad_input_is_a_message_beside_its_field(org, program, unit, month, value, base, field):
    indicator = own(org, unit)
    with pytest.raises(ApplicationError) as refused:
        reported.reported_value_save(
            actor=None, indicator=indicator, program=program, month=month, value=value, base=base
        )
    assert refused.value.extra.get("field") == field
    assert not ReportedValue.objects.exists()


@pytest.mark.parametrize(
    "text",
    ["1e9", "1E3", "NaN", "Infinity", "-inf", " 1_000 ", "\u0661\u0662", "muchos",
     "1.234,56", "1,234.56", "S/ 1 200", " 45,5 ", ",5", "7.500"],
)  # fmt: skip
def test_a_value_is_read_by_the_same_rule_as_an_amount(org, program, text):
    """One reading of typed numbers: an indicator's value is taken or refused exactly as
    an amount of Commitments to Action is (``commitments.money``), and equal when taken."""
    try:
        amount = money.money(text, field="amount", label="Monto", allow_zero=True)
    except ApplicationError:
        amount = None
    indicator = own(org, "money")
    try:
        saved = reported.reported_value_save(
            actor=None, indicator=indicator, program=program, month="2025-01", value=text
        )
    except ApplicationError as refused:
        assert amount is None, text
        assert refused.extra == {"field": "value"}
        assert not ReportedValue.objects.exists()
    else:
        assert saved.value == amount, text


# ---------------------------------------------------------------- what a period shows


def test_counts_add_up_per_quarter_and_year_against_their_targets(org, program):
    indicator = own(org, "count")
    typed(indicator, program, {"2025-01": (2,), "2025-02": (3,), "2025-04": (5,), "2025-11": (1,)})
    quarters = view(indicator, program, frequency="quarter")
    assert cells(quarters) == {"2025Q1": "5", "2025Q2": "5", "2025Q3": "–", "2025Q4": "1"}
    assert quarters.so_far.number == 11
    years = view(indicator, program, frequency="year")
    assert cells(years) == {"2025": "11"}
    plan = plan_save(
        actor=None, indicator=indicator, program=program, starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2026, 12, 31), lop_target="22", frequency="quarter",
        targets={"2025Q1": "10"},
    )  # fmt: skip
    planned = view(indicator, program, plan=plan)
    first = planned.periods[0]
    assert (first.key, first.value.number, first.target, first.percent_met) == (
        "2025Q1", 5, 10, 50,
    )  # fmt: skip
    assert planned.percent_met == 50  # 11 of 22
    # Cumulative: each quarter shows what was done so far.
    running = own(org, "count", cumulative=True)
    typed(running, program, {"2025-01": (2,), "2025-02": (3,), "2025-04": (5,)})
    assert cells(view(running, program, frequency="quarter"))["2025Q2"] == "10"


def test_money_keeps_its_cents(org, program):
    indicator = own(org, "money")
    typed(indicator, program, {"2025-01": ("1.500,25",), "2025-02": ("2 000",)})
    v = view(indicator, program, frequency="quarter")
    assert v.so_far.number == pytest.approx(3500.25)
    assert v.so_far.text == "3,500.25"


def test_a_percentage_is_numerators_over_denominators_or_the_last_month(org, program):
    indicator = own(org, "percent")
    # Q1: 3 of 10 and 7 of 10 = 50 %; Q2: typed as percentages, the last one (60) stands.
    typed(
        indicator,
        program,
        {"2025-01": ("3", "10"), "2025-02": ("7", "10"), "2025-04": ("40",), "2025-05": ("60",)},
    )
    v = view(indicator, program, frequency="quarter")
    assert {p.key: p.value.number for p in v.periods if p.value.number is not None} == {
        "2025Q1": 50,
        "2025Q2": 60,
    }
    assert cells(v)["2025Q1"] == "50.0 %"
    # Over the year the months with a denominator decide: 10 of 20.
    assert view(indicator, program, frequency="year").periods[0].value.number == 50


def test_a_viewer_gets_years_and_no_small_count_of_people(org, program):
    people = own(org, "people")
    money = own(org, "money")
    typed(people, program, {"2025-03": (3,)})
    typed(money, program, {"2025-03": ("2,5",)})
    exact = view(people, program, frequency="quarter")
    assert exact.so_far.text == "3"
    seen = view(people, program, exact=False, frequency="quarter")
    assert seen.frequency == Frequency.YEAR
    assert seen.so_far.hidden and seen.so_far.text == "<5"
    assert all(p.value.number is None for p in seen.periods)
    # Money is the organization's own work: shown as typed (by year).
    shown = view(money, program, exact=False, frequency="quarter")
    assert shown.frequency == Frequency.YEAR and shown.exact
    assert shown.so_far.number == 2.5
    # A large count is shown.
    typed(people, program, {"2025-04": (30,)})
    assert view(people, program, exact=False).so_far.text == "33"


def test_the_organization_dashboard_adds_the_programs_up(org, program, coordinator_client):
    indicator = own(org, "count")
    second = make_program(owner=org, name="Segundo")
    typed(indicator, program, {"2025-01": (2,)})
    typed(indicator, second, {"2025-01": (4,)})
    page = coordinator_client.get(reverse("web:indicators_organization", args=[org.pk]))
    card = next(c for c in page.context["cards"] if c["view"].indicator == indicator)
    assert card["view"].so_far.number == 6


# ---------------------------------------------------------------- the page


def test_values_are_typed_corrected_and_removed_on_the_page(org, program, coordinator_client):
    indicator = own(org, "count")
    detail = coordinator_client.get(
        reverse("web:indicators_program_indicator", args=[program.pk, indicator.code])
    )
    assert values_url(program, indicator) in detail.content.decode()
    assert coordinator_client.get(values_url(program, indicator)).status_code == 200
    data = {"month": "2025-03", "value": "1.200", "note": "Actas", "form_token": token()}
    first = coordinator_client.post(values_url(program, indicator), data)
    assert first.status_code == 302
    # A double tap (same token) and Back-and-send-again (new token): still one row.
    coordinator_client.post(values_url(program, indicator), data)
    coordinator_client.post(values_url(program, indicator), {**data, "form_token": token()})
    assert ReportedValue.objects.get().value == 1200
    edit = coordinator_client.get(values_url(program, indicator), {"month": "2025-03"})
    assert edit.context["form"]["value"].value() in ("1.200", "1,200")
    for junk in ("2025-13", "x" * 500, "١٢", "-1"):
        assert (
            coordinator_client.get(values_url(program, indicator), {"month": junk}).status_code
            == 200
        )
    changed = coordinator_client.post(
        values_url(program, indicator), {"month": "2025-03", "value": "7", "form_token": token()}
    )
    assert changed.status_code == 302 and ReportedValue.objects.get().value == 7
    delete = reverse("web:indicator_value_delete", args=[program.pk, indicator.code])
    assert (
        coordinator_client.post(delete, {"month": "2025-03", "form_token": token()}).status_code
        == 302
    )
    assert not ReportedValue.objects.exists()
    # Removing twice (Back and send again) is answered as the first removal was.
    again = coordinator_client.post(
        delete, {"month": "2025-03", "form_token": token()}, follow=True
    )
    assert again.status_code == 200
    # A month with nothing, or junk: a message, not an error page.
    for month in ("2024-01", "2026-13", "x" * 300):
        answer = coordinator_client.post(
            delete, {"month": month, "form_token": token()}, follow=True
        )
        assert answer.status_code == 200
    nothing = coordinator_client.post(
        delete, {"month": "2024-02", "form_token": token()}, follow=True
    )
    assert "Nothing is recorded for that month." in nothing.content.decode()


@pytest.mark.parametrize(
    ("month", "value", "message"),
    [
        ("2025-03", "muchos", "debe ser un número"),
        ("2025-03", "-3", "debe ser un número desde 0"),
        ("2026-13", "3", "2026-03"),
        ("1989-01", "3", "1990"),
    ],
)
def test_bad_input_on_the_page_is_a_message_not_a_500(
    org, program, coordinator_client, month, value, message
):
    indicator = own(org, "count")
    response = coordinator_client.post(
        values_url(program, indicator),
        {"month": month, "value": value, "form_token": token()},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-test="error-' in html and message in html
    assert not ReportedValue.objects.exists()


def test_everyone_else_gets_404_and_writes_nothing(org, program, client):
    indicator = own(org, "count")
    typed(indicator, program, {"2025-03": (4,)})
    other = make_org(name="Otra")
    urls = [
        values_url(program, indicator),
        reverse("web:indicator_value_delete", args=[program.pk, indicator.code]),
    ]
    for user in (
        make_user(role=Role.VIEWER, organization=org),
        make_user(role=Role.FACILITATOR, organization=org),
        make_user(role=Role.ADMINISTRATOR, organization=other),
    ):
        client.logout()
        login_verified(client, user)
        for url in urls:
            assert client.get(url).status_code in (404, 405), (user, url)
            data = {"month": "2025-03", "value": "99", "form_token": token()}
            assert client.post(url, data).status_code == 404, (user, url)
    assert ReportedValue.objects.get().value == 4


def test_a_counted_indicator_has_no_values_page(program, coordinator_client):
    url = reverse("web:indicator_values", args=[program.pk, "people_enrolled"])
    assert coordinator_client.get(url).status_code == 404


def test_a_viewer_reads_no_link_to_type_values(org, program, client):
    indicator = own(org, "count")
    login_verified(client, make_user(role=Role.VIEWER, organization=org))
    page = client.get(
        reverse("web:indicators_program_indicator", args=[program.pk, indicator.code])
    )
    assert page.status_code == 200
    assert values_url(program, indicator) not in page.content.decode()


# ---------------------------------------------------------------- dashboards and the report


def test_dashboards_and_the_donor_report_show_a_typed_indicator(filled, org, client):
    program = filled["program"]
    people = own(org, "people")
    funds = own(org, "money")
    typed(people, program, {"2025-03": (3,), "2025-05": (2,)})
    typed(funds, program, {"2025-03": ("1.500",)})
    plan_save(
        actor=None, indicator=funds, program=program, starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 12, 31), lop_target="3000", frequency="year",
        targets={"2025": "3.000"},
    )  # fmt: skip
    coordinator = make_user(role=Role.COORDINATOR, organization=org)
    viewer = make_user(role=Role.VIEWER, organization=org)
    for user in (coordinator, viewer):
        client.logout()
        login_verified(client, user)
        dashboard = client.get(reverse("web:indicators_program", args=[program.pk]))
        assert dashboard.status_code == 200
        html = dashboard.content.decode()
        assert f'data-test="indicator-{funds.code}"' in html
        assert f'data-test="indicator-{people.code}"' in html
        report = client.get(reverse("web:indicators_report", args=[program.pk]), {"period": "2025"})
        assert report.status_code == 200
        lines = {line.view.indicator.code: line for line in report.context["report"].own}
        # On the page too, not only in the PDF: a row of the targets table each.
        table = report.content.decode().split('data-test="targets"')[1].split("</table>")[0]
        assert funds.name_es in table and people.name_es in table
        # In Spanish, the report's default language.
        assert lines[funds.code].value.replace("\xa0", " ") == "1 500,00"
        assert lines[funds.code].target == "3000,00"
        assert lines[funds.code].percent_met == 50
        if user == coordinator:
            assert lines[people.code].value == "5"
        else:  # 5 people: hidden ("<5" so far, the year's row withheld with it)
            assert lines[people.code].period.value.hidden
            assert lines[people.code].view.so_far.text == "<5"
        pdf = client.get(
            reverse("web:indicators_report_pdf", args=[program.pk]), {"period": "2025"}
        )
        assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    organization = client.get(reverse("web:indicators_organization", args=[org.pk]))
    assert organization.status_code == 200


# ---------------------------------------------------------------- on a phone


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's Chromium is not installed")
@pytest.mark.django_db(transaction=True)
def test_a_month_is_typed_on_a_small_phone_in_spanish(live_server, browser):  # noqa: F811
    """The values page on a 360 px phone: in Spanish, nothing wider than the screen, a
    month typed and shown in the table, the button busy while it is sent."""
    org = make_org(name="Manuela Ramos")
    program = make_program(owner=org, name="Hombres de Miércoles")
    indicator = own(org, "percent")
    typed(indicator, program, {"2025-01": ("3", "10")})
    coordinator = make_user(role="coordinator", organization=org, username="coordinadora")
    context = browser.new_context(viewport=SMALL_PHONE, device_scale_factor=1, locale="es-PE")
    page = context.new_page()
    page.set_default_timeout(15000)
    url = values_url(program, indicator)
    sign_in(page, live_server.url, totp_device(coordinator), url)
    page.locator('[data-test="value-form"]').wait_for()
    assert page.locator('[data-test="value-save"]').inner_text().strip() == "Guardar"
    fits(page)
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    assert page.locator("#id_month").input_value() == f"{last_month:%Y-%m}"
    page.locator("#id_month").fill("2025-02")
    page.locator("#id_value").fill("45,5")
    # Found looking at the page: a row with a note pushed "Correct" and "Remove" out of
    # the screen (the month cell did not wrap).
    page.locator("#id_note").fill("Informe trimestral del municipio provincial de Huamanga")
    page.locator('[data-test="value-save"]').click()
    page.locator('[data-test="value-2025-02"]').wait_for()
    fits(page)
    for action in ("edit-2025-02", "delete-2025-02"):
        box = page.locator(f'[data-test="{action}"]').bounding_box()
        assert box is not None and box["x"] + box["width"] <= SMALL_PHONE["width"], action
    shoot(page, "indicator-values-phone")
    assert "45,5" in page.locator('[data-test="value-2025-02"]').inner_text()
