"""The skills' `HouseholdState`, kept in the database and sealed like every other personal datum."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from confide.privacy.contexts import skill_item_context, transcript_context
from confide.privacy.deletion import delete_interactions
from confide.privacy.keys import KeyRing
from confide.store.blobs import BlobStore
from confide.store.database import as_utc
from confide.store.tables import Interaction, SkillItem

READ_BACK_WINDOW = timedelta(minutes=15)
"""How far back "what did you hear" reaches: what was just said, not a history to browse."""


class DatabaseHousehold:
    """One person's state, as seen while answering one of their interactions."""

    def __init__(
        self, session: Session, keyring: KeyRing, blobs: BlobStore, person_id: str, current_id: str
    ) -> None:
        self._session = session
        self._keyring = keyring
        self._blobs = blobs
        self._person = person_id
        self._current = current_id

    def add_item(self, kind: str, payload: dict[str, object], due_at: datetime | None) -> str:
        item_id = uuid.uuid4().hex
        sealed = self._keyring.seal_json(
            self._session, self._person, payload, skill_item_context(item_id)
        )
        self._session.add(
            SkillItem(
                id=item_id,
                owner_id=self._person,
                kind=kind,
                payload_sealed=sealed,
                due_at=due_at,
                created_at=datetime.now(UTC),
            )
        )
        self._session.flush()
        return item_id

    def items(self, kind_prefix: str) -> list[tuple[str, dict[str, object], datetime | None]]:
        rows = self._session.scalars(
            select(SkillItem)
            .where(SkillItem.owner_id == self._person, SkillItem.kind.startswith(kind_prefix))
            .order_by(SkillItem.created_at)
        )
        return [
            (
                row.id,
                self._keyring.open_json(
                    self._session, self._person, row.payload_sealed, skill_item_context(row.id)
                ),
                row.due_at,
            )
            for row in rows
        ]

    def remove_item(self, item_id: str) -> None:
        row = self._session.get(SkillItem, item_id)
        if row is not None and row.owner_id == self._person:
            self._session.delete(row)
            self._session.flush()

    def delete_last_utterance(self) -> int:
        previous = self._session.scalar(
            select(Interaction.id)
            .where(Interaction.owner_id == self._person, Interaction.id != self._current)
            .order_by(Interaction.created_at.desc())
            .limit(1)
        )
        return self._delete([previous] if previous else [], "last utterance")

    def delete_today(self) -> int:
        midnight = datetime.combine(datetime.now(UTC).date(), time(), tzinfo=UTC)
        ids = self._session.scalars(
            select(Interaction.id).where(
                Interaction.owner_id == self._person,
                Interaction.id != self._current,
                Interaction.created_at >= midnight,
                Interaction.created_at < midnight + timedelta(days=1),
            )
        ).all()
        return self._delete(list(ids), "today")

    def recent_transcripts(self, limit: int) -> list[tuple[datetime, str]]:
        """Only what the device being spoken to heard in the last few minutes: a read-back must
        not recite another device's requests (a newly paired one included) or the past."""
        current = self._session.get_one(Interaction, self._current)
        rows = self._session.scalars(
            select(Interaction)
            .where(
                Interaction.owner_id == self._person,
                Interaction.device_id == current.device_id,
                Interaction.id != self._current,
                Interaction.created_at >= as_utc(current.created_at) - READ_BACK_WINDOW,
                Interaction.transcript_sealed.is_not(None),
            )
            .order_by(Interaction.created_at.desc())
            .limit(limit)
        )
        return [(row.created_at, self.transcript_text(row)) for row in rows]

    def transcript_text(self, row: Interaction) -> str:
        if row.transcript_sealed is None:  # not kept: nothing to quote
            return ""
        stored = self._keyring.open_json(
            self._session, self._person, row.transcript_sealed, transcript_context(row.id)
        )
        return str(stored["text"])

    def _delete(self, ids: list[str], scope: str) -> int:
        receipt = delete_interactions(
            self._session,
            self._keyring,
            self._blobs,
            self._person,
            ids,
            scope=scope,
            actor=self._person,
        )
        return receipt.erased["interactions"]
