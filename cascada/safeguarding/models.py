"""Safeguarding (issue 13; docs/decisions/safeguarding.md): what to do when violence is
disclosed during an activity, and the referral that follows, seen only by those who must.

- ``Service``: the organization's directory of services by place (CEMs, Línea 100, police,
  health centres, SLIMs, FELCV, DEMUNAs, the ombudsman's office, shelters).
- ``Lead``: the organization's safeguarding lead(s), named by an administrator.
- ``Disclosure``: the least data about a disclosure (who is at risk, kind, urgency, the
  activity it came from, what was done at once); notes encrypted (S13).
- ``Referral``: to a service, with the consent of the person concerned (S15) or a lead's
  override with a written reason (S16); followed up made → received → attended → closed.
- ``CaseAccess``: one more user let into one case by a lead, with a reason (audited).
- ``CourtAgreement`` and ``CourtNotice``: what a court-ordered program shares with the
  court, and each thing shared, only as the agreement says.

Who sees what: ``selectors`` (the one place)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cascada.core.crypto import EncryptedTextField
from cascada.core.models import TimeStamped


class ServiceKind(models.TextChoices):
    CEM = "cem", _("Women's emergency centre (CEM)")
    HELPLINE = "helpline", _("Helpline")
    POLICE = "police", _("Police")
    FELCV = "felcv", _("Special force against violence (FELCV)")
    SLIM = "slim", _("Municipal legal services (SLIM)")
    CHILDREN = "children", _("Children's ombudsman (DEMUNA, DNA)")
    HEALTH = "health", _("Health centre")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    OMBUDSMAN = "ombudsman", _("Ombudsman's office")
    SHELTER = "shelter", _("Shelter")
    PROSECUTOR = "prosecutor", _("Prosecutor's office")
    OTHER = "other", _("Other service")


class Service(TimeStamped):
    """One service of the organization's directory. No place: it serves the whole country
    (Línea 100, the police's emergency number)."""

    organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.CASCADE,
        related_name="safeguarding_services",
        verbose_name=_("organization"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind of service"), max_length=16, choices=ServiceKind.choices)
    place = models.ForeignKey(
        "registry.Place",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("place"),
    )
    country = models.CharField(_("country"), max_length=2)
    phone = models.CharField(_("phone"), max_length=40)
    phone_other = models.CharField(_("other phone"), max_length=40, blank=True)
    hours = models.CharField(_("opening hours"), max_length=120, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    takes = models.CharField(_("what it takes"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="safeguarding_service_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Lead(models.Model):
    """A safeguarding lead of an organization: reads every case of it, refers, overrides
    with a reason, lets others into a case."""

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="safeguarding_leads"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="safeguarding_leads"
    )
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    named_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "user__username"]
        verbose_name = _("safeguarding lead")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="safeguarding_lead_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.user_id}"


class AtRisk(models.TextChoices):
    PARTICIPANT = "participant", _("The participant")
    PARTNER = "partner", _("A partner or former partner")
    CHILD = "child", _("A child or adolescent")
    OTHER = "other", _("Someone else")


class HarmKind(models.TextChoices):
    PHYSICAL = "physical", _("Physical violence")
    SEXUAL = "sexual", _("Sexual violence")
    PSYCHOLOGICAL = "psychological", _("Psychological violence")
    ECONOMIC = "economic", _("Economic violence")
    NEGLECT = "neglect", _("Neglect of a child")
    SELF = "self", _("Risk to oneself")
    DISTRESS = "distress", _("Emotional distress")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediate danger")
    URGENT = "urgent", _("Urgent (within days)")
    ROUTINE = "routine", _("Not urgent")


class Source(models.TextChoices):
    SESSION = "session", _("Training session")
    ACTION = "action", _("Community action")
    EVENT = "event", _("Research interview or focus group")
    PERSON = "person", _("Other contact with a participant")


class FirstAction(models.TextChoices):
    EMERGENCY = "emergency", _("Called the emergency number or the police")
    HELPLINE = "helpline", _("Called the helpline with the person")
    ACCOMPANIED = "accompanied", _("Went with the person to a service")
    INFORMED = "informed", _("Gave the person the services' numbers")
    PAUSED = "paused", _("Paused or ended the activity")
    LEAD = "lead", _("Told the safeguarding lead")
    NOTHING = "nothing", _("Nothing yet")


class DisclosureStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("case status", "Open")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")


class Disclosure(models.Model):
    """What was disclosed, with the least data: no narrative is asked for, and the notes
    are encrypted (S13). The activity it came from is kept; who disclosed is linked only
    when it is a registered participant."""

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="disclosures"
    )
    source = models.CharField(_("where it came from"), max_length=8, choices=Source.choices)
    session = models.ForeignKey(
        "trainings.Session", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.ForeignKey(
        "networks.CommunityAction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    event = models.ForeignKey(
        "research.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("participant concerned"),
    )
    program = models.ForeignKey(
        "trainings.Program", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    place = models.ForeignKey(
        "registry.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_on = models.DateField(_("date of the disclosure"))
    at_risk = models.CharField(_("who is at risk"), max_length=12, choices=AtRisk.choices)
    kind = models.CharField(_("kind"), max_length=14, choices=HarmKind.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    first_actions = models.JSONField(_("what was done at once"), default=list)
    notes = EncryptedTextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=6, choices=DisclosureStatus.choices, default=DisclosureStatus.OPEN
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_note = EncryptedTextField(_("why it was closed"), blank=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("disclosure")
        indexes = [models.Index(fields=["organization", "occurred_on"], name="disclosure_org_day")]

    def __str__(self) -> str:
        return f"{self.pk}"


class ReferralBasis(models.TextChoices):
    CONSENT = "consent", _("Consent of the person concerned")
    OVERRIDE = "override", _("Override by the safeguarding lead")


class ConsentFrom(models.TextChoices):
    PERSON = "person", _("The person concerned")
    GUARDIAN = "guardian", _("A parent or guardian of the child")


class Step(models.TextChoices):
    MADE = "made", pgettext_lazy("referral step", "Made")
    RECEIVED = "received", pgettext_lazy("referral step", "Received")
    ATTENDED = "attended", pgettext_lazy("referral step", "Attended")
    CLOSED = "closed", pgettext_lazy("referral step", "Closed")


STEPS: list[str] = [Step.MADE, Step.RECEIVED, Step.ATTENDED, Step.CLOSED]


class Referral(models.Model):
    """A disclosure referred to a service, and its follow-up (a date per step)."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="referrals")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    basis = models.CharField(_("basis"), max_length=8, choices=ReferralBasis.choices)
    consent_from = models.CharField(
        _("consent given by"), max_length=8, choices=ConsentFrom.choices, blank=True
    )
    consent_on = models.DateField(_("consent date"), null=True, blank=True)
    consent_text_version = models.CharField(_("consent text version"), max_length=40, blank=True)
    consent_taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    override_reason = EncryptedTextField(_("reason for the override"), blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    made_on = models.DateField(_("made on"))
    received_on = models.DateField(_("received on"), null=True, blank=True)
    attended_on = models.DateField(_("attended on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    notes = EncryptedTextField(_("follow-up notes"), blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["made_on", "id"]
        verbose_name = _("referral")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(basis="consent", consent_on__isnull=False)
                    | Q(basis="override", override_reason__gt="")
                ),
                name="referral_has_consent_or_override",
            ),
            models.CheckConstraint(
                condition=Q(received_on__isnull=True) | Q(received_on__gte=F("made_on")),
                name="referral_received_after_made",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.disclosure_id} → {self.service_id}"

    @property
    def step(self) -> str:
        """The last step reached."""
        for step, day in (
            (Step.CLOSED, self.closed_on),
            (Step.ATTENDED, self.attended_on),
            (Step.RECEIVED, self.received_on),
        ):
            if day is not None:
                return step
        return Step.MADE


class CaseAccess(models.Model):
    """One more user let into one case by a lead, with the reason (encrypted: it may say
    why) and an audit row. Revoked, never deleted."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = EncryptedTextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["granted_at", "id"]
        verbose_name = _("access to a case")

    def __str__(self) -> str:
        return f"{self.disclosure_id}: {self.user_id}"


class CourtSharing(models.TextChoices):
    NOTHING = "nothing", _("Nothing about disclosures is shared")
    RISK = "risk", _("A risk to a partner or a child is notified")
    CONSENT = "consent", _("Only what the participant agrees to")


class CourtAgreement(TimeStamped):
    """What a court-ordered program agreed with the court (or the prosecutor's office)
    to share about disclosures. Sharing follows it (``services.court_notice_record``)."""

    program = models.OneToOneField(
        "trainings.Program", on_delete=models.CASCADE, related_name="court_agreement"
    )
    court = models.CharField(_("court or prosecutor's office"), max_length=200)
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    signed_on = models.DateField(_("signed on"))
    sharing = models.CharField(
        _("what is shared about disclosures"), max_length=8, choices=CourtSharing.choices
    )
    attendance_shared = models.BooleanField(_("attendance is reported to the court"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("agreement with the court")


class CourtNotice(models.Model):
    """One thing shared with the court about a disclosure, as the agreement allows."""

    disclosure = models.ForeignKey(
        Disclosure, on_delete=models.CASCADE, related_name="court_notices"
    )
    shared_on = models.DateField(_("shared on"))
    consent_on = models.DateField(_("consent date"), null=True, blank=True)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shared_on", "id"]
        verbose_name = _("notice to the court")

    def __str__(self) -> str:
        return f"{self.disclosure_id}: {self.shared_on}"
