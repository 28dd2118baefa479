"""Transcript history and settings in SQLite under the data folder (created on first use)."""
from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS exchanges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    created REAL NOT NULL, seed TEXT NOT NULL, reply TEXT NOT NULL, params TEXT NOT NULL,
    model TEXT NOT NULL, provider TEXT NOT NULL, finish TEXT NOT NULL DEFAULT '');
"""


def data_dir() -> str:
    """CHARSTREAM_HOME, else the platform's user data folder (read at call time, not import)."""
    home = os.environ.get("CHARSTREAM_HOME")
    if home:
        return home
    import platformdirs

    return platformdirs.user_data_dir("charstream", appauthor=False)


@dataclass
class Exchange:
    id: int
    seed: str
    reply: str
    params: dict
    model: str
    provider: str
    created: float
    finish: str = ""


class Store:
    def __init__(self, path: str | None = None):
        if path is None:
            folder = data_dir()
            os.makedirs(folder, exist_ok=True)
            path = os.path.join(folder, "charstream.sqlite3")
        self.path = path
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.executescript(SCHEMA)
        self.db.commit()

    # settings ---------------------------------------------------------------------------
    def load_settings(self) -> dict:
        row = self.db.execute("SELECT value FROM settings WHERE key='settings'").fetchone()
        return json.loads(row[0]) if row else {}

    def save_settings(self, data: dict) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO settings VALUES ('settings', ?)",
                            (json.dumps(data),))

    # conversations ------------------------------------------------------------------------
    def latest_conversation(self) -> int:
        row = self.db.execute("SELECT max(id) FROM conversations").fetchone()
        return row[0] if row and row[0] else self.new_conversation()

    def new_conversation(self) -> int:
        with self.db:
            cur = self.db.execute("INSERT INTO conversations (created) VALUES (?)", (time.time(),))
        return int(cur.lastrowid)

    def add_exchange(self, conversation: int, seed: str, reply: str, params: dict, model: str,
                     provider: str, finish: str) -> int:
        with self.db:
            cur = self.db.execute(
                "INSERT INTO exchanges (conversation_id, created, seed, reply, params, model, "
                "provider, finish) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (conversation, time.time(), seed, reply, json.dumps(params), model, provider, finish))
        return int(cur.lastrowid)

    def update_exchange(self, exchange_id: int, reply: str, finish: str) -> None:
        with self.db:
            self.db.execute("UPDATE exchanges SET reply=?, finish=? WHERE id=?",
                            (reply, finish, exchange_id))

    def exchanges(self, conversation: int) -> list[Exchange]:
        rows = self.db.execute(
            "SELECT id, seed, reply, params, model, provider, created, finish FROM exchanges "
            "WHERE conversation_id=? ORDER BY id", (conversation,)).fetchall()
        return [Exchange(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5], r[6], r[7]) for r in rows]

    def close(self) -> None:
        self.db.close()
