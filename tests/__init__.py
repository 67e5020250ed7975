"""Test suite of Studio Mentor (a package so helpers import as ``tests.<module>``)."""
