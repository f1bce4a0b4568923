"""The cascade, materialized: who trained whom, generations and everyone downstream.

These tables are derived data, kept in step by ``cascada.cascade.services`` from
completions (``trainings.Enrolment.completed``) and facilitators
(``trainings.CohortFacilitator``); ``lineage_rebuild`` recomputes them from scratch.

- ``TrainingEdge``: one row per (trainer, trainee, cohort) for every completed enrolment,
  trainer being each facilitator of the cohort.
- ``Lineage``: one row per person in the cascade: generation (0 = training not recorded
  in Cascada), when and through which program they were first trained.
- ``Reach``: the transitive closure (ancestor, descendant, shortest depth), so that a
  trainer's reach is ``COUNT(*)`` over one index range.
- ``CohortLevel``: the generation a cohort delivers (1 + lowest generation of its
  facilitators), used for per-generation figures and attrition.
- ``Certification``: completing a training-of-trainers cohort makes a person eligible
  to facilitate (with an optional practicum).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TrainingEdge(models.Model):
    trainer = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    trainee = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey("trainings.Cohort", on_delete=models.CASCADE, related_name="+")
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["trainer", "trainee", "cohort"], name="trainingedge_unique"
            )
        ]
        indexes = [models.Index(fields=["trainee", "trainer"], name="trainingedge_trainee_idx")]

    def __str__(self) -> str:
        return f"{self.trainer_id} -> {self.trainee_id} ({self.cohort_id})"


class Lineage(models.Model):
    person = models.OneToOneField(
        "registry.Person", primary_key=True, on_delete=models.CASCADE, related_name="lineage"
    )
    generation = models.PositiveSmallIntegerField(_("generation"), default=0)
    first_trained_on = models.DateField(_("first trained on"), null=True, blank=True)
    program = models.ForeignKey(
        "trainings.Program",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The program through which the person reached their lowest generation.",
    )

    class Meta:
        indexes = [models.Index(fields=["program", "generation"], name="lineage_program_idx")]

    def __str__(self) -> str:
        return f"{self.person_id}: generation {self.generation}"


class Reach(models.Model):
    """Closure of the training graph: ``descendant`` was trained, directly or through
    others, by ``ancestor``; ``depth`` is the shortest number of steps. Nobody is their
    own descendant, even in a cycle."""

    ancestor = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    descendant = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    depth = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ancestor", "descendant"], name="reach_unique")
        ]
        indexes = [models.Index(fields=["descendant", "ancestor"], name="reach_descendant_idx")]

    def __str__(self) -> str:
        return f"{self.ancestor_id} ->* {self.descendant_id} ({self.depth})"


class CohortLevel(models.Model):
    cohort = models.OneToOneField(
        "trainings.Cohort", primary_key=True, on_delete=models.CASCADE, related_name="level"
    )
    generation = models.PositiveSmallIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.cohort_id}: generation {self.generation}"


class Certification(models.Model):
    """Eligibility to facilitate, earned by completing a training-of-trainers cohort."""

    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="certifications"
    )
    cohort = models.ForeignKey("trainings.Cohort", on_delete=models.CASCADE, related_name="+")
    curriculum_version = models.ForeignKey(
        "curricula.CurriculumVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_on = models.DateField(_("granted on"), null=True, blank=True)
    practicum_done = models.BooleanField(_("practicum done"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "cohort"], name="certification_unique")
        ]
        verbose_name = _("facilitator certification")

    def __str__(self) -> str:
        return f"{self.person_id} certified by {self.cohort_id}"


# ---------------------------------------------------------------- kept figures
# docs/decisions/cascade-kept-figures.md: what a program's figures count, one row per
# person, so that a program page reads rows instead of the program's enrolments. Kept by
# ``kept.py``: writes mark what they touched (``FiguresStale``, in their transaction) and
# the next read of the program refreshes exactly that.


class ProgramPerson(models.Model):
    """One person in one program (any enrolment in it): what ``cascade_figures`` groups
    by. ``level``, ``completed`` and ``department`` are over the enrolments still
    ``enrolled`` (``enrolled`` False: only withdrawn ones); ``attended`` sums
    ``sessions_attended`` over all of them; sex, birth year and the consent flag are the
    person's, copied so that the read joins nothing."""

    program = models.ForeignKey("trainings.Program", on_delete=models.CASCADE, related_name="+")
    # Not a constraint: a derived row never keeps a person from being removed
    # (``registry.services.person_removal_blockers``); the mark that came with the
    # removed enrolment takes the row away at the next read.
    person = models.ForeignKey(
        "registry.Person", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    enrolled = models.BooleanField(default=False)
    level = models.PositiveSmallIntegerField(default=1)
    completed = models.BooleanField(default=False)
    department = models.ForeignKey(
        "registry.Place", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sex = models.CharField(max_length=12, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    reporting_consent = models.BooleanField(default=False)
    attended = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "person"], name="programperson_unique")
        ]

    def __str__(self) -> str:
        return f"{self.program_id}/{self.person_id}"


class CohortHeadcount(models.Model):
    """A cohort's kept counts, one row per cohort: its headcounts (sessions not
    cancelled), its enrolments still ``enrolled`` and its completed ones (any status), as
    ``trainings.selectors.cohort_list`` counts them (the home page's programs sum these),
    and the sessions its people attended (contacts)."""

    cohort = models.OneToOneField(
        "trainings.Cohort", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    program = models.ForeignKey("trainings.Program", on_delete=models.CASCADE, related_name="+")
    headcount = models.PositiveIntegerField(default=0)
    enrolled = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    # ``sessions_attended`` summed over all its enrolments, withdrawn ones too: the named
    # contacts of any scope made of whole cohorts (a trainer's page).
    attended = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.cohort_id}: {self.headcount}"


class FiguresStale(models.Model):
    """A mark left by a write: refresh this person's row in the program, this cohort's
    headcount, or (both empty) the whole program. Plain ids, not keys: the mark is made
    before a cohort or an enrolment is deleted and must outlive it."""

    program = models.ForeignKey(  # indexed by ``figuresstale_idx``
        "trainings.Program", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    person_ref = models.BigIntegerField(null=True, blank=True)
    cohort_ref = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["program", "person_ref", "cohort_ref"], name="figuresstale_idx")
        ]

    def __str__(self) -> str:
        return f"{self.program_id}: {self.person_ref}/{self.cohort_ref}"
