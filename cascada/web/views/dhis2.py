"""DHIS2 pages (issue 14; docs/decisions/dhis2.md). For the administrators, coordinators
and M&E officers of an organization (``Cap.MANAGE_INDICATORS``); for everyone else every
page is a 404. Views adapt: who may do what is ``indicators.dhis2.selectors``, every write
``indicators.dhis2.services``.

- ``home``: the exchange at a glance: the server (never its password), the mapping of
  indicators, the org units, downloads of a payload, the push form (dry run first, then
  send) and the pushes so far.
- ``server``: the server's address, user, password and identifier schemes.
- ``mapping_new``, ``mapping_edit``, ``mapping_delete``: an indicator's count → a data
  element, its subgroups → category option combos (and ADX codes).
- ``org_units``: places → organisation units (ubigeo codes by default).
- ``download``: the dataValueSets JSON or the ADX of a program or the organization.
- ``push``, ``push_detail``: a push as a background job, and DHIS2's import summary.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cascada.core.converters import query_id
from cascada.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from cascada.indicators import present
from cascada.indicators.dhis2 import payloads, selectors, services
from cascada.indicators.models import Dhis2Format, Dhis2IdScheme, Dhis2Mapping, Dhis2Push
from cascada.registry.models import Organization, PlaceLevel

from ..forms import choice_field
from ..idempotency import idempotent
from .common import attachment, domain_errors, form_save

DIMENSION_LABELS = selectors.DIMENSION_LABELS
MEASURE_LABELS = {
    "value": gettext_lazy("The count (numerator)"),
    "base": gettext_lazy("The base (denominator)"),
}
REASONS = {
    payloads.NO_PLACE: gettext_lazy("No place recorded"),
    payloads.NO_ORG_UNIT: gettext_lazy("Place without a DHIS2 organisation unit"),
    payloads.NO_COMBO: gettext_lazy("Subgroup without a category option combo"),
    payloads.NO_ADX_CODE: gettext_lazy("Subgroup without ADX codes"),
    payloads.MONTHLY_ONLY: gettext_lazy("Counted per month only: send months"),
    payloads.NOT_MAPPABLE: gettext_lazy("Indicator that cannot go to DHIS2"),
    payloads.COURT: gettext_lazy("Court-mandated programs, left out"),
    payloads.COARSER: gettext_lazy("Sent to a larger place's organisation unit"),
}


# ---------------------------------------------------------------- shared pieces


def _organizations(request: HttpRequest) -> list[Organization]:
    """The organizations whose exchange the user keeps; 404 for a user with none."""
    found = selectors.organizations(user=request.user)
    if not found:
        raise Http404()
    return found


def _chosen(request: HttpRequest, organizations: list[Organization]) -> Organization:
    params = request.POST if request.method == "POST" else request.GET
    try:
        pk = query_id(params, "org")
    except ValueError:
        raise Http404() from None
    if pk is None:
        return organizations[0]
    found = next((o for o in organizations if o.pk == pk), None)
    if found is None:
        raise Http404()
    return found


def _home(organization_id: int, anchor: str = "") -> str:
    q = QueryDict(mutable=True)
    q["org"] = str(organization_id)
    return reverse("web:dhis2_home") + "?" + q.urlencode() + (f"#{anchor}" if anchor else "")


def _skipped(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What Cascada left out, worded: why, which indicator's count, where or who."""
    return [
        {
            **row,
            "reason_label": REASONS.get(row.get("reason", ""), row.get("reason")),
            "what": (
                f"{row['name']} ({MEASURE_LABELS.get(row.get('measure', ''), '')})"
                if row.get("name")
                else ""
            ),
        }
        for row in rows
    ]


def scheme_label(scheme: str) -> str:
    """An org unit scheme as people read it: "código", "identificador (UID)", "atributo X"."""
    if scheme == "code":
        return str(_("code"))
    if scheme == "uid":
        return str(Dhis2IdScheme.UID.label)
    return _("attribute %(uid)s") % {"uid": scheme.partition(":")[2]}


# ---------------------------------------------------------------- forms


class ServerForm(forms.Form):
    base_url = forms.CharField(
        label=gettext_lazy("Server address"),
        max_length=200,
        help_text=gettext_lazy("With https://, e.g. https://dhis2.minsa.gob.pe (without /api)."),
    )
    username = forms.CharField(label=gettext_lazy("DHIS2 user"), max_length=100)
    password = forms.CharField(
        label=gettext_lazy("Password"),
        required=False,
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    id_scheme = forms.ChoiceField(
        label=gettext_lazy("Data elements, category option combos and the data set named by"),
        choices=Dhis2IdScheme.choices,
    )
    org_unit_id_scheme = forms.CharField(
        label=gettext_lazy("Organisation units named by"),
        max_length=22,
        initial="code",
        help_text=gettext_lazy(
            "code (the ubigeo in the org unit's code), uid, or attribute: followed by the "
            "identifier of a unique attribute holding the ubigeo."
        ),
    )
    data_set = forms.CharField(
        label=gettext_lazy("Data set"),
        required=False,
        max_length=50,
        help_text=gettext_lazy("Needed for ADX; optional for JSON."),
    )
    attribute_option_combo = forms.CharField(
        label=gettext_lazy("Attribute option combo"),
        required=False,
        max_length=50,
        help_text=gettext_lazy(
            "Optional: tells your figures apart from other organizations' in the same "
            "DHIS2 (e.g. the implementing partner)."
        ),
    )
    active = forms.BooleanField(
        label=gettext_lazy("Sending switched on"), required=False, initial=True
    )


class MappingForm(forms.Form):
    indicator = forms.TypedChoiceField(label=gettext_lazy("Indicator"), coerce=int)
    measure = forms.ChoiceField(
        label=gettext_lazy("Count sent"), choices=list(MEASURE_LABELS.items())
    )
    data_element = forms.CharField(label=gettext_lazy("Data element"), max_length=50)
    dimensions = forms.MultipleChoiceField(
        label=gettext_lazy("Broken down by (at most two)"),
        required=False,
        choices=list(DIMENSION_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(label=gettext_lazy("Sent"), required=False, initial=True)

    def __init__(self, *args: Any, indicators: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "indicator").choices = [(i.pk, i.name_es) for i in indicators]


class PeriodsForm(forms.Form):
    periods = forms.CharField(
        label=gettext_lazy("Periods"),
        max_length=300,
        help_text=gettext_lazy("As DHIS2 names them: 202504 (month), 2025Q2, 2025S1, 2025."),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"), choices=Dhis2Format.choices, initial=Dhis2Format.JSON
    )


# ---------------------------------------------------------------- the overview


@login_required
@require_GET
@domain_errors
def home(request: HttpRequest) -> HttpResponse:
    organizations = _organizations(request)
    organization = _chosen(request, organizations)
    user = request.user
    server = selectors.server_of(organization.pk)
    mappings = list(selectors.mapping_list(user=user, organization_id=organization.pk))
    org_units = selectors.org_unit_list(user=user, organization_id=organization.pk).count()
    places = len(selectors.places_used(organization_id=organization.pk))
    pushes = list(selectors.push_list(user=user, organization_id=organization.pk)[:10])
    programs = list(selectors.programs_reported(organization_id=organization.pk))
    periods = request.GET.get("periods", "")
    fmt = request.GET.get("format", Dhis2Format.JSON)
    send_ok = bool(periods) and selectors.send_allowed(
        organization_id=organization.pk, periods=periods, fmt=fmt
    )
    return render(
        request,
        "web/dhis2/home.html",
        {
            "organizations": organizations,
            "organization": organization,
            "server": server,
            "mappings": [
                (
                    m,
                    MEASURE_LABELS.get(m.measure, m.measure),
                    [DIMENSION_LABELS.get(d, d) for d in m.dimensions],
                )
                for m in mappings
            ],
            "org_units": org_units,
            "places": places,
            "pushes": pushes,
            "programs": programs,
            "periods": periods,
            "format": fmt,
            "formats": Dhis2Format.choices,
            "send_ok": send_ok,
            "config": int(server.updated_at.timestamp()) if server else 0,
            "ou_scheme": scheme_label(server.org_unit_id_scheme) if server else "",
        },
    )


# ---------------------------------------------------------------- the server


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def server(request: HttpRequest) -> HttpResponse:
    """Not ``@idempotent``: saving the same settings twice changes nothing, and the form
    carries the password, which no record of a request should keep, even hashed."""
    organizations = _organizations(request)
    organization = _chosen(request, organizations)
    current = selectors.server_of(organization.pk)
    initial: dict[str, Any] = {"active": True, "org_unit_id_scheme": "code", "id_scheme": "uid"}
    if current is not None:
        initial = {
            f: getattr(current, f)
            for f in (
                "base_url",
                "username",
                "id_scheme",
                "org_unit_id_scheme",
                "data_set",
                "attribute_option_combo",
                "active",
            )
        }
    form = ServerForm(request.POST or None, initial=initial)
    if request.method == "POST":
        saved = form_save(
            form,
            lambda data: services.server_set(actor=request.user, organization=organization, **data),
        )
        if saved is not None:
            messages.success(request, _("DHIS2 server saved."))
            return redirect(_home(organization.pk))
    return render(
        request,
        "web/dhis2/server.html",
        {
            "organization": organization,
            "form": form,
            "has_password": current is not None and bool(current.password),
        },
        status=400 if request.method == "POST" else 200,
    )


# ---------------------------------------------------------------- the mapping


def _grid(mapping: Dhis2Mapping) -> dict[str, Any]:
    """The subgroups of a mapping with their category option combos and ADX codes."""
    keys = selectors.combo_keys(mapping)
    labels = {
        d: present.dim_labels(
            d, selectors.dimension_values(mapping.indicator, d, mapping.organization_id)
        )
        for d in mapping.dimensions
    }
    cocs = mapping.category_option_combos or {}
    rows = [
        {
            "key": "|".join(k),
            "label": " · ".join(
                str(labels[d].get(v, v)) for d, v in zip(mapping.dimensions, k, strict=True)
            )
            or _("All (no breakdown)"),
            "coc": cocs.get("|".join(k), ""),
        }
        for k in keys
    ]
    options = mapping.adx_options or {}
    categories = [
        {
            "dimension": d,
            "label": DIMENSION_LABELS.get(d, d),
            "code": (mapping.adx_categories or {}).get(d, ""),
            "options": [
                {
                    "value": v,
                    "label": labels[d].get(v, v),
                    "code": (options.get(d) or {}).get(v, ""),
                }
                for v in selectors.dimension_values(mapping.indicator, d, mapping.organization_id)
            ],
        }
        for d in mapping.dimensions
    ]
    return {"rows": rows, "categories": categories}


def _grid_posted(
    post: QueryDict,
) -> tuple[dict[str, str], dict[str, str], dict[str, dict[str, str]]]:
    cocs: dict[str, str] = {}
    categories: dict[str, str] = {}
    options: dict[str, dict[str, str]] = {}
    for key in post:
        value = str(post.get(key, ""))
        if key.startswith("coc:"):
            cocs[key[len("coc:") :]] = value
        elif key.startswith("adxcat:"):
            categories[key[len("adxcat:") :]] = value
        elif key.startswith("adxopt:"):
            _prefix, dimension, option = key.split(":", 2)
            options.setdefault(dimension, {})[option] = value
    return cocs, categories, options


def _mapping_page(
    request: HttpRequest,
    organization: Organization,
    form: MappingForm,
    mapping: Dhis2Mapping | None,
    *,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "web/dhis2/mapping.html",
        {
            "organization": organization,
            "form": form,
            "mapping": mapping,
            "grid": _grid(mapping) if mapping is not None else None,
            "server": selectors.server_of(organization.pk),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def mapping_new(request: HttpRequest) -> HttpResponse:
    organizations = _organizations(request)
    organization = _chosen(request, organizations)
    indicators = selectors.indicators_mappable(organization_id=organization.pk)
    form = MappingForm(
        request.POST or None,
        indicators=indicators,
        initial={"active": True, "indicator": request.GET.get("indicator")},
    )
    if request.method == "POST":
        by_pk = {i.pk: i for i in indicators}

        def save(data: dict[str, Any]) -> Dhis2Mapping:
            return services.mapping_save(
                actor=request.user,
                organization=organization,
                indicator=by_pk[data["indicator"]],
                measure=data["measure"],
                data_element=data["data_element"],
                dimensions=data["dimensions"],
                active=data["active"],
            )

        saved = form_save(form, save)
        if saved is not None:
            messages.success(
                request, _("Mapping saved: now give each subgroup its category option combo.")
            )
            return redirect("web:dhis2_mapping_edit", pk=saved.pk)
        return _mapping_page(request, organization, form, None, status=400)
    return _mapping_page(request, organization, form, None)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def mapping_edit(request: HttpRequest, pk: int) -> HttpResponse:
    mapping = selectors.mapping_get(user=request.user, pk=pk)
    organization = mapping.organization
    indicators = selectors.indicators_mappable(organization_id=organization.pk)
    initial = {
        "indicator": mapping.indicator_id,
        "measure": mapping.measure,
        "data_element": mapping.data_element,
        "dimensions": mapping.dimensions,
        "active": mapping.active,
    }
    form = MappingForm(request.POST or None, indicators=indicators, initial=initial)
    if request.method == "POST":
        by_pk = {i.pk: i for i in indicators}
        cocs, categories, options = _grid_posted(request.POST)

        def save(data: dict[str, Any]) -> Dhis2Mapping:
            return services.mapping_save(
                actor=request.user,
                organization=organization,
                mapping=mapping,
                indicator=by_pk[data["indicator"]],
                measure=data["measure"],
                data_element=data["data_element"],
                dimensions=data["dimensions"],
                category_option_combos=cocs,
                adx_categories=categories,
                adx_options=options,
                active=data["active"],
            )

        saved = form_save(form, save)
        if saved is not None:
            messages.success(request, _("Mapping saved."))
            return redirect("web:dhis2_mapping_edit", pk=saved.pk)
        mapping.refresh_from_db()
        return _mapping_page(request, organization, form, mapping, status=400)
    return _mapping_page(request, organization, form, mapping)


@login_required
@require_POST
@domain_errors
def mapping_delete(request: HttpRequest, pk: int) -> HttpResponse:
    mapping = selectors.mapping_get(user=request.user, pk=pk)
    organization_id = mapping.organization_id
    services.mapping_delete(actor=request.user, mapping=mapping)
    messages.success(request, _("Mapping removed."))
    return redirect(_home(organization_id, "mappings"))


# ---------------------------------------------------------------- org units


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def org_units(request: HttpRequest) -> HttpResponse:
    organizations = _organizations(request)
    organization = _chosen(request, organizations)
    user = request.user
    if request.method == "POST":
        try:
            if request.POST.get("action") == "ubigeo":
                added = services.org_units_from_ubigeo(
                    actor=user,
                    organization=organization,
                    six_digits=request.POST.get("six_digits") == "1",
                )
                messages.success(request, _("Organisation units added: %(n)s.") % {"n": added})
            else:
                posted: dict[int, str] = {}
                for key in request.POST:
                    if key.startswith("place_") and key[len("place_") :].isdigit():
                        posted[int(key[len("place_") :])] = str(request.POST.get(key, ""))
                changed = services.org_units_set(
                    actor=user, organization=organization, units=posted
                )
                messages.success(request, _("Organisation units changed: %(n)s.") % {"n": changed})
        except (NotFoundError, PermissionDeniedError):
            raise
        except ApplicationError as problem:
            messages.error(request, str(problem))
        return redirect(reverse("web:dhis2_org_units") + f"?org={organization.pk}")
    units = list(selectors.org_unit_list(user=user, organization_id=organization.pk))
    mapped = {u.place_id: u.org_unit for u in units}
    places = {p.pk: p for p in selectors.places_used(organization_id=organization.pk)}
    places.update({u.place_id: u.place for u in units})  # mapped, no longer in the figures
    server = selectors.server_of(organization.pk)
    return render(
        request,
        "web/dhis2/org_units.html",
        {
            "organization": organization,
            "rows": [
                {
                    "place": p,
                    "level": PlaceLevel(p.level).label,
                    "org_unit": mapped.get(p.pk, ""),
                }
                for p in sorted(places.values(), key=lambda p: p.code)
            ],
            "scheme": scheme_label(server.org_unit_id_scheme if server else "code"),
        },
    )


# ---------------------------------------------------------------- downloads and pushes


@login_required
@require_GET
@domain_errors
def download(request: HttpRequest) -> HttpResponse:
    organizations = _organizations(request)
    organization = _chosen(request, organizations)
    try:
        program = query_id(request.GET, "program")
    except ValueError:
        raise Http404() from None
    try:
        export = services.export_download(
            actor=request.user,
            organization=organization,
            periods=request.GET.get("periods", ""),
            fmt=request.GET.get("format", Dhis2Format.JSON),
            program=program,
        )
    except (NotFoundError, PermissionDeniedError):
        raise
    except ApplicationError as problem:
        messages.error(request, str(problem))
        return redirect(_home(organization.pk, "download"))
    data = (
        export.payload
        if isinstance(export.payload, bytes)
        else json.dumps(export.payload, ensure_ascii=False, indent=1).encode("utf-8")
    )
    return attachment(data, export.content_type, export.file_name)


@login_required
@require_POST
@domain_errors
@idempotent
def push(request: HttpRequest) -> HttpResponse:
    organizations = _organizations(request)
    organization = _chosen(request, organizations)
    periods = request.POST.get("periods", "")
    fmt = request.POST.get("format", Dhis2Format.JSON)
    try:
        done = services.push_request(
            actor=request.user,
            organization=organization,
            periods=periods,
            fmt=fmt,
            dry_run=request.POST.get("action") != "send",
        )
    except (NotFoundError, PermissionDeniedError):
        raise
    except ApplicationError as problem:
        messages.error(request, str(problem))
        q = QueryDict(mutable=True)
        q.update({"org": str(organization.pk), "periods": periods, "format": fmt})
        return redirect(reverse("web:dhis2_home") + "?" + q.urlencode() + "#push")
    return redirect("web:dhis2_push_detail", pk=done.pk)


@login_required
@require_GET
@domain_errors
def push_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row: Dhis2Push = selectors.push_get(user=request.user, pk=pk)
    context = {
        "push": row,
        "organization": row.organization,
        "skipped": _skipped(list(row.skipped or [])),
        "send_ok": row.dry_run
        and row.accepted
        and selectors.dry_run_ok(
            organization_id=row.organization_id, periods=list(row.periods), fmt=row.format
        ),
        "periods_text": ", ".join(row.periods),
        "config": int(current.updated_at.timestamp())
        if (current := selectors.server_of(row.organization_id))
        else 0,
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "web/dhis2/_push_status.html", context)
    return render(request, "web/dhis2/push.html", context)
