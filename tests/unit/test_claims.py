from datetime import timedelta

from capture.ingest import ingest_bytes
from core import documents
from core.models import utcnow
from core.states import State
from queues.sweeper import find_stuck

PDF = b"%PDF-1.4\n%%EOF\n"


def _doc(rt, data=PDF):
    with rt.db.session() as s:
        return ingest_bytes(s, rt.store, data, "a.pdf", source="cli").document_id


def test_only_one_claim_wins(rt):
    doc_id = _doc(rt)
    with rt.db.session() as s:
        t1 = documents.claim(s, doc_id, State.RECEIVED, State.EXTRACTING, stale_after=timedelta(minutes=5))
    with rt.db.session() as s:
        t2 = documents.claim(s, doc_id, State.RECEIVED, State.EXTRACTING, stale_after=timedelta(minutes=5))
    assert t1 == 1 and t2 is None


def test_a_stale_claim_is_taken_over_and_the_old_holder_loses_it(rt):
    doc_id = _doc(rt)
    with rt.db.session() as s:
        old = documents.claim(s, doc_id, State.RECEIVED, State.EXTRACTING, stale_after=timedelta(minutes=5))
    later = utcnow() + timedelta(minutes=10)
    with rt.db.session() as s:
        new = documents.claim(s, doc_id, State.RECEIVED, State.EXTRACTING,
                              stale_after=timedelta(minutes=5), now=later)
    assert new == old + 1
    with rt.db.session() as s:
        doc = documents.get(s, doc_id)
        assert not documents.holds_claim(doc, State.EXTRACTING, old)
        assert documents.holds_claim(doc, State.EXTRACTING, new)


def test_release_lets_a_retry_claim_at_once(rt):
    doc_id = _doc(rt)
    stale = timedelta(minutes=5)
    with rt.db.session() as s:
        t = documents.claim(s, doc_id, State.RECEIVED, State.EXTRACTING, stale_after=stale)
    with rt.db.session() as s:
        documents.release(s, doc_id, t)
    with rt.db.session() as s:
        assert documents.claim(s, doc_id, State.RECEIVED, State.EXTRACTING, stale_after=stale) == t + 1


def test_transition_is_audited_and_checked(rt):
    doc_id = _doc(rt)
    with rt.db.session() as s:
        doc = documents.get(s, doc_id)
        documents.transition(s, doc, State.FAILED, actor="test", detail="boom",
                             error_kind="x", error_message="boom")
    with rt.db.session() as s:
        doc = documents.get(s, doc_id)
        ev = doc.events[-1]
        assert (ev.before, ev.after, ev.actor) == ({"state": "received"}, {"state": "failed"}, "test")


def test_sweeper_finds_waiting_and_stale_claimed_documents(rt):
    a = _doc(rt, PDF + b"a")
    b = _doc(rt, PDF + b"b")
    with rt.db.session() as s:
        documents.claim(s, b, State.RECEIVED, State.EXTRACTING, stale_after=timedelta(minutes=5))
    found = dict(find_stuck(rt, claimed_after_s=3600, waiting_after_s=0))
    assert found == {a: "received"}
    found = dict(find_stuck(rt, claimed_after_s=-1, waiting_after_s=0))
    assert found == {a: "received", b: "extracting"}


def test_a_takeover_is_audited_as_such(rt):
    doc_id = _doc(rt, PDF + b"t")
    with rt.db.session() as s:
        documents.claim(s, doc_id, State.RECEIVED, State.EXTRACTING, stale_after=timedelta(minutes=5))
    with rt.db.session() as s:
        documents.claim(s, doc_id, State.RECEIVED, State.EXTRACTING,
                        stale_after=timedelta(minutes=5), now=utcnow() + timedelta(minutes=10))
    with rt.db.session() as s:
        claims = [e for e in documents.get(s, doc_id).events if e.action == "claim"]
        assert [c.before for c in claims] == [{"state": "received"}, {"state": "extracting"}]
        assert "stale claim" in claims[1].detail and "stale" not in claims[0].detail
