"""The place picker: country, then department, then province (or Bolivian municipality),
then district, with a type-ahead. Shared by every form where a place is chosen.

Without JavaScript the picker is a round trip: the button "Update places" (``place_refresh``)
or a search result (``place_pick``) posts the form, and the view shows it again with the
next list filled in, saving nothing (``place_step``). With htmx the same buttons and
selects redraw only the picker (``web:place_picker``) and the search
(``web:place_suggestions``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cascada.core.converters import MAX_ID, bounded_int
from cascada.registry.models import Country, Place, PlaceLevel
from cascada.registry.selectors import place_entries, place_list, place_search

from . import choice_field, model_choice_field

PLACE_FIELDS = ("place0", "place1", "place2", "place3")
STEP_KEYS = ("place_refresh", "place_pick")


class PlaceOption(forms.ModelChoiceField):
    def label_from_instance(self, obj: Place) -> str:
        return obj.name


def _id(raw: Any) -> int | None:
    if raw in (None, ""):
        return None
    try:  # an id too large for the database is no choice (cascada.core.converters)
        return bounded_int(str(raw), minimum=1, maximum=MAX_ID)
    except ValueError:
        return None


class PlacePickerMixin(forms.Form):
    """Chained selects. Each list holds only the children of the choice above it, so a
    bound form also checks that the chain is consistent. Call ``setup_places`` in
    ``__init__``; the chosen place is ``chosen_place()`` (also ``cleaned_data["place"]``)."""

    place0 = forms.ChoiceField(label=_("Country"), choices=Country.choices, required=False)
    place1 = PlaceOption(
        label=_("Department"), queryset=Place.objects.none(), required=False, empty_label="—"
    )
    place2 = PlaceOption(
        label=_("Province or municipality"),
        queryset=Place.objects.none(),
        required=False,
        empty_label="—",
    )
    place3 = PlaceOption(
        label=_("District"), queryset=Place.objects.none(), required=False, empty_label="—"
    )

    place_step = False  # the form was posted only to move the picker: show it, save nothing
    place_query = ""
    place_results: list[Any] = []

    def setup_places(self, place: Place | None = None, *, country: str | None = None) -> None:
        """``place``: the current choice of an unbound form; ``country``: where the picker
        opens when nothing is chosen (the organization's country)."""
        entries = place_entries()
        if self.is_bound:
            self.place_step = any(key in self.data for key in STEP_KEYS)
            self.place_query = str(self.data.get("place_q", "")).strip()[:100]
            picked = _id(self.data.get("place_pick"))
            if picked in entries:
                data = QueryDict(mutable=True)
                data.update(self.data)
                chain = entries[picked].chain
                data[self.add_prefix("place0")] = entries[picked].country
                for level in (1, 2, 3):
                    value = chain[level - 1] if level <= len(chain) else ""
                    data[self.add_prefix(f"place{level}")] = str(value)
                self.data = data
        elif place is not None and place.pk in entries:
            entry = entries[place.pk]
            self.initial["place0"] = entry.country
            for i, pk in enumerate(entry.chain[:3], start=1):
                self.initial[f"place{i}"] = pk
        chosen = [self._chosen(level) for level in (1, 2, 3)]
        current = self._raw("place0")
        if current not in Country.values:
            first = entries.get(chosen[0]) if chosen[0] else None
            current = first.country if first else (country or Country.PERU)
            if not self.is_bound:
                self.initial["place0"] = current
        # A list is filled only from a consistent choice above it (a new country or
        # department leaves the lists below it to be chosen again).
        top = entries.get(chosen[0]) if chosen[0] else None
        if top is None or top.country != current:
            chosen = [None, None, None]
        elif chosen[1] and (chosen[1] not in entries or entries[chosen[1]].chain[0] != top.pk):
            chosen = [chosen[0], None, None]
        self.country = current
        choice_field(self, "place0").initial = current
        model_choice_field(self, "place1").queryset = place_list(
            country=current, level=PlaceLevel.DEPARTMENT
        ).order_by("name")
        for level, parent_id in ((2, chosen[0]), (3, chosen[1])):
            qs = (
                place_list(parent=Place(pk=parent_id)).order_by("name")
                if parent_id
                else Place.objects.none()
            )
            model_choice_field(self, f"place{level}").queryset = qs
        # Bolivia has departments and municipalities only: no third list.
        self.place_levels = 2 if current == Country.BOLIVIA else 3
        redraw = {  # htmx: a new choice redraws the picker with the lists below it
            "hx-get": reverse("web:place_picker"),
            "hx-trigger": "change",
            "hx-include": "#place-picker",
            "hx-target": "#place-picker",
            "hx-swap": "outerHTML",
        }
        for level in (0, 1, 2, 3):
            attrs = self.fields[f"place{level}"].widget.attrs
            attrs["data-place-level"] = str(level)
            if level < self.place_levels:
                attrs.update(redraw)
        if self.place_query:
            self.place_results = place_search(text=self.place_query, country=current)

    def _raw(self, key: str) -> Any:
        if self.is_bound:
            return self.data.get(self.add_prefix(key))
        return self.initial.get(key)

    def _chosen(self, level: int) -> int | None:
        return _id(self._raw(f"place{level}"))

    def full_clean(self) -> None:
        if self.place_step:
            # Only the picker moved: no errors on the fields the user has not filled yet.
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()

    def is_valid(self) -> bool:
        return not self.place_step and super().is_valid()

    def chosen_place(self) -> Place | None:
        data = self.cleaned_data
        return data.get("place3") or data.get("place2") or data.get("place1")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("place3") and not data.get("place2"):
            self.add_error("place2", _("Choose the province first."))
        if data.get("place2") and not data.get("place1"):
            self.add_error("place1", _("Choose the department first."))
        data["place"] = self.chosen_place()
        return data


class PlacePickerForm(PlacePickerMixin):
    """The picker alone: what ``web:place_picker`` redraws for htmx."""

    def __init__(self, *args: Any, country: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_places(country=country)
