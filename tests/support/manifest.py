"""manifest.yml as Slack reads it, and the copy of Slack's schema it is checked against."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = Path(__file__).parent / "manifest_schema"


def load_manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())
