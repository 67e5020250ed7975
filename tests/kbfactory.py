"""Write small knowledge folders for tests (real files, the same format as knowledge/)."""

from __future__ import annotations

from pathlib import Path

SECTIONS = """
article = "Test Article"

[[section]]
slug = "alpha"
title = "Alpha"

[[section]]
slug = "beta"
title = "Beta"
"""

ALPHA = '''
section = "alpha"

[[entry]]
id = "first"
title = "What is the first thing?"
stages = ["learning"]
related = ["second"]
phrasings = ["what is the first thing", "first thing pls", "1st thing?", "first"]
keywords = ["first"]
synonyms = [["first", "initial"]]
answer = """The first answer."""
'''

BETA = '''
section = "beta"

[[entry]]
id = "second"
title = "What is the second thing?"
stages = ["intern", "producer"]
related = []
phrasings = ["what is the second thing", "second thing pls", "2nd thing?", "second"]
keywords = ["second"]
synonyms = []
answer = """The second answer."""
'''


def write_kb(folder: Path, **overrides: str | bytes) -> Path:
    """Write a valid two-section knowledge folder; keyword arguments replace or add files (stem=content)."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, str | bytes] = {"sections": SECTIONS, "alpha": ALPHA, "beta": BETA}
    files.update(overrides)
    for stem, content in files.items():
        path = folder / f"{stem}.toml"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder
