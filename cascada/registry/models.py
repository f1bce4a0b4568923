"""Organizations, places, people, identities (apart and encrypted) and consent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cascada.core.crypto import EncryptedTextField
from cascada.core.models import TimeStamped, random_code


class Country(models.TextChoices):
    PERU = "PE", _("Peru")
    BOLIVIA = "BO", _("Bolivia")


class PlaceLevel(models.TextChoices):
    DEPARTMENT = "department", _("Department")
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    MUNICIPALITY = "municipality", _("Municipality")


class Place(models.Model):
    """Peru: INEI ubigeo (department DD, province DDPP, district DDPPDD).
    Bolivia: departments and municipalities (INE codes). Loaded from files in
    ``registry/data`` whose provenance is written beside them."""

    country = models.CharField(max_length=2, choices=Country.choices)
    code = models.CharField(max_length=12)
    name = models.CharField(max_length=120)
    level = models.CharField(max_length=12, choices=PlaceLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    department = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The department this place lies in (itself for a department): for disaggregation.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["country", "code"], name="place_unique_code")
        ]
        ordering = ["country", "code"]
        verbose_name = _("place")

    def __str__(self) -> str:
        return self.name


class OrganizationKind(models.TextChoices):
    NGO = "ngo", _("NGO")
    MUNICIPALITY = "municipality", _("Municipality")
    CEM = "cem", _("Women's emergency centre (CEM)")
    MINISTRY = "ministry", _("Ministry")
    UN_AGENCY = "un_agency", _("UN agency")
    UNIVERSITY = "university", _("University")
    DONOR = "donor", _("Donor or embassy")
    OTHER = "other", _("Other")


class Organization(TimeStamped):
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    country = models.CharField(
        _("country"), max_length=2, choices=Country.choices, default=Country.PERU
    )
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("place")
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="organization_unique_name")]
        verbose_name = _("organization")

    def __str__(self) -> str:
        return self.short_name or self.name


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    NOT_STATED = "not_stated", _("Not stated")


class PersonRoleKind(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    PROMOTER = "promoter", _("Promoter")
    FACILITATOR = "facilitator", _("Facilitator")
    TRAINER = "trainer", _("Trainer")
    MENTOR = "mentor", _("Mentor")
    ACTIVIST = "activist", _("Activist")
    RESEARCHER = "researcher", _("Researcher")


def person_code() -> str:
    return random_code(8)


class Person(TimeStamped):
    """A person, pseudonymous: attendance, surveys and the cascade key on ``code`` and id.
    Names and ID numbers live apart in ``Identity`` (S12), encrypted (S13)."""

    code = models.CharField(
        _("code"), max_length=12, unique=True, default=person_code, editable=False
    )
    sex = models.CharField(_("sex"), max_length=12, choices=Sex.choices, default=Sex.NOT_STATED)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    birth_year_estimated = models.BooleanField(_("birth year estimated from age"), default=False)
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("place")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("organization"),
    )
    reporting_consent = models.BooleanField(
        _("consents to aggregate reporting"),
        default=False,
        help_text="Kept in step with the latest aggregate-reporting consent by consent_record (S15).",
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["organization", "merged_into"], name="person_org_idx")]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.code


class IdDocument(models.TextChoices):
    DNI = "dni", _("DNI (Peru)")
    CE = "ce", _("Foreign resident card")
    CI = "ci", _("CI (Bolivia)")
    PASSPORT = "passport", _("Passport")
    OTHER = "other", _("Other")


class Identity(models.Model):
    """Who a person is. Separate table (S12), every value encrypted (S13); look-ups by ID
    number and duplicate checks by name go through keyed hashes."""

    person = models.OneToOneField(
        Person, primary_key=True, on_delete=models.CASCADE, related_name="identity"
    )
    given_name = EncryptedTextField(_("given names"))
    family_name = EncryptedTextField(_("family names"), blank=True)
    id_document = models.CharField(
        _("ID document"), max_length=10, choices=IdDocument.choices, blank=True
    )
    national_id = EncryptedTextField(_("ID number"), blank=True)
    national_id_hash = models.CharField(max_length=64, blank=True, db_index=True)
    name_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")

    def __str__(self) -> str:
        return f"identity of person {self.person_id}"

    @property
    def short_name(self) -> str:
        """Given name and the initial of the family name: what a roster shows a facilitator."""
        initial = (self.family_name or "").strip()[:1]
        return f"{self.given_name} {initial}." if initial else self.given_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class PersonRole(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=20, choices=PersonRoleKind.choices)
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "role"], name="personrole_unique")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.role}"


class ConsentPurpose(models.TextChoices):
    PARTICIPATION = "participation", _("Participation")
    SENSITIVE_DATA = "sensitive_data", _("Sensitive data")
    AGGREGATE_REPORTING = "aggregate_reporting", _("Aggregate reporting")
    REFERRAL = "referral", _("Referral")


class Consent(models.Model):
    """Consent per purpose (S15). A new row for each decision; the latest one counts.
    Withdrawal is a row with ``granted`` False."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=24, choices=ConsentPurpose.choices)
    granted = models.BooleanField(_("granted"))
    date = models.DateField(_("date"))
    text_version = models.CharField(_("consent text version"), max_length=40)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person", "purpose", "-date", "-id"]
        indexes = [models.Index(fields=["person", "purpose", "-date"], name="consent_latest_idx")]
        verbose_name = _("consent")

    def __str__(self) -> str:
        return f"{self.person_id}: {self.purpose} {'granted' if self.granted else 'withdrawn'}"


class NameToken(models.Model):
    """The keyed hash of one normalized word of a person's names (``registry.names``):
    what search by any part of the name looks up, without decrypting identities (S13)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="name_tokens")
    token_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            # Also the index of the look-up: token first.
            models.UniqueConstraint(fields=["token_hash", "person"], name="nametoken_unique")
        ]

    def __str__(self) -> str:
        return f"name token of person {self.person_id}"
