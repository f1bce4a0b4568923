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
