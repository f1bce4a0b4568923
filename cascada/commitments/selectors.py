"""Reads of Commitments to Action (docs/decisions/commitments.md): who may do what, a
grant's balance to the cent, late milestones, the grant manager's portfolio (money by
currency, never summed across currencies), and the one rule of which testimonies may be
published."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.errors import NotFoundError
from cascada.core.privacy import Cell, CountsRelease, counts_release

from .models import (
    CLOSED,
    Commitment,
    CommitmentStatus,
    CommitmentVersion,
    Disbursement,
    Grant,
    Initiative,
    MentoringSession,
    Milestone,
    MilestoneStatus,
    Outcome,
    Spending,
    Testimony,
    Theme,
    Tranche,
)
from .money import CENT, total

# ---------------------------------------------------------------- who may do what (S2)
#
# The one place that answers it (docs/decisions/commitments.md):
# - grant manager: staff with MANAGE_PROGRAMS in the initiative's funder organization;
#   everything of the funder's initiatives (commitments, grants, releases, rates);
# - mentor: the user assigned as a commitment's mentor; that commitment only (sessions,
#   assessments of milestones);
# - focal point: the user whose registry person is the commitment's focal point; their
#   own commitment only (revisions, milestone status, spending, lessons, testimonies);
# - viewer: VIEW_AGGREGATES in the funder organization: the initiative and its aggregates
#   (through core.privacy.counts_release, next step), never one commitment's rows.


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def _managed_funders(user: Any) -> set[int]:
    return scope.org_ids(user, Cap.MANAGE_PROGRAMS)


def initiative_list(*, user: Any) -> QuerySet[Initiative]:
    """Initiatives a user may open: the funder's staff (managers and viewers), and the
    mentors and focal points of one of its commitments."""
    if not _active(user):
        return Initiative.objects.none()
    return (
        Initiative.objects.filter(
            Q(funder_id__in=scope.org_ids(user, Cap.VIEW_AGGREGATES) | _managed_funders(user))
            | Q(commitments__in=commitment_list(user=user))
        )
        .distinct()
        .select_related("funder")
    )


def initiative_get(*, user: Any, pk: Any) -> Initiative:
    initiative = initiative_list(user=user).filter(pk=pk).first()
    if initiative is None:
        raise NotFoundError()
    return initiative


def _assigned(user: Any) -> Q:
    """The commitments assigned to the user: as their mentor, or as their focal point
    (the user's registry person)."""
    rule = Q(mentor=user)
    if getattr(user, "person_id", None):
        rule |= Q(focal_point_id=user.person_id)
    return rule


def commitments_assigned_to(user: Any) -> QuerySet[Commitment]:
    """The commitments a user mentors or is the focal point of (none for a closed
    account)."""
    if not _active(user):
        return Commitment.objects.none()
    return Commitment.objects.filter(_assigned(user))


def commitment_list(*, user: Any) -> QuerySet[Commitment]:
    """The commitments whose rows a user may open (S2): the grant manager's, the mentor's
    own, the focal point's own. A viewer opens none."""
    if not _active(user):
        return Commitment.objects.none()
    rule = Q(initiative__funder_id__in=_managed_funders(user)) | _assigned(user)
    return Commitment.objects.filter(rule).select_related("initiative", "institution")


def commitment_get(*, user: Any, pk: Any) -> Commitment:
    commitment = commitment_list(user=user).filter(pk=pk).first()
    if commitment is None:
        raise NotFoundError()
    return commitment


def assigned_needs_two_factor(asked: Any) -> bool:
    """Answers ``accounts.hooks.two_factor_needed``: a commitment's mentor or focal point
    opens evidence files, mentoring notes and unconsented testimonies, so signs in with
    a second factor (S6) although they hold no role."""
    return commitments_assigned_to(asked.user).exists()


def may_manage_initiative(user: Any, initiative: Initiative) -> bool:
    return _active(user) and initiative.funder_id in _managed_funders(user)


def may_manage_grant(user: Any, commitment: Commitment) -> bool:
    """Grants, tranches and their release, disbursements, exchange rates, the mentor."""
    return _active(user) and commitment.initiative.funder_id in _managed_funders(user)


def is_focal_point(user: Any, commitment: Commitment) -> bool:
    person_id = getattr(user, "person_id", None)
    return _active(user) and person_id is not None and commitment.focal_point_id == person_id


def is_mentor(user: Any, commitment: Commitment) -> bool:
    return _active(user) and commitment.mentor_id is not None and commitment.mentor_id == user.pk


def may_report(user: Any, commitment: Commitment) -> bool:
    """Revise the plan, report milestones, spending, lessons and testimonies."""
    return may_manage_grant(user, commitment) or is_focal_point(user, commitment)


def may_mentor(user: Any, commitment: Commitment) -> bool:
    """Log mentoring sessions and assess milestones."""
    return is_mentor(user, commitment) or may_manage_grant(user, commitment)


def sees_aggregates(user: Any, initiative: Initiative) -> bool:
    """The initiative's figures (later through core.privacy.counts_release for viewers)."""
    return _active(user) and initiative.funder_id in (
        scope.org_ids(user, Cap.VIEW_AGGREGATES) | _managed_funders(user)
    )


def mentor_candidates(initiative: Initiative) -> QuerySet[Any]:
    """Whom a grant manager may assign as a mentor: active users of the funder (a role in
    it, or their registry person is one of its people) and those already mentoring one of
    its commitments. No other organization's users are listed (S2)."""
    from django.contrib.auth import get_user_model

    funder = initiative.funder_id
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(memberships__organization_id=funder)
            | Q(person__organization_id=funder)
            | Q(mentored_commitments__initiative__funder_id=funder)
        )
        .distinct()
        .order_by("username")
    )


def commitments_assigned(*, user: Any, today: dt.date, days: int = 30) -> list[dict[str, Any]]:
    """The commitments a user mentors or is the focal point of (not withdrawn), each with
    its milestones late and those due in the next ``days``: the reminder on the home
    page (the printable list is ``/commitments/due/``)."""
    soon = today + dt.timedelta(days=days)
    rows = (
        commitments_assigned_to(user)
        .exclude(status="withdrawn")
        .select_related("institution", "initiative")
        .annotate(
            late=Count(
                "milestones",
                filter=Q(milestones__due_on__lt=today) & ~Q(milestones__status__in=CLOSED),
            ),
            due=Count(
                "milestones",
                filter=Q(milestones__due_on__gte=today, milestones__due_on__lte=soon)
                & ~Q(milestones__status__in=CLOSED),
            ),
        )
        .order_by("institution__name")[:20]
    )
    return [{"commitment": c, "late": c.late, "due": c.due} for c in rows]


# ---------------------------------------------------------------- versions and milestones


def version_latest(commitment: Commitment) -> CommitmentVersion | None:
    return commitment.versions.order_by("-number").first()


def version_first(commitment: Commitment) -> CommitmentVersion | None:
    """What was committed first (at the first training): never changed."""
    return commitment.versions.order_by("number").first()


def milestones_late(commitment: Commitment, today: dt.date) -> list[Milestone]:
    """Milestones past their due date on ``today`` and neither done nor dropped."""
    return list(
        commitment.milestones.filter(due_on__lt=today).exclude(status__in=CLOSED).order_by("due_on")
    )


# ---------------------------------------------------------------- money


@dataclass(frozen=True)
class GrantBalance:
    """A grant's money, exact to the cent, in its one currency. ``balance``: what the
    institution received and has not reported spent (disbursed − spent);
    ``to_disburse``: what the grant has yet to pay (committed − disbursed)."""

    currency: str
    committed: Decimal
    released: Decimal
    disbursed: Decimal
    spent: Decimal

    @property
    def balance(self) -> Decimal:
        return (self.disbursed - self.spent).quantize(CENT)

    @property
    def to_disburse(self) -> Decimal:
        return (self.committed - self.disbursed).quantize(CENT)


def _sum(queryset: QuerySet[Any]) -> Decimal:
    # Summed in Python from the stored Decimals: exact on SQLite too (its SUM is a float).
    return total(queryset.values_list("amount", flat=True))


def grant_balance(grant: Grant) -> GrantBalance:
    return GrantBalance(
        currency=grant.currency,
        committed=grant.amount.quantize(CENT),
        released=_sum(Tranche.objects.filter(grant=grant, released_on__isnull=False)),
        disbursed=_sum(Disbursement.objects.filter(tranche__grant=grant)),
        spent=_sum(Spending.objects.filter(grant=grant)),
    )


# ---------------------------------------------------------------- testimonies


def testimonies_publishable(
    *, initiative: Initiative | None = None, commitments: Any = None
) -> QuerySet[Testimony]:
    """THE rule for every output that leaves a commitment's page (booklet, PDF, exports,
    API): only testimonies with consent to publish and the date it was given. A testimony
    without consent never appears anywhere else. Narrowed to an initiative or to
    ``commitments`` (a queryset or ids) when given."""
    rows = Testimony.objects.filter(consent_to_publish=True, consent_on__isnull=False)
    if initiative is not None:
        rows = rows.filter(commitment__initiative=initiative)
    if commitments is not None:
        rows = rows.filter(commitment__in=commitments)
    return rows.select_related("author_institution", "commitment")


def testimony_list(*, user: Any, commitment: Commitment) -> QuerySet[Testimony]:
    """Every testimony of the commitment, consented or not, for its own page only."""
    if not commitment_list(user=user).filter(pk=commitment.pk).exists():
        raise NotFoundError()
    return commitment.testimonies.select_related("author_institution")


# ---------------------------------------------------------------- portfolio


@dataclass
class Money:
    committed: Decimal = Decimal("0.00")
    disbursed: Decimal = Decimal("0.00")
    spent: Decimal = Decimal("0.00")


@dataclass
class PortfolioRow:
    commitment: Commitment
    version: CommitmentVersion | None
    late: int
    milestones: int
    done: int
    sessions: int
    last_session: dt.date | None
    # currency -> Money; one entry per currency the commitment's grants are in
    money: dict[str, Money] = field(default_factory=dict)

    @property
    def themes(self) -> list[str]:
        return list(self.version.themes) if self.version else []


def _by_currency(
    rows: Any, key: str, currency: str, out: dict[int, dict[str, Money]], attr: str
) -> None:
    for row in rows:
        money = out[row[key]].setdefault(row[currency], Money())
        setattr(money, attr, (getattr(money, attr) + row["amount"]).quantize(CENT))


def portfolio(
    *,
    user: Any,
    initiative: Initiative,
    today: dt.date,
    theme: str | None = None,
    place: Any = None,
    institution: Any = None,
) -> list[PortfolioRow]:
    """Every commitment of ``initiative`` the user may open, with its status, late
    milestones, mentoring and money committed, disbursed and spent **by currency** (never
    summed across currencies). Filters: a theme or a place of the latest version (a place
    includes the places within it), an institution. A viewer gets no rows."""
    commitments = commitment_list(user=user).filter(initiative=initiative)
    if institution is not None:
        commitments = commitments.filter(institution=institution)
    latest = dict(
        CommitmentVersion.objects.filter(commitment__in=commitments)
        .values("commitment_id")
        .annotate(n=Max("number"))
        .values_list("commitment_id", "n")
    )
    versions = {
        v.commitment_id: v
        for v in CommitmentVersion.objects.filter(
            commitment__in=commitments, number__in=set(latest.values())
        ).prefetch_related("places")
        if latest.get(v.commitment_id) == v.number
    }
    if place is not None:
        near = Q(places=place) | Q(places__parent=place) | Q(places__department=place)
        keep = set(
            CommitmentVersion.objects.filter(
                near, pk__in=[v.pk for v in versions.values()]
            ).values_list("commitment_id", flat=True)
        )
        commitments = commitments.filter(pk__in=keep)
    if theme is not None:
        ids = [cid for cid, v in versions.items() if theme in v.themes]
        commitments = commitments.filter(pk__in=ids)
    milestones: dict[int, dict[str, Any]] = {
        r["commitment_id"]: dict(r)
        for r in Milestone.objects.filter(commitment__in=commitments)
        .values("commitment_id")
        .annotate(
            n=Count("pk"),
            done=Count("pk", filter=Q(status="done")),
            late=Count("pk", filter=Q(due_on__lt=today) & ~Q(status__in=CLOSED)),
        )
    }
    sessions: dict[int, dict[str, Any]] = {
        r["commitment_id"]: dict(r)
        for r in MentoringSession.objects.filter(commitment__in=commitments)
        .values("commitment_id")
        .annotate(n=Count("pk"), last=Max("held_on"))
    }
    money: dict[int, dict[str, Money]] = defaultdict(dict)
    grants = Grant.objects.filter(commitment__in=commitments)
    _by_currency(
        grants.values("commitment_id", "currency", "amount"),
        "commitment_id",
        "currency",
        money,
        "committed",
    )
    _by_currency(
        Disbursement.objects.filter(tranche__grant__in=grants).values(
            "tranche__grant__commitment_id", "tranche__grant__currency", "amount"
        ),
        "tranche__grant__commitment_id",
        "tranche__grant__currency",
        money,
        "disbursed",
    )
    _by_currency(
        Spending.objects.filter(grant__in=grants).values(
            "grant__commitment_id", "grant__currency", "amount"
        ),
        "grant__commitment_id",
        "grant__currency",
        money,
        "spent",
    )
    rows = []
    for c in commitments.order_by("institution__name"):
        m = milestones.get(c.pk, {})
        s = sessions.get(c.pk, {})
        rows.append(
            PortfolioRow(
                commitment=c,
                version=versions.get(c.pk),
                late=m.get("late", 0),
                milestones=m.get("n", 0),
                done=m.get("done", 0),
                sessions=s.get("n", 0),
                last_session=s.get("last"),
                money=dict(sorted(money.get(c.pk, {}).items())),
            )
        )
    return rows


def portfolio_totals(rows: list[PortfolioRow]) -> dict[str, Money]:
    """The portfolio's money, one total per currency."""
    out: dict[str, Money] = {}
    for row in rows:
        for currency, m in row.money.items():
            t = out.setdefault(currency, Money())
            t.committed += m.committed
            t.disbursed += m.disbursed
            t.spent += m.spent
    return dict(sorted(out.items()))


def grant_list(*, user: Any, commitment: Commitment) -> QuerySet[Grant]:
    if not commitment_list(user=user).filter(pk=commitment.pk).exists():
        raise NotFoundError()
    return commitment.grants.prefetch_related("tranches", "rates")


# ---------------------------------------------------------------- outcomes and reach


def outcome_cohorts(commitment: Commitment) -> QuerySet[Any]:
    """The trainings an outcome may link: cohorts of the institution's own programs."""
    from cascada.trainings.models import Cohort

    return Cohort.objects.filter(program__owner_id=commitment.institution_id).order_by(
        "-start_date", "pk"
    )


def outcome_actions(commitment: Commitment) -> QuerySet[Any]:
    """The community actions an outcome may link: actions of the institution's networks."""
    from cascada.networks.models import CommunityAction

    return CommunityAction.objects.filter(
        network__organization_id=commitment.institution_id
    ).order_by("-date", "pk")


@dataclass
class Reach:
    """Whom commitments reached, each source once: people (distinct, from linked
    trainings, by sex), contacts (headcounts of linked community actions, by sex and age
    band: never people) and the figures institutions declared for what Cascada does not
    hold (neither people nor contacts: kept apart)."""

    enrolled: dict[str, int] = field(default_factory=dict)  # sex -> distinct people
    completed: dict[str, int] = field(default_factory=dict)
    contacts: dict[str, int] = field(default_factory=dict)  # REACH_FIELDS -> headcount
    actions: int = 0
    declared: int = 0

    @property
    def people_enrolled(self) -> int:
        return sum(self.enrolled.values())

    @property
    def people_completed(self) -> int:
        return sum(self.completed.values())

    @property
    def contact_total(self) -> int:
        return sum(self.contacts.values())


def reach_of(commitments: Any, *, consenting_only: bool = False) -> Reach:
    """The reach of the outcomes of ``commitments`` (a queryset or ids). A training linked
    by two outcomes, or two commitments, counts its people once; so does a person trained
    in two linked trainings; an action linked twice counts once. ``consenting_only`` (what
    protected figures count, S15): people who consented to aggregate reporting, and
    actions run by nobody named or by a promoter who consented, as networks count them."""
    from cascada.networks.models import CommunityAction
    from cascada.networks.selectors import REACH_FIELDS
    from cascada.registry.consent import reportable
    from cascada.registry.models import Person
    from cascada.trainings.models import Enrolment, EnrolmentStatus

    outcomes = Outcome.objects.filter(commitment__in=commitments)
    cohorts = outcomes.filter(cohort__isnull=False).values("cohort_id")
    enrolments = Enrolment.objects.filter(cohort_id__in=cohorts, status=EnrolmentStatus.ENROLLED)
    if consenting_only:
        enrolments = reportable(enrolments, person="person")
    out = Reach()
    for key, rows in (
        ("enrolled", enrolments),
        ("completed", enrolments.filter(completed=True)),
    ):
        counted = (
            Person.objects.filter(pk__in=rows.values("person_id"))
            .order_by()
            .values("sex")
            .annotate(n=Count("pk"))
        )
        setattr(out, key, {r["sex"]: int(r["n"]) for r in counted})
    actions = CommunityAction.objects.filter(
        pk__in=outcomes.filter(community_action__isnull=False).values("community_action_id")
    )
    if consenting_only:
        actions = actions.filter(Q(run_by__isnull=True) | Q(run_by__reporting_consent=True))
    sums = actions.aggregate(n=Count("pk"), **{name: Sum(name) for name in REACH_FIELDS})
    out.actions = int(sums.pop("n") or 0)
    out.contacts = {name: int(sums[name] or 0) for name in REACH_FIELDS}
    out.declared = int(outcomes.aggregate(n=Sum("people_reached"))["n"] or 0)
    return out


def sees_reach_exactly(user: Any, commitments: Any) -> bool:
    """Exact reach only for a user who sees the people of every institution concerned
    (VIEW_PEOPLE there, not bound to their own cohorts as a facilitator's is); everyone
    else, grant managers, mentors and focal points included, gets it through the
    disclosure control (``reach_shown``)."""
    if not _active(user):
        return False
    institutions = set(
        Commitment.objects.filter(pk__in=commitments).values_list("institution_id", flat=True)
    )
    people = scope.org_ids(user, Cap.VIEW_PEOPLE) - scope.cohort_bound_org_ids(
        user, Cap.VIEW_PEOPLE
    )
    return institutions <= people


def reach_release(reach: Reach, *, exact: bool, court: bool = False) -> dict[str, CountsRelease]:
    """``reach`` through ``core.privacy.counts_release`` (exact when ``exact``; otherwise
    small counts hidden, with secondary suppression, at the court threshold when
    ``court``). Callers use ``reach_shown``, which chooses all three."""
    return {
        "enrolled": counts_release(
            reach.people_enrolled, {"sex": reach.enrolled}, exact=exact, court=court
        ),
        "completed": counts_release(
            reach.people_completed, {"sex": reach.completed}, exact=exact, court=court
        ),
        "contacts": counts_release(
            reach.contact_total, {"sex_age": reach.contacts}, exact=exact, court=court
        ),
        "declared": counts_release(reach.declared, {}, exact=exact, court=court),
    }


def reach_shown(user: Any, commitments: Any) -> dict[str, CountsRelease]:
    """THE reach a user sees of ``commitments`` (ids or a queryset): exact for a user who
    sees the people of every institution concerned; for everyone else only consenting
    people and actions (S15), small counts hidden (S17), at the court threshold when a
    linked training belongs to a court-mandated program.

    Of several commitments, a total that is not exact is withheld ("—") when one
    commitment's own figure is hidden: the grant manager sees each commitment's figure on
    its page, and the total minus the others would give the hidden one away."""
    ids = list(Commitment.objects.filter(pk__in=commitments).values_list("pk", flat=True))
    exact = sees_reach_exactly(user, ids)
    court = Outcome.objects.filter(
        commitment_id__in=ids, cohort__program__is_court_mandated=True
    ).exists()
    shown = reach_release(reach_of(ids, consenting_only=not exact), exact=exact, court=court)
    if exact or len(ids) < 2:
        return shown
    for one in ids:
        own = reach_release(reach_of([one], consenting_only=True), exact=False, court=court)
        for key, release in own.items():
            if release.total.suppressed and not shown[key].total.suppressed:
                shown[key] = CountsRelease(
                    total=Cell(None, release.k, withheld=True), breakdowns={}, k=release.k,
                    exact=False,
                )  # fmt: skip
    return shown


# ---------------------------------------------------------------- the initiative's aggregates


def _money_by_currency(initiative: Initiative) -> list[dict[str, Any]]:
    """The initiative's money per currency, summed in Python from the stored Decimals
    (exact on SQLite too, as ``selectors`` does)."""
    grants = Grant.objects.filter(commitment__initiative=initiative)
    sources = {
        "committed": grants.values_list("currency", "amount"),
        "released": Tranche.objects.filter(grant__in=grants, released_on__isnull=False).values_list(
            "grant__currency", "amount"
        ),
        "disbursed": Disbursement.objects.filter(tranche__grant__in=grants).values_list(
            "tranche__grant__currency", "amount"
        ),
        "spent": Spending.objects.filter(grant__in=grants).values_list("grant__currency", "amount"),
    }
    amounts: dict[str, dict[str, list[Decimal]]] = {}
    for what, rows in sources.items():
        for currency, amount in rows:
            amounts.setdefault(currency, {k: [] for k in sources})[what].append(amount)
    return [
        {"currency": currency, **{what: total(values) for what, values in by.items()}}
        for currency, by in sorted(amounts.items())
    ]


def initiative_summary(*, user: Any, initiative: Initiative, today: dt.date) -> dict[str, Any]:
    """The initiative's aggregates for those who see them (``selectors.sees_aggregates``).

    Counted over **every** commitment of the initiative (a viewer opens none of their rows,
    so ``commitment_list`` cannot be the base here): commitments by theme of their latest
    version and by status, and milestones done, late, pending and dropped. The grant
    manager (``selectors.may_manage_initiative``) sees exact counts; everyone else sees
    them through ``core.privacy.counts_release`` (S17): commitments with one binary
    breakdown per theme (a commitment may name several themes, so themes do not partition
    the total, "with the theme / without" does) and one by status; milestones with one
    breakdown by state.

    Money committed, released, disbursed and spent per currency is shown to viewers as
    it is: it is the institutions' money, not a count of people, and the funder's staff
    are entitled to know what their initiative committed and spent. It is never summed
    across currencies.

    Reach (people trained in linked trainings, contacts at linked actions, declared
    figures) over every commitment, as ``reach_shown`` gives it."""
    exact = may_manage_initiative(user, initiative)
    commitments = Commitment.objects.filter(initiative=initiative)
    statuses = dict.fromkeys(CommitmentStatus.values, 0)
    for status in commitments.values_list("status", flat=True):
        statuses[status] = statuses.get(status, 0) + 1
    n = sum(statuses.values())
    latest = dict(
        CommitmentVersion.objects.filter(commitment__in=commitments)
        .values("commitment_id")
        .annotate(n=Max("number"))
        .values_list("commitment_id", "n")
    )
    with_theme = dict.fromkeys(Theme.values, 0)
    for cid, number, themes in CommitmentVersion.objects.filter(
        commitment__in=commitments
    ).values_list("commitment_id", "number", "themes"):
        if latest.get(cid) == number:
            for theme in set(themes or []) & set(Theme.values):
                with_theme[theme] += 1
    commitment_breakdowns: dict[str, dict[Any, int]] = {
        f"theme:{t}": {"with": c, "without": n - c} for t, c in with_theme.items()
    }
    commitment_breakdowns["status"] = statuses
    shown = counts_release(n, commitment_breakdowns, exact=exact)

    states = {"done": 0, "late": 0, "pending": 0, "dropped": 0}
    for status, due_on in Milestone.objects.filter(commitment__in=commitments).values_list(
        "status", "due_on"
    ):
        if status == MilestoneStatus.DONE:
            states["done"] += 1
        elif status == MilestoneStatus.DROPPED:
            states["dropped"] += 1
        elif due_on < today:
            states["late"] += 1
        else:
            states["pending"] += 1
    milestones = counts_release(sum(states.values()), {"state": states}, exact=exact)

    return {
        "initiative": initiative.pk,
        "exact": shown.exact,
        "k": shown.k,
        "as_of": today,
        "commitments": shown.total,
        "by_theme": [
            {
                "key": t,
                "label": str(Theme(t).label),
                "commitments": shown.breakdowns[f"theme:{t}"]["with"],
            }
            for t in Theme.values
        ],
        "by_status": [
            {"key": s, "label": str(CommitmentStatus(s).label), "commitments": cell}
            for s, cell in shown.breakdowns["status"].items()
        ],
        "milestones": {"total": milestones.total, **milestones.breakdowns["state"]},
        "money": _money_by_currency(initiative),
        "reach": reach_shown(user, commitments),
    }
