"""Planning a small event-triggered app from a manifest body: shared by the trigger planning
tests (Redis, command, cron, MQTT)."""

from __future__ import annotations

from pathlib import Path

from spinkube.runtime.config import AppConfig
from spinkube.runtime.plan import ServePlan, plan_app

HEAD = 'spin_manifest_version = 2\n[application]\nname = "events"\n'
COMPONENT = '[component.c]\nsource = "app.wasm"\n'


def write_app(tmp_path: Path, body: str) -> Path:
    """An app folder whose manifest is ``body`` between an application header and component c."""
    (tmp_path / "app.wasm").write_bytes(b"\0asm")
    (tmp_path / "spin.toml").write_text(HEAD + body + COMPONENT)
    return tmp_path


def plan(tmp_path: Path, body: str, environ: dict[str, str] | None = None) -> ServePlan:
    source = write_app(tmp_path, body)
    config = AppConfig(source=str(source), state_dir=tmp_path / "state", environ=environ or {})
    return plan_app(config)
