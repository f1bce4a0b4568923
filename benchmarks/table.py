"""The one way every benchmark prints its table: a header, then rows, in boxes."""

from __future__ import annotations

from collections.abc import Sequence


def print_boxed(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    table = [tuple(header), *(tuple(r) for r in rows)]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    line = "+".join("-" * (w + 2) for w in widths)
    print(line)
    for n, r in enumerate(table):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
        if n == 0:
            print(line)
    print(line, flush=True)
