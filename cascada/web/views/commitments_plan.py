"""Pages that write what is committed (issue 11, docs/decisions/commitments.md): a new
initiative, an institution's Commitment to Action with its first version, and a revision
(the next version; the earlier ones stay as they were). The plan (aim, themes, places,
budget lines, milestones, indicators) is one form class with three repeatable groups,
shared by the commitment and its revisions. Views adapt: who may do what is
``commitments.selectors``, the rules of a version are ``commitments.services``, amounts
are read by ``commitments.money``."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.forms.utils import ErrorDict, ErrorList
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.commitments import money, selectors, services
from cascada.commitments.models import (
    Commitment,
    CommitmentVersion,
    Initiative,
    MilestoneStatus,
    Theme,
)
from cascada.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from cascada.registry.models import Organization, Person, Place, PlaceLevel
from cascada.registry.selectors import organization_list, person_list, place_list
from cascada.trainings.models import Cohort
from cascada.trainings.selectors import cohort_ids_visible

from ..forms import add_service_error, choice_field, model_choice_field
from ..forms.trainings import DATE
from ..idempotency import idempotent
from .common import domain_errors

# Rows a repeatable group shows empty, and the most it takes (a posted count beyond it is
# refused with a message, never built: 10,000 rows cost nothing).
EXTRA_ROWS = 3
MAX_ROWS = 40


def _today() -> dt.date:
    return timezone.localdate()


def _fold(text: str) -> str:
    """For sorting names as people read them ("Áncash" beside "Apurímac")."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def _shown(amount: Decimal) -> str:
    """An amount as the form shows it again: the reader's decimal mark, no grouping."""
    return formats.number_format(amount, decimal_pos=2)


# ---------------------------------------------------------------- repeatable rows


class _Row(forms.Form):
    """One row of a repeatable group. A row left empty is no row; a half-filled one gets a
    message naming its row and the field that is missing; every message of a row starts
    with "<row>, <field>:" so that it reads right in the summary above the form too."""

    heading_text: Any = ""  # "Budget line %(n)s"
    needed: tuple[str, ...] = ()  # what a row that is not empty must have
    content: tuple[str, ...] = ()  # what makes a row not empty

    def __init__(self, *args: Any, row: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.row = row
        self.note = ""  # e.g. a milestone's live status

    @property
    def heading(self) -> str:
        return str(self.heading_text) % {"n": self.row}

    def where(self, name: str) -> str:
        # Translators: a field of one row of a repeated group: "Budget line 2, Amount".
        return _("%(row)s, %(field)s") % {"row": self.heading, "field": self.fields[name].label}

    def raw(self, name: str) -> str:
        return str(self[name].data or "").strip()

    @property
    def blank(self) -> bool:
        return not any(self.raw(name) for name in self.content)

    def full_clean(self) -> None:
        super().full_clean()
        if not self.errors:
            return
        prefix = self.heading + ","
        for name, errors in list(self.errors.items()):
            if name in self.fields:
                self.errors[name] = self.error_class(
                    [
                        m if m.startswith(prefix) else f"{self.where(name)}: {m}"
                        for m in map(str, errors)
                    ]
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.blank:
            return data
        for name in self.needed:
            if not self.raw(name):
                self.add_error(
                    name,
                    _("%(where)s: fill this in, or leave the whole row empty.")
                    % {"where": self.where(name)},
                )
        return data

    def read_amount(self, name: str, *, allow_zero: bool) -> Decimal | None:
        """The field read by ``money.money`` (the one reader of amounts: "7.500,50",
        "7,500.50" and "7500.50" alike); its refusal shown on the field."""
        text = self.raw(name)
        if not text or name in self.errors:
            return None
        try:
            return money.money(text, field=name, label=self.where(name), allow_zero=allow_zero)
        except ApplicationError as problem:
            self.add_error(name, str(problem))
            return None


def _amount_field(label: Any) -> forms.CharField:
    """A number typed as people type it ("7.500,50"), read by ``commitments.money``: text
    here, so that the service gives the message in the user's words."""
    return forms.CharField(
        label=label,
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class BudgetRow(_Row):
    heading_text = gettext_lazy("Budget line %(n)s")
    needed = content = ("label", "amount")

    # Translators: what a budget line is for ("Talleres"), beside its amount.
    label = forms.CharField(label=gettext_lazy("Item"), max_length=120, required=False)
    amount = _amount_field(gettext_lazy("Amount"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.blank:
            data["value"] = self.read_amount("amount", allow_zero=False)
        return data


class MilestoneRow(_Row):
    heading_text = gettext_lazy("Milestone %(n)s")
    needed = content = ("title", "due_on")

    # Kept for a milestone of the latest version, so its live state (status, tranches
    # that wait on it) follows the new title and date; a new row gets one when saved.
    key = forms.CharField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=gettext_lazy("Milestone"), max_length=200, required=False)
    due_on = forms.DateField(label=gettext_lazy("Due on"), widget=DATE, required=False)


class IndicatorRow(_Row):
    heading_text = gettext_lazy("Indicator %(n)s")
    needed = ("name", "target")
    content = ("name", "unit", "baseline", "target")

    name = forms.CharField(label=gettext_lazy("Indicator"), max_length=200, required=False)
    unit = forms.CharField(label=gettext_lazy("Unit"), max_length=60, required=False)
    baseline = _amount_field(gettext_lazy("Baseline"))
    target = _amount_field(gettext_lazy("Target"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.blank:
            data["baseline_value"] = self.read_amount("baseline", allow_zero=True) or Decimal("0")
            data["target_value"] = self.read_amount("target", allow_zero=True)
        return data


class _Rows(forms.BaseFormSet):
    """A repeatable group: each row knows its number; rows marked to remove and empty rows
    are no rows."""

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "row": (index or 0) + 1}

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this row")

    def kept(self) -> list[Any]:
        return [
            f
            for f in self.forms
            if not f.blank and not (getattr(f, "cleaned_data", None) or {}).get("DELETE")
        ]


class _BudgetRows(_Rows):
    def clean(self) -> None:
        seen: dict[str, int] = {}
        for f in self.kept():
            label = f.raw("label")
            if not label:
                continue
            first = seen.setdefault(label.casefold(), f.row)
            if first != f.row:
                f.add_error(
                    "label",
                    _("%(where)s: “%(label)s” is already budget line %(n)s.")
                    % {"where": f.where("label"), "label": label, "n": first},
                )


def _rows(form: type[_Row], formset: type[_Rows] = _Rows) -> Any:
    return forms.formset_factory(
        form,
        formset=formset,
        extra=EXTRA_ROWS,
        can_delete=True,
        can_delete_extra=False,
        max_num=MAX_ROWS,
        absolute_max=MAX_ROWS,
        validate_max=True,
    )


BudgetRows = _rows(BudgetRow, _BudgetRows)
MilestoneRows = _rows(MilestoneRow)
IndicatorRows = _rows(IndicatorRow)


# ---------------------------------------------------------------- the plan


def place_choices(countries: Iterable[str], keep: Iterable[int] = ()) -> list[Any]:
    """Places of ``countries`` down to provinces (Peru) and municipalities (Bolivia), no
    districts: a few hundred options, grouped by department. ``keep``: places a version
    already names, listed whatever their level, so that a revision does not lose them."""
    places = {
        p.pk: p
        for p in place_list()
        .filter(country__in=list(countries))
        .exclude(level=PlaceLevel.DISTRICT)
        .only("pk", "name", "level", "department_id")
    }
    missing = set(keep) - set(places)
    if missing:
        places.update({p.pk: p for p in Place.objects.filter(pk__in=missing)})
    departments = sorted(
        (p for p in places.values() if p.level == PlaceLevel.DEPARTMENT),
        key=lambda p: _fold(p.name),
    )
    within: dict[int | None, list[Place]] = {}
    for p in places.values():
        if p.level != PlaceLevel.DEPARTMENT:
            home = p.department_id if p.department_id in places else None
            within.setdefault(home, []).append(p)
    choices: list[Any] = []
    for d in departments:
        options = [(d.pk, _("%(name)s (whole department)") % {"name": d.name})]
        options += [
            (p.pk, p.name) for p in sorted(within.get(d.pk, []), key=lambda p: _fold(p.name))
        ]
        choices.append((d.name, options))
    if within.get(None):
        other = sorted(within[None], key=lambda p: _fold(p.name))
        choices.append((_("Other places"), [(p.pk, p.name) for p in other]))
    return choices


class PlanForm(forms.Form):
    """What an institution commits to (one version), with its three repeatable groups
    (``PlanParts``)."""

    aim = forms.CharField(
        label=gettext_lazy("Aim"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    themes = forms.MultipleChoiceField(
        label=gettext_lazy("Themes"), choices=Theme.choices, widget=forms.CheckboxSelectMultiple
    )
    target_populations = forms.CharField(
        label=gettext_lazy("Target populations"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    places = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Places"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=gettext_lazy(
            "On a phone, tap each place. On a computer, hold Ctrl (⌘ on a Mac) to choose more than one."
        ),
    )
    activities = forms.CharField(
        label=gettext_lazy("Activities"),
        max_length=8000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    people_responsible = forms.CharField(
        label=gettext_lazy("People responsible"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, places: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "places").choices = places


GROUPS = ("budget", "milestones", "indicators")


class PlanParts:
    """The plan form and its three groups, validated together: one class for a new
    commitment and for a revision."""

    def __init__(
        self,
        data: Any,
        *,
        places: list[Any],
        initial: dict[str, Any] | None = None,
        rows: dict[str, list[dict[str, Any]]] | None = None,
        statuses: dict[str, str] | None = None,
    ) -> None:
        # Rows start from the latest version only when shown; sent back, each row is what
        # was posted (Django skips a row equal to its initial, which must not happen to a
        # row whose number changed).
        rows = (rows or {}) if data is None else {}
        self.form = PlanForm(data, places=places, initial=initial)
        self.budget = BudgetRows(data, prefix="budget", initial=rows.get("budget"))
        self.milestones = MilestoneRows(data, prefix="milestones", initial=rows.get("milestones"))
        self.indicators = IndicatorRows(data, prefix="indicators", initial=rows.get("indicators"))
        for f in self.milestones.forms:
            key = f.raw("key") if f.is_bound else str(f.initial.get("key", ""))
            f.note = (statuses or {}).get(key, "")

    def formsets(self) -> list[Any]:
        return [self.budget, self.milestones, self.indicators]

    def groups(self) -> list[dict[str, Any]]:
        return [
            {
                "name": "budget",
                "legend": _("Budget"),
                "help": _(
                    'Amounts as "7500,50" or "7500.50"; thousands may be marked: "7.500,50".'
                ),
                "rows": self.budget,
            },
            {
                "name": "milestones",
                "legend": _("Milestones"),
                "help": _(
                    "A milestone removed is dropped (unless it is done); the others keep their status."
                ),
                "rows": self.milestones,
            },
            {
                "name": "indicators",
                "legend": _("Indicators"),
                "help": _("A baseline left empty is 0."),
                "rows": self.indicators,
            },
        ]

    def is_valid(self) -> bool:
        return all([self.form.is_valid(), *(rows.is_valid() for rows in self.formsets())])

    def errors(self) -> list[tuple[str, str]]:
        """Every message, with the id of the field it is about (for a link to it)."""
        out = _form_messages(self.form)
        for rows in self.formsets():
            out += [(str(e), rows.prefix) for e in rows.non_form_errors()]
            for f in rows.forms:
                out += [
                    (str(e), f"field-{f[name].html_name}" if name in f.fields else rows.prefix)
                    for name, errors in f.errors.items()
                    for e in errors
                ]
        return out

    def quiet(self) -> None:
        """Shown again with more rows, not sent to be saved: no message yet."""
        _quiet(self.form)
        for rows in self.formsets():
            _quiet(rows)
            for f in rows.forms:
                _quiet(f)

    def plan(self, *, keys: Iterable[str]) -> services.Plan:
        """The ``services.Plan`` of valid parts. ``keys``: the milestones the commitment
        has (a row keeps its key only if it is one of them, once); a new milestone gets
        the first free "m1", "m2"…"""
        data = self.form.cleaned_data
        chosen = set(data["places"])
        existing = set(keys)
        used: set[str] = set()
        milestones = []
        for f in self.milestones.kept():
            key = f.raw("key")
            if key not in existing or key in used:
                n = 1
                while f"m{n}" in existing or f"m{n}" in used:
                    n += 1
                key = f"m{n}"
            used.add(key)
            c = f.cleaned_data
            milestones.append({"key": key, "title": c["title"], "due_on": c["due_on"]})
        return services.Plan(
            aim=data["aim"],
            themes=list(data["themes"]),
            target_populations=data["target_populations"],
            places=list(Place.objects.filter(pk__in=chosen)),
            activities=data["activities"],
            people_responsible=data["people_responsible"],
            budget=[(f.cleaned_data["label"], f.cleaned_data["value"]) for f in self.budget.kept()],
            milestones=milestones,
            indicators=[
                {
                    "name": f.cleaned_data["name"],
                    "unit": f.cleaned_data["unit"],
                    "baseline": f.cleaned_data["baseline_value"],
                    "target": f.cleaned_data["target_value"],
                }
                for f in self.indicators.kept()
            ],
        )


def _quiet(form: Any) -> None:
    """A bound form or formset shown without validating it (Django validates on the first
    read of its errors): the form was sent for more rows, not to be saved."""
    rows = isinstance(form, forms.BaseFormSet)  # (a bool: Any stays Any for mypy)
    if rows:
        form._errors, form._non_form_errors = [], ErrorList()
    else:
        form._errors = ErrorDict()


def _form_messages(form: forms.Form) -> list[tuple[str, str]]:
    """A form's messages for the summary above the page: (text, id of the field)."""
    out = [(str(e), "") for e in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name in form.fields:
            out += [
                (f"{form.fields[name].label}: {e}", f"field-{form[name].html_name}") for e in errors
            ]
    return out


def _version_initial(
    version: CommitmentVersion | None,
) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """The latest version as the revision form starts from it."""
    if version is None:
        return {}, {}
    initial: dict[str, Any] = {
        "aim": version.aim,
        "themes": list(version.themes),
        "target_populations": version.target_populations,
        "places": [p.pk for p in version.places.all()],
        "activities": version.activities,
        "people_responsible": version.people_responsible,
    }
    rows: dict[str, list[dict[str, Any]]] = {
        "budget": [
            {"label": b.label, "amount": _shown(b.amount)} for b in version.budget_lines.all()
        ],
        "milestones": [
            {"key": m.key, "title": m.title, "due_on": m.due_on} for m in version.milestones.all()
        ],
        "indicators": [
            {
                "name": i.name,
                "unit": i.unit,
                "baseline": _shown(i.baseline),
                "target": _shown(i.target),
            }
            for i in version.indicators.all()
        ],
    }
    return initial, rows


def _with_more_rows(post: QueryDict) -> QueryDict | None:
    """The posted form with more empty rows in the group whose "Add rows" was tapped;
    None when the form was sent to be saved."""
    group = post.get("more", "")
    if group not in GROUPS:
        return None
    data = post.copy()
    name = f"{group}-TOTAL_FORMS"
    count = data.get(name, "")
    current = int(count) if count.isascii() and count.isdigit() and len(count) < 4 else 0
    data[name] = str(min(current + EXTRA_ROWS, MAX_ROWS))
    return data


def _service_error(head: forms.Form, parts: PlanParts, problem: ApplicationError) -> None:
    """A refusal of the services beside the field it names, else above the form."""
    field = problem.extra.get("field")
    if field in head.fields:
        add_service_error(head, problem)
    elif field in parts.form.fields:
        add_service_error(parts.form, problem)
    else:
        head.add_error(None, str(problem.message))


def _training_label(cohort: Cohort) -> str:
    return f"{cohort.name} · {formats.date_format(cohort.start_date, 'SHORT_DATE_FORMAT')}"


# ---------------------------------------------------------------- a new initiative


class CohortChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.program.name}: {_training_label(obj)}"


class InitiativeForm(forms.Form):
    funder = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label=gettext_lazy("Funder")
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=8000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    starts_on = forms.DateField(label=gettext_lazy("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), widget=DATE)
    organizations = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.none(),
        label=gettext_lazy("Participating institutions"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Institutions you already work with: your organizations, your programs' partners, "
            "those of the people you registered or trained, and those of your initiatives."
        ),
    )
    trainings = CohortChoices(
        queryset=Cohort.objects.none(),
        label=gettext_lazy("Trainings"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Cohorts of the funder's programs."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        managed = scope.org_ids(user, Cap.MANAGE_PROGRAMS)
        funders = Organization.objects.filter(pk__in=managed).order_by("name")
        funder = model_choice_field(self, "funder")
        funder.queryset = funders
        if len(managed) == 1:
            funder.initial = next(iter(managed))
        model_choice_field(self, "organizations").queryset = institutions_known(user)
        model_choice_field(self, "trainings").queryset = (
            Cohort.objects.filter(
                pk__in=cohort_ids_visible(user=user, cap=Cap.MANAGE_PROGRAMS),
                program__owner_id__in=managed,
            )
            .select_related("program")
            .order_by("-start_date", "name")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("An initiative cannot end before it starts."))
        funder = data.get("funder")
        if funder is not None and any(
            c.program.owner_id != funder.pk for c in data.get("trainings", [])
        ):
            self.add_error("trainings", _("Choose trainings of the funder's own programs."))
        return data


def institutions_known(user: Any) -> QuerySet[Organization]:
    """The institutions a grant manager may invite without seeing any other organization's
    data (S2): the organizations they reach (theirs, their programs' partners), those of
    the people they may see (registered by them, or trained in their cohorts), and those
    already taking part in their organizations' initiatives."""
    managed = scope.org_ids(user, Cap.MANAGE_PROGRAMS)
    return (
        Organization.objects.filter(
            Q(pk__in=organization_list(user=user).values("pk"))
            | Q(pk__in=person_list(user=user).prefetch_related(None).values("organization_id"))
            | Q(initiatives__funder_id__in=managed)
        )
        .distinct()
        .order_by("name")
    )


@login_required
@idempotent
@require_http_methods(["GET", "POST"])
@domain_errors
def initiative_new(request: HttpRequest) -> HttpResponse:
    """For the staff who manage programs: the funder is one of their organizations."""
    if not scope.org_ids(request.user, Cap.MANAGE_PROGRAMS):
        raise PermissionDenied
    form = InitiativeForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.initiative_create(
                    actor=request.user,
                    funder=data["funder"],
                    name=data["name"],
                    description=data["description"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    organizations=data["organizations"],
                    trainings=data["trainings"],
                )
            except (NotFoundError, PermissionDeniedError):
                raise
            except ApplicationError as problem:
                add_service_error(form, problem)
            else:
                messages.success(request, _("Initiative created."))
                return redirect("web:commitment_list")
        return render(request, "web/commitments/initiative_form.html", {"form": form}, status=400)
    return render(request, "web/commitments/initiative_form.html", {"form": form})


# ---------------------------------------------------------------- a new commitment


class CommitmentNewForm(forms.Form):
    institution = forms.TypedChoiceField(label=gettext_lazy("Institution"), coerce=int)
    focal_point = forms.CharField(
        label=gettext_lazy("Focal point (code of a person in the registry)"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
        help_text=gettext_lazy(
            "The institution's representative, as registered (a code such as 7KQ2M9XA). "
            "The person's user account, if they have one, reports for the institution."
        ),
    )
    created_on = forms.DateField(label=gettext_lazy("Agreed on"), widget=DATE)
    presented_at = forms.TypedChoiceField(
        label=gettext_lazy("Presented at the training"),
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(
        self,
        *args: Any,
        user: Any,
        institutions: list[Organization],
        trainings: list[Cohort],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        choice_field(self, "institution").choices = [(o.pk, o.name) for o in institutions]
        choice_field(self, "presented_at").choices = [("", "—")] + [
            (c.pk, _training_label(c)) for c in trainings
        ]

    def clean_focal_point(self) -> Person | None:
        code = self.cleaned_data.get("focal_point", "").strip().upper()
        if not code:
            return None
        # Only among the people the grant manager may see: a code of anyone else is
        # "not found", as if it did not exist (S2).
        person = person_list(user=self.user).filter(code=code).first()
        if person is None:
            raise forms.ValidationError(
                _(
                    "No person with the code %(code)s is among the people you may see. "
                    "Check the code on the person's page."
                )
                % {"code": code}
            )
        return person


def _plan_page(
    request: HttpRequest,
    *,
    initiative: Initiative,
    head: forms.Form,
    parts: PlanParts,
    commitment: Commitment | None = None,
    number: int = 1,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "web/commitments/plan_form.html",
        {
            "initiative": initiative,
            "commitment": commitment,
            "number": number,
            "head": head,
            "parts": parts,
            "groups": parts.groups(),
            "errors": (_form_messages(head) + parts.errors()) if status == 400 else [],
        },
        status=status,
    )


@login_required
@idempotent
@require_http_methods(["GET", "POST"])
@domain_errors
def commitment_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The grant manager writes an institution's commitment and its first version."""
    initiative = selectors.initiative_get(user=request.user, pk=pk)
    if not selectors.may_manage_initiative(request.user, initiative):
        raise PermissionDenied
    institutions = list(
        initiative.organizations.exclude(commitments__initiative=initiative).order_by("name")
    )
    trainings = list(initiative.trainings.order_by("start_date", "name"))
    countries = {o.country for o in institutions} or {initiative.funder.country}
    data = request.POST if request.method == "POST" else None
    more = _with_more_rows(request.POST) if data is not None else None
    head = CommitmentNewForm(
        more or data,
        user=request.user,
        institutions=institutions,
        trainings=trainings,
        initial={"created_on": _today()},
    )
    parts = PlanParts(more or data, places=place_choices(countries))
    if more is not None:
        _quiet(head)
        parts.quiet()
        return _plan_page(request, initiative=initiative, head=head, parts=parts)
    if data is None:
        return _plan_page(request, initiative=initiative, head=head, parts=parts)
    if all([head.is_valid(), parts.is_valid()]):
        c = head.cleaned_data
        try:
            commitment = services.commitment_create(
                actor=request.user,
                initiative=initiative,
                institution=next(o for o in institutions if o.pk == c["institution"]),
                plan=parts.plan(keys=()),
                created_on=c["created_on"],
                focal_point=c["focal_point"],
                presented_at=next((t for t in trainings if t.pk == c["presented_at"]), None),
            )
        except (NotFoundError, PermissionDeniedError):
            raise
        except ApplicationError as problem:
            _service_error(head, parts, problem)
        else:
            messages.success(request, _("Commitment saved with its first version."))
            return redirect("web:commitment_detail", pk=commitment.pk)
    return _plan_page(request, initiative=initiative, head=head, parts=parts, status=400)


# ---------------------------------------------------------------- a revision


class ReviseForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What changed"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    created_on = forms.DateField(label=gettext_lazy("Agreed on"), widget=DATE)
    presented_at = forms.TypedChoiceField(
        label=gettext_lazy("Presented at the training"),
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args: Any, trainings: list[Cohort], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "presented_at").choices = [("", "—")] + [
            (c.pk, _training_label(c)) for c in trainings
        ]


@login_required
@idempotent
@require_http_methods(["GET", "POST"])
@domain_errors
def commitment_revise(request: HttpRequest, pk: int) -> HttpResponse:
    """The grant manager or the institution's focal point writes the next version, from
    the latest one; every earlier version stays as it was (``services.commitment_revise``)."""
    commitment = selectors.commitment_get(user=request.user, pk=pk)
    if not selectors.may_report(request.user, commitment):
        raise PermissionDenied
    initiative = commitment.initiative
    latest = (
        CommitmentVersion.objects.filter(commitment=commitment)
        .order_by("-number")
        .prefetch_related("places", "budget_lines", "indicators", "milestones")
        .first()
    )
    initial, rows = _version_initial(latest)
    live = list(commitment.milestones.all())
    statuses = {
        m.key: str(MilestoneStatus(m.status).label)
        for m in live
        if m.status in MilestoneStatus.values
    }
    trainings = list(initiative.trainings.order_by("start_date", "name"))
    data = request.POST if request.method == "POST" else None
    more = _with_more_rows(request.POST) if data is not None else None
    head = ReviseForm(more or data, trainings=trainings, initial={"created_on": _today()})
    parts = PlanParts(
        more or data,
        places=place_choices([commitment.institution.country], keep=initial.get("places", [])),
        initial=initial,
        rows=rows,
        statuses=statuses,
    )
    page: dict[str, Any] = {
        "initiative": initiative,
        "commitment": commitment,
        "number": (latest.number if latest else 0) + 1,
    }
    if more is not None:
        _quiet(head)
        parts.quiet()
        return _plan_page(request, head=head, parts=parts, **page)
    if data is None:
        return _plan_page(request, head=head, parts=parts, **page)
    if all([head.is_valid(), parts.is_valid()]):
        c = head.cleaned_data
        try:
            version = services.commitment_revise(
                actor=request.user,
                commitment=commitment,
                plan=parts.plan(keys=(m.key for m in live)),
                created_on=c["created_on"],
                note=c["note"],
                presented_at=next((t for t in trainings if t.pk == c["presented_at"]), None),
            )
        except (NotFoundError, PermissionDeniedError):
            raise
        except ApplicationError as problem:
            _service_error(head, parts, problem)
        else:
            messages.success(request, _("Revision saved as version %(n)s.") % {"n": version.number})
            return redirect("web:commitment_detail", pk=commitment.pk)
    return _plan_page(request, head=head, parts=parts, status=400, **page)
