"""An in-process stand-in for the Telegram Bot API.

The console and the tests run the real Application and handlers against this class (injected with
``Application.builder().request(...)``), so what they exercise is exactly what production runs;
only the HTTP hop to Telegram is replaced. It answers the methods the bot uses and records what
the bot sent, including each message's current buttons, so a script can press them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.clock import Clock

BOT_USER = {"id": 99999, "is_bot": True, "first_name": "说事小助手", "username": "shuoshi_demo_bot"}


@dataclass
class Outgoing:
    """One thing the bot did in a chat: a message, an edit, a pop-up answer or a file."""

    kind: str  # message | edit | alert | document | photo
    chat_id: int
    text: str
    message_id: int | None = None
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)


class BotApiDouble(BaseRequest):
    """Answers Bot API calls in memory and keeps a log of everything sent."""

    def __init__(self, clock: Clock, fail: Callable[[str, dict], tuple[int, dict] | None] | None = None):
        self.clock = clock
        self.outbox: list[Outgoing] = []
        self.messages: dict[tuple[int, int], Outgoing] = {}
        self.commands: dict[str, list[dict[str, str]]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._fail = fail
        self._next_message_id = 1
        self._callback_chats: dict[str, int] = {}

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def expect_callback(self, callback_query_id: str, chat_id: int) -> None:
        """Tell the double who pressed a button, so a pop-up answer is shown in the right chat."""
        self._callback_chats[callback_query_id] = chat_id

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None,
                         connect_timeout: Any = None, pool_timeout: Any = None) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        self.calls.append((api_method, params))
        if self._fail and (failure := self._fail(api_method, params)):
            status, body = failure
            return status, json.dumps(body).encode()
        handler = getattr(self, f"_api_{api_method}", None)
        if handler is None:
            body = {"ok": False, "error_code": 400, "description": f"Bad Request: {api_method} not in double"}
            return 400, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": handler(params)}).encode()

    # -- the Bot API methods the bot uses ------------------------------------------------------

    def _api_getMe(self, params: dict) -> dict:
        return BOT_USER

    def _api_deleteWebhook(self, params: dict) -> bool:
        return True

    def _api_getUpdates(self, params: dict) -> list:
        return []

    def _api_setMyCommands(self, params: dict) -> bool:
        self.commands[self._scope_key(params.get("scope"))] = list(params.get("commands", []))
        return True

    def _api_deleteMyCommands(self, params: dict) -> bool:
        self.commands.pop(self._scope_key(params.get("scope")), None)
        return True

    def _api_answerCallbackQuery(self, params: dict) -> bool:
        text = params.get("text")
        chat_id = self._callback_chats.pop(params["callback_query_id"], 0)
        if text:
            self.outbox.append(Outgoing("alert", chat_id, text, params=params))
        return True

    def _api_sendMessage(self, params: dict) -> dict:
        return self._new_message("message", params, params.get("text", ""))

    def _api_sendPhoto(self, params: dict) -> dict:
        return self._new_message("photo", params, params.get("caption", ""))

    def _api_sendDocument(self, params: dict) -> dict:
        return self._new_message("document", params, params.get("caption", ""))

    def _api_editMessageText(self, params: dict) -> dict:
        return self._edit(params, text=params.get("text", ""))

    def _api_editMessageReplyMarkup(self, params: dict) -> dict:
        return self._edit(params, text=None)

    # -- bookkeeping -----------------------------------------------------------------------------

    @staticmethod
    def _scope_key(scope: dict | None) -> str:
        if not scope or scope.get("type") == "default":
            return "default"
        return f"{scope['type']}:{scope.get('chat_id', '')}"

    @staticmethod
    def _buttons(params: dict) -> list[list[dict[str, Any]]]:
        markup = params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return markup.get("inline_keyboard", [])

    def _message_json(self, record: Outgoing) -> dict:
        message = {
            "message_id": record.message_id,
            "date": int(self.clock.now().timestamp()),
            "chat": {"id": record.chat_id, "type": "private"},
            "from": BOT_USER,
        }
        if record.kind == "message":
            message["text"] = record.text
        elif record.text:
            message["caption"] = record.text
        if record.buttons:
            message["reply_markup"] = {"inline_keyboard": record.buttons}
        return message

    def _new_message(self, kind: str, params: dict, text: str) -> dict:
        record = Outgoing(kind, int(params["chat_id"]), text, self._next_message_id,
                          self._buttons(params), params)
        self._next_message_id += 1
        self.outbox.append(record)
        self.messages[(record.chat_id, record.message_id)] = record
        return self._message_json(record)

    def _edit(self, params: dict, text: str | None) -> dict:
        key = (int(params["chat_id"]), int(params["message_id"]))
        original = self.messages.get(key)
        if original is None:
            raise KeyError(f"edit of unknown message {key}")
        record = Outgoing("edit", key[0], original.text if text is None else text, key[1],
                          self._buttons(params), params)
        self.messages[key] = record
        self.outbox.append(record)
        return self._message_json(record)

    def message_json(self, chat_id: int, message_id: int) -> dict:
        return self._message_json(self.messages[(chat_id, message_id)])

    def with_buttons(self, chat_id: int) -> list[Outgoing]:
        """Messages in a chat that still show buttons, newest first (what a user could tap)."""
        found, seen = [], set()
        for record in reversed(self.outbox):
            if record.chat_id == chat_id and record.message_id is not None and record.message_id not in seen:
                seen.add(record.message_id)
                current = self.messages[(chat_id, record.message_id)]
                if current.buttons:
                    found.append(current)
        return found

    def latest_with_buttons(self, chat_id: int) -> Outgoing | None:
        messages = self.with_buttons(chat_id)
        return messages[0] if messages else None
