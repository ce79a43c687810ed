"""Settings from the environment (prefix ``SHUOSHI_``) and an optional ``.env`` file.

A wrong value must stop start-up with one line that names the variable, because the people who
deploy this are community IT volunteers, not Python developers reading tracebacks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]
TELEGRAM_BASE_URL = "https://api.telegram.org/bot"


class SettingsError(Exception):
    """A configuration value is wrong; the message is one line naming the variable."""


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix="SHUOSHI_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: str | None = None
    db_path: Path = Path("data/shuoshi.db")
    timezone: str = "Asia/Shanghai"
    telegram_base_url: str = TELEGRAM_BASE_URL
    roster: Path | None = None
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    knowledge_dir: Path = REPO_ROOT / "knowledge"
    tick_seconds: float = Field(default=20.0, gt=0)
    broadcast_rate: float = Field(default=25.0, gt=0, le=30)

    @field_validator("bot_token", "webhook_url", "roster", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: str | None) -> str | None:
        if value is not None and ":" not in value:
            raise ValueError("a bot token looks like 123456:ABC-DEF…")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("telegram_base_url")
    @classmethod
    def _bot_suffix(cls, value: str) -> str:
        """PTB appends the token to this URL; accept a bare server address too."""
        value = value.rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        if "{token}" in value or value.endswith("/bot"):
            return value
        return value + "/bot"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's report into one line per the first bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "?"
        message = error["msg"].removeprefix("Value error, ")
        raise SettingsError(f"配置错误 SHUOSHI_{field.upper()}: {message}") from None
