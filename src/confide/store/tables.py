"""The database tables. Only sealed bytes ever hold what a person said; see confide.privacy."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class DataKey(Base):
    """One person's data key, wrapped by the KEK. Deleting the row is crypto-shredding."""

    __tablename__ = "data_keys"

    owner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    kek_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ShreddedKey(Base):
    """A tombstone: this owner's key was destroyed, so their data reads as gone, not as missing."""

    __tablename__ = "shredded_keys"

    owner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    shredded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class InteractionKey(Base):
    """One interaction's data key, wrapped by its owner's data key: everything sealed that
    belongs to the interaction (transcript, understanding, answer, review copies) is sealed under
    it, so deleting one interaction shreds it alone. Its recording has a row of its own
    (`interaction_id` is then '<id>/recording'), so deleting only the audio shreds a key too. A
    row whose wrapped key is gone is a tombstone: the key was destroyed and is never remade."""

    __tablename__ = "interaction_keys"

    interaction_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(64), index=True)
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    shredded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """One link of the append-only, hash-chained audit log (triggers refuse UPDATE and DELETE)."""

    __tablename__ = "audit_events"

    sequence: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[str | None] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(String(256))
    reason: Mapped[str] = mapped_column(Text)
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str | None] = mapped_column(String(64))
    """HMAC-SHA256 of `hash` under a key one-way from the KEK; None only before migration 0009."""


class AuditHead(Base):
    """The chain's tip, one row: appenders lock it, so links are added one at a time."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class Household(Base):
    """A home: the people in it and their devices."""

    __tablename__ = "households"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    quiet_hours: Mapped[str | None] = mapped_column(String(16))
    """'22:00-07:00' in the household's time zone: nothing said then is sampled for review."""


class Person(Base):
    """A profile in a household; children have no login and are never sampled for review."""

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    login: Mapped[str | None] = mapped_column(String(128), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(256))
    totp_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    name_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    is_child: Mapped[bool] = mapped_column(Boolean, default=False)
    retention_days: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    """The TOTP time step of the last code that signed in: that code, or an earlier one, never
    signs in again."""


class Device(Base):
    """A paired speaker. Its token is stored only as a hash; its serial never reaches a reviewer."""

    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    pairing_code_hash: Mapped[str | None] = mapped_column(String(64))
    pairing_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    paired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    private: Mapped[bool] = mapped_column(Boolean, default=False)


class Interaction(Base):
    """One utterance and everything derived from it, each part sealed under the owner's key."""

    __tablename__ = "interactions"
    __table_args__ = (
        UniqueConstraint("device_id", "client_id"),
        Index("ix_interactions_status_queued_at", "status", "queued_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    audio_key: Mapped[str | None] = mapped_column(String(128))
    audio_seconds: Mapped[float] = mapped_column(Float)
    wake_word: Mapped[str | None] = mapped_column(String(32))
    upload_digest: Mapped[str | None] = mapped_column(String(64))
    """A keyed digest of the upload as sent, so a reused Idempotency-Key with other audio is
    refused instead of answered with the first upload's interaction."""
    transcript_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    understanding_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    answer_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    asr_confidence: Mapped[float | None] = mapped_column(Float)
    nlu_confidence: Mapped[float | None] = mapped_column(Float)
    false_wake: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(String(256))
    model_versions: Mapped[str | None] = mapped_column(Text)
    """JSON {component: version} of the models that handled it ('nlu', 'asr'), so every answer
    can be traced to the versions the registry had promoted then."""
    wake_score: Mapped[float | None] = mapped_column(Float)
    """The wake word detector's peak score for the wake, 0 to 1, as the device reported it: a
    number about the wake, not about what was said, so it is stored unsealed."""
    lease_worker: Mapped[str | None] = mapped_column(String(32))
    """The worker process (`workers.id`) whose claim holds the interaction's work now."""
    lease_token: Mapped[str | None] = mapped_column(String(32))
    """Drawn fresh by each claim: a worker writes its result only while this is still its own."""
    leased_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """The claim is dead after this, or sooner when its worker stops heartbeating."""
    queued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the sweep last sent it to a queue; None while only its upload has (then
    `created_at` counts)."""


class Consent(Base):
    """One person's current choice for one purpose; its history lives in the audit chain."""

    __tablename__ = "consents"

    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32), primary_key=True)
    granted: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SkillItem(Base):
    """A timer or a list entry a person asked for; its words are sealed like everything else."""

    __tablename__ = "skill_items"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(80))
    payload_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeletionReceipt(Base):
    """What a deletion erased, kept for the customer: counts and ids, never content."""

    __tablename__ = "deletion_receipts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    scope: Mapped[str] = mapped_column(String(64))
    erased_json: Mapped[str] = mapped_column(Text)


class DatasetItem(Base):
    """One reviewed clip in the training dataset: the anonymised, bleeped audio and the labels
    with their lineage, each sealed under the interaction's key, so deleting the interaction
    shreds the item. See `confide.learn.dataset`."""

    __tablename__ = "dataset_items"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    interaction_id: Mapped[str] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[str] = mapped_column(String(32), index=True)
    group_id: Mapped[str] = mapped_column(String(32), unique=True)
    """The review group (the clip and its second opinions) the item was made from: one item each."""
    annotation_id: Mapped[str] = mapped_column(String(32))
    """The annotation whose labels it holds: an adjudication when there is one."""
    content_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    audio_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    """In the row, not the blob store: removing the row (a withdrawal of consent) removes it."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class DatasetExport(Base):
    """One `confide dataset export`: who made it and when; its items are `DatasetExportItem`."""

    __tablename__ = "dataset_exports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    actor: Mapped[str] = mapped_column(String(128))
    items: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DatasetExportItem(Base):
    """An item an export held. No foreign key to the item: the row outlives a deleted item, so a
    deletion receipt can name the exports that held what it deleted."""

    __tablename__ = "dataset_export_items"

    export_id: Mapped[str] = mapped_column(ForeignKey("dataset_exports.id"), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    interaction_id: Mapped[str] = mapped_column(String(32), index=True)
    owner_id: Mapped[str] = mapped_column(String(32), index=True)


PrincipalKind = Literal["person", "staff"]
"""Who a sign-in session is for: a customer (a person) or a staff member."""


class SignInSession(Base):
    """Someone signed in to the web pages, a person or a staff member: one store for both, so
    sign-in, expiry and sign-out work one way. The cookie holds the id; this row only its hash.
    No foreign key: the principal's table depends on the kind, and erasing a person deletes
    their rows explicitly (`privacy.deletion.erase_account`)."""

    __tablename__ = "sessions"
    __table_args__ = (
        CheckConstraint("principal_kind IN ('person', 'staff')", name="ck_sessions_principal_kind"),
        Index("ix_sessions_principal", "principal_kind", "principal_id"),
    )

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    principal_kind: Mapped[PrincipalKind] = mapped_column(String(16))
    principal_id: Mapped[str] = mapped_column(String(32))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class StaffMember(Base):
    """Someone who works on reviews. Customers see only the pseudonym, reviewers only tasks."""

    __tablename__ = "staff"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(32), unique=True)
    login: Mapped[str] = mapped_column(String(128), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    totp_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    roles: Mapped[str] = mapped_column(String(128))
    shift_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    break_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    """As `Person.totp_last_step`: a TOTP code signs in once."""


class SignInFailure(Base):
    """Recent failed sign-ins or pairings under one key, a keyed digest of an account's login or
    of a client address (never either in plaintext); in the database, so that every server
    process throttles alike. See `confide.service.throttle`."""

    __tablename__ = "sign_in_failures"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    """Counts older than a day are forgotten, and their rows pruned."""
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """Attempts under this key are refused unheard until then."""


class ReviewTask(Base):
    """One protected clip for one reviewer. Its material is sealed under the owner's key, so
    erasing the owner shreds it; the reviewer sees the task id and a per-task pseudonym only."""

    __tablename__ = "review_tasks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    interaction_id: Mapped[str] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[str] = mapped_column(String(32), index=True)
    group_id: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    stratum: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    pseudonym: Mapped[str] = mapped_column(String(32))
    sampled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    assigned_to: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    material_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    audio_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    content_warning: Mapped[bool] = mapped_column(Boolean, default=False)
    gold_annotation_id: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(String(256))
    seconds: Mapped[float | None] = mapped_column(Float)
    """The protected clip's length; None before protection."""
    heard_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When its holder was first sent its audio: labels wait until the clip could have been
    heard to its end."""


class Annotation(Base):
    """A reviewer's labels for one task: the words sealed, the intent and flags in the clear
    (they name no one) so agreement can be computed without opening anything."""

    __tablename__ = "annotations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    task_id: Mapped[str] = mapped_column(
        ForeignKey("review_tasks.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), index=True)
    adjudication: Mapped[bool] = mapped_column(Boolean, default=False)
    intent: Mapped[str | None] = mapped_column(String(64))
    rating: Mapped[int | None] = mapped_column(Integer)
    flags: Mapped[str] = mapped_column(String(128), default="")
    content_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Escalation(Base):
    """A clip a reviewer flagged as distressing, waiting for the safety role."""

    __tablename__ = "escalations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    task_id: Mapped[str] = mapped_column(
        ForeignKey("review_tasks.id", ondelete="CASCADE"), index=True
    )
    raised_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), index=True)
    handled_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(64))


class BreakGlass(Base):
    """A request to hear the original audio: a second person approves, it expires, it is logged."""

    __tablename__ = "break_glass"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    task_id: Mapped[str] = mapped_column(
        ForeignKey("review_tasks.id", ondelete="CASCADE"), index=True
    )
    requested_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    reason: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), index=True)
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CatalogAddition(Base):
    """A catalog entry a reviewer added while annotating: public names only, so in plaintext. It
    links at once as `entry_id`; a lead then merges it into an entry the catalog already had (it
    becomes that entry's alias) or rejects it. See `confide.review.catalog`."""

    __tablename__ = "catalog_additions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(128), index=True)
    """The catalog id it got ('artist:<slug>'); once merged, the existing entry's id."""
    proposed_id: Mapped[str] = mapped_column(String(128), unique=True)
    """The id it got when added, kept when merged: labels that linked to it follow it, and no
    later addition takes it."""
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), index=True)
    """'proposed', 'merged' or 'rejected'."""
    added_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    task_id: Mapped[str | None] = mapped_column(String(32))
    """The task being labelled when it was added; no foreign key, as the entry outlives it."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ModelVersion(Base):
    """One trained version of a component ('nlu' or 'asr'): its lineage is its training items
    (`ModelTrainingItem`), its artefact an archive in the blob store, its reason the gate's
    decision. See `confide.learn.registry`."""

    __tablename__ = "model_versions"
    __table_args__ = (
        UniqueConstraint("component", "version"),
        Index("ix_model_versions_component_status", "component", "status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    component: Mapped[str] = mapped_column(String(16))
    version: Mapped[str] = mapped_column(String(64))
    """'nlu-0003': the component and a sequence number, unique per component."""
    status: Mapped[str] = mapped_column(String(16))
    """'candidate', 'production' (one per component), 'retired' or 'rejected'."""
    parent: Mapped[str | None] = mapped_column(String(64))
    """The version it was warm-started from (production when it was trained), if any."""
    artefact_key: Mapped[str | None] = mapped_column(String(256))
    """Blob key of its archive, `models/<component>/<version>.tar.gz`; it holds no personal data."""
    metrics_json: Mapped[str] = mapped_column(Text, default="{}")
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    promoted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    tainted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """Set when data it was trained on is deleted or withdrawn: it is never promoted again."""


class ModelTrainingItem(Base):
    """One dataset item a model version was trained on. No foreign key to the dataset: the row
    outlives a deleted item, so deletion can still find (and taint) every model it reached."""

    __tablename__ = "model_training_items"

    version_id: Mapped[str] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    interaction_id: Mapped[str] = mapped_column(String(32), index=True)
    owner_id: Mapped[str] = mapped_column(String(32), index=True)


class WakeFeedback(Base):
    """A wake its household confirmed false ("That wasn't for me", or a reviewer's flag): the
    wake word and the detector's score, never audio or words, so it outlives the interaction and
    tunes the household's detector (`confide.learn.wake`)."""

    __tablename__ = "wake_feedback"
    __table_args__ = (
        CheckConstraint("source IN ('customer', 'reviewer')", name="ck_wake_feedback_source"),
        CheckConstraint("score >= 0 AND score <= 1", name="ck_wake_feedback_score"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    household_id: Mapped[str] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    wake_word: Mapped[str] = mapped_column(String(32))
    score: Mapped[float | None] = mapped_column(Float)
    """None when the device reported none (an engine whose scores are not probabilities)."""
    source: Mapped[str] = mapped_column(String(16))
    """'customer' or 'reviewer': who confirmed it."""
    interaction_id: Mapped[str] = mapped_column(String(32), unique=True)
    """The wake it was, so a clip confirmed twice counts once; no foreign key, as the row
    outlives the interaction's deletion."""
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Worker(Base):
    """A worker process, alive while it heartbeats: a lease whose worker has gone quiet is dead
    and its work is taken up again."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    """Its last heartbeat."""


class ScheduleClaim(Base):
    """A periodic job's last slot: the worker whose conditional update moves it on runs the job,
    so the cluster runs it once per slot however many workers there are."""

    __tablename__ = "schedule_claims"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    slot_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    """The start of the slot (the hour) it last ran for."""


class LedgerBase(DeclarativeBase):
    """The shredding ledger's own schema: it lives in a database of its own, never in the main
    one, so no backup of the main database can hold it and no restore can overwrite it."""


class ShreddingRecord(LedgerBase):
    """One destroyed key, by id only (no personal data), MAC-chained to the record before it
    under a key derived from the KEK, so a record cannot be forged, altered or dropped from the
    middle unnoticed. See `confide.privacy.ledger`."""

    __tablename__ = "shredding_ledger"

    sequence: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16))
    """'person' (a person's data key) or 'interaction' (one interaction's key)."""
    key_id: Mapped[str] = mapped_column(String(64))
    """The owner's id for a person key, the interaction's id for an interaction key."""
    shredded_at: Mapped[str] = mapped_column(String(40))
    mac: Mapped[str] = mapped_column(String(64))
