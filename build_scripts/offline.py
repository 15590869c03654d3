"""A case file's site loads nothing from another host: its readers are not announced to a
third party, and it reads the same where there is no network.

Material would by default: unless `theme.font` is false, every page links its fonts from
Google Fonts. `keep_local` turns that off, whatever the configuration asked for (the
theme's default font is then the system's), and says so when a font was asked for by name.
Analytics (`extra.analytics`) is a site owner's explicit choice and stays, with a warning:
its script comes from the provider's host.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

MATERIAL_FONT = {"text": "Roboto", "code": "Roboto Mono"}  # Material's mkdocs_theme.yml


def keep_local(theme: MutableMapping[str, Any], extra: Mapping[str, Any]) -> list[str]:
    """Turn off in Material's `theme` settings what would load from another host; a
    warning for each setting that asked for it by name."""
    if theme.get("name") != "material":
        return []
    warnings = []
    font = theme.get("font", MATERIAL_FONT)
    if font is not False:
        theme["font"] = False
        if font != MATERIAL_FONT:
            warnings.append(
                f"theme.font {font!r} is not used: Material loads it from Google Fonts, and "
                "a case file's site loads nothing from another host (serve the font's files "
                "from docs/ with extra_css, and set font: false)"
            )
    if extra.get("analytics"):
        warnings.append(
            "extra.analytics loads the provider's script from its own host on every page: "
            "your readers' visits are reported to it"
        )
    return warnings
