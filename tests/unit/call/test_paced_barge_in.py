"""Paced audio with pause, resume and commit: the caller hears every byte exactly once."""

from __future__ import annotations

from agentlocator.call import commands as cmd
from agentlocator.call import events as ev
from agentlocator.call.barge_in import BargeInSettings, KnobPolicy
from agentlocator.call.conversation import Conversation, ConversationConfig

AUDIO = bytes(i % 251 for i in range(8000))  # one second; every offset is recognisable


def paced() -> Conversation:
    config = ConversationConfig(greeting="שלום", lead_ms=200.0, chunk_ms=100.0)
    conversation = Conversation(config, KnobPolicy(BargeInSettings(cooldown_ms=0)))
    conversation.handle(ev.CallStarted(), 0)
    conversation.handle(ev.SessionConfigured(), 0)
    conversation.handle(ev.ReplyCreated("resp_1"), 0)
    return conversation


def short_lead() -> Conversation:
    """The production pacing: a 40 ms lead in 20 ms chunks."""
    conversation = Conversation(
        ConversationConfig(greeting="שלום", lead_ms=40.0, chunk_ms=20.0),
        KnobPolicy(BargeInSettings(cooldown_ms=0)),
    )
    conversation.handle(ev.CallStarted(), 0)
    conversation.handle(ev.SessionConfigured(), 0)
    conversation.handle(ev.ReplyCreated("resp_1"), 0)
    return conversation


def plays(commands: list[cmd.Command]) -> list[cmd.PlayAudio]:
    return [c for c in commands if isinstance(c, cmd.PlayAudio)]


def marks(commands: list[cmd.Command]) -> list[str]:
    return [c.name for c in commands if isinstance(c, cmd.SendMark)]


def test_only_a_short_lead_is_sent_ahead_of_playback() -> None:
    conversation = paced()
    out = conversation.handle(ev.ReplyAudioReceived("resp_1", "item_1", AUDIO), 0)
    assert b"".join(p.audio for p in plays(out)) == AUDIO[:1600]  # 200 ms, in 100 ms chunks
    out = conversation.handle(ev.MarkPlayed(marks(out)[0]), 100)
    assert b"".join(p.audio for p in plays(out)) == AUDIO[1600:2400]


def test_a_suspicion_holds_audio_back_without_clearing_and_resumes_exactly() -> None:
    conversation = paced()
    first = conversation.handle(ev.ReplyAudioReceived("resp_1", "item_1", AUDIO), 0)
    sent_before = b"".join(p.audio for p in plays(first))  # the 200 ms lead
    out = conversation.handle(ev.SpeechSuspected(), 150)
    assert not any(
        isinstance(c, cmd.ClearPlayback | cmd.CancelReply | cmd.TruncateItem) for c in out
    )
    assert plays(conversation.handle(ev.MarkPlayed(marks(first)[0]), 160)) == []  # held back
    out = conversation.handle(ev.SpeechDismissed(), 190)
    resumed = b"".join(p.audio for p in plays(out))
    assert sent_before + resumed == AUDIO[: len(sent_before) + len(resumed)]  # seamless
    assert [e["kind"] for e in conversation.record.barge_ins] == ["candidate", "paused", "resumed"]


def test_a_likely_speech_clears_and_a_dismissal_resumes_from_the_first_unheard_byte() -> None:
    conversation = paced()
    first = conversation.handle(ev.ReplyAudioReceived("resp_1", "item_1", AUDIO), 0)
    heard_before_pause = b"".join(p.audio for p in plays(first))[:1200]  # 150 ms played
    conversation.handle(ev.SpeechSuspected(), 140)
    out = conversation.handle(ev.SpeechLikely(), 150)
    assert cmd.ClearPlayback() in out
    assert conversation.record.barge_ins[-1]["clear_sent"] is True
    assert not any(isinstance(c, cmd.CancelReply | cmd.TruncateItem) for c in out)
    assert plays(conversation.handle(ev.TimerTicked(), 300)) == []  # nothing while paused
    out = conversation.handle(ev.SpeechDismissed(), 400)
    resumed = b"".join(p.audio for p in plays(out))
    assert resumed == AUDIO[1200:2800]
    assert heard_before_pause + resumed == AUDIO[:2800]  # nothing lost, nothing repeated


def test_a_confirmed_pause_cancels_truncates_at_heard_and_drops_the_rest() -> None:
    conversation = paced()
    conversation.handle(ev.ReplyAudioReceived("resp_1", "item_1", AUDIO[:4000]), 0)
    conversation.handle(ev.SpeechSuspected(), 140)
    conversation.handle(ev.SpeechLikely(), 150)
    out = conversation.handle(ev.SpeechConfirmed(), 450)
    assert cmd.CancelReply("resp_1") in out
    assert cmd.TruncateItem("item_1", 150) in out
    assert plays(out) == []
    late = conversation.handle(ev.ReplyAudioReceived("resp_1", "item_1", AUDIO[4000:]), 460)
    assert late == []
    assert plays(conversation.handle(ev.TimerTicked(), 600)) == []
    kinds = [entry["kind"] for entry in conversation.record.barge_ins]
    assert kinds == ["candidate", "paused", "cleared", "committed"]
    assert conversation.record.committed_barge_ins[0]["items"] == [
        {"item_id": "item_1", "heard_ms": 150}
    ]


def test_a_confirmation_while_only_held_back_clears_and_truncates_at_heard_now() -> None:
    conversation = paced()
    conversation.handle(ev.ReplyAudioReceived("resp_1", "item_1", AUDIO[:4000]), 0)
    conversation.handle(ev.SpeechSuspected(), 100)
    out = conversation.handle(ev.SpeechConfirmed(), 180)  # the phone played on until now
    assert cmd.ClearPlayback() in out
    assert cmd.TruncateItem("item_1", 180) in out


def test_server_speech_events_do_not_cut_paced_audio_by_themselves() -> None:
    conversation = paced()
    conversation.handle(ev.ReplyAudioReceived("resp_1", "item_1", AUDIO), 0)
    assert conversation.handle(ev.CallerSpeechStarted("item_u", 0), 100) == []


def test_suspected_speech_while_the_agent_is_silent_changes_nothing() -> None:
    conversation = paced()
    conversation.handle(ev.ReplyDone("resp_1", "completed"), 10)
    out = conversation.handle(ev.SpeechSuspected(), 20) + conversation.handle(
        ev.SpeechDismissed(), 30
    )
    assert [c.name for c in out if isinstance(c, cmd.LogEvent)] == [
        "barge_in_candidate",
        "barge_in_dismissed",
    ]
    assert all(isinstance(c, cmd.LogEvent) for c in out)  # no clear, no resume, no cut


def test_every_reply_can_pause_and_resume_many_times() -> None:
    conversation = paced()
    heard = b""
    out = conversation.handle(ev.ReplyAudioReceived("resp_1", "item_1", AUDIO), 0)
    sent = b"".join(p.audio for p in plays(out))
    now = 0.0
    for _ in range(5):
        now += 150
        heard_ms = min(150, len(sent) // 8)
        heard += sent[: heard_ms * 8]
        conversation.handle(ev.SpeechSuspected(), now)
        conversation.handle(ev.SpeechLikely(), now)
        now += 200
        out = conversation.handle(ev.SpeechDismissed(), now)
        sent = b"".join(p.audio for p in plays(out))
    assert heard + sent == AUDIO[: len(heard) + len(sent)]


def test_the_goodbye_waits_for_held_audio_before_hanging_up() -> None:
    conversation = paced()
    pending = marks(conversation.handle(ev.ReplyAudioReceived("resp_1", "item_1", AUDIO[:3200]), 0))
    conversation.handle(ev.ToolCallReady("resp_1", "call_end", "end_call", "{}"), 5)
    out = conversation.handle(ev.ReplyDone("resp_1", "completed"), 10)
    assert not any(isinstance(c, cmd.EndCall) for c in out)
    now = 10.0
    while pending and not conversation.is_ended:
        now += 100  # each mark comes back as its 100 ms chunk finishes playing
        out = conversation.handle(ev.MarkPlayed(pending.pop(0)), now)
        pending += marks(out)
        if pending:
            assert not any(isinstance(c, cmd.EndCall) for c in out)
    assert conversation.end_reason == "agent_ended"
    assert conversation.record.audio_bytes_sent == 3200


def test_held_audio_is_tracked_through_release_rewind_and_drop() -> None:
    from agentlocator.call.playout import Playout

    playout = Playout(lead_ms=100.0, chunk_ms=50.0)
    playout.add("item_1", "resp_1", AUDIO[:1600])
    assert playout.has_unreleased
    assert [c.end for c in playout.release(queued_ms=0)] == [400, 800]
    assert [c.end for c in playout.release(queued_ms=0)] == [1200, 1600]
    assert not playout.has_unreleased
    playout.rewind("item_1", 400)
    assert playout.has_unreleased
    assert playout.drop_response("resp_1") == 1200
    assert not playout.has_unreleased


def test_a_cleared_pause_resumes_to_the_byte_not_the_millisecond() -> None:
    conversation = paced()
    conversation.handle(ev.ReplyAudioReceived("resp_1", "item_1", AUDIO), 0)
    conversation.handle(ev.SpeechSuspected(), 150.5)
    conversation.handle(ev.SpeechLikely(), 150.5)  # 1204 bytes played: 150 ms and 4 bytes
    out = conversation.handle(ev.SpeechDismissed(), 300)
    assert b"".join(p.audio for p in plays(out)).startswith(AUDIO[1204:1300])


def test_a_confirmation_after_the_lead_ran_out_still_truncates_the_held_item() -> None:
    """The phone played its whole lead while the audio was held back, and the reply had been
    generated in full: nothing is queued at the phone and no reply is active, yet the item was
    cut at what the caller heard and must be truncated there."""
    conversation = paced()
    first = conversation.handle(ev.ReplyAudioReceived("resp_1", "item_1", AUDIO[:4000]), 0)
    conversation.handle(ev.ReplyDone("resp_1", "completed"), 5)
    conversation.handle(ev.SpeechSuspected(), 100)
    for name, at_ms in zip(marks(first), (100, 200), strict=True):
        assert plays(conversation.handle(ev.MarkPlayed(name), at_ms)) == []  # held back
    out = conversation.handle(ev.SpeechLikely(), 250)
    assert cmd.ClearPlayback() not in out  # the phone holds nothing: nothing to clear
    out = conversation.handle(ev.SpeechConfirmed(), 400)
    assert cmd.TruncateItem("item_1", 200) in out
    cleared, committed = conversation.record.barge_ins[-2:]
    assert (cleared["kind"], cleared["clear_sent"]) == ("cleared", False)
    assert (committed["kind"], committed["clear_sent"]) == ("committed", False)
    assert conversation.record.committed_barge_ins[0]["items"] == [
        {"item_id": "item_1", "heard_ms": 200}
    ]
    assert plays(conversation.handle(ev.TimerTicked(), 500)) == []  # the rest is dropped


def test_the_lead_is_topped_up_in_whole_chunks() -> None:
    from agentlocator.call.playout import Playout

    playout = Playout(lead_ms=40.0, chunk_ms=20.0)
    playout.add("item_1", "resp_1", AUDIO[:1000])
    assert [(c.start, c.end) for c in playout.release(queued_ms=0)] == [(0, 160), (160, 320)]
    assert playout.release(queued_ms=25) == []  # one more chunk would exceed the lead
    assert [(c.start, c.end) for c in playout.release(queued_ms=20)] == [(320, 480)]
    assert [(c.start, c.end) for c in playout.release(queued_ms=0)] == [(480, 640), (640, 800)]
    assert [(c.start, c.end) for c in playout.release(queued_ms=0)] == [(800, 960), (960, 1000)]


def test_a_lead_shorter_than_two_chunks_sends_half_leads() -> None:
    from agentlocator.call.playout import Playout

    playout = Playout(lead_ms=20.0, chunk_ms=20.0)
    playout.add("item_1", "resp_1", AUDIO)
    assert [(c.start, c.end) for c in playout.release(queued_ms=0)] == [(0, 80), (80, 160)]
    assert playout.release_due_in_ms(queued_ms=20) == 10.0  # before the phone runs dry


def test_the_next_send_is_due_when_the_lead_has_played_down() -> None:
    conversation = short_lead()
    out = conversation.handle(ev.ReplyAudioReceived("resp_1", "item_1", AUDIO), 0)
    assert sum(len(p.audio) for p in plays(out)) == 320  # the 40 ms lead
    # Once a whole chunk fits in the lead again: due at 20 ms.
    assert conversation.audio.next_release_at_ms(0) == 20.0
    out = conversation.handle(ev.PlayoutDue(), 20)
    assert [(p.audio, p.plays_at_ms) for p in plays(out)] == [(AUDIO[320:480], 40.0)]
    conversation.handle(ev.SpeechSuspected(), 15)
    assert conversation.audio.next_release_at_ms(15) is None  # held back: nothing is due
    out = conversation.handle(ev.SpeechDismissed(), 40)
    assert [(p.audio, p.plays_at_ms) for p in plays(out)] == [(AUDIO[480:640], 60.0)]
    assert conversation.audio.next_release_at_ms(40) == 60.0  # topped up to 40 ms again


def test_speech_confirmed_after_the_agent_finished_cuts_nothing() -> None:
    """The caller began as the agent's last words played: the reply ended (played in full)
    before the speech was confirmed. That is the caller's ordinary turn, not a barge-in."""
    conversation = paced()
    first = conversation.handle(ev.ReplyAudioReceived("resp_1", "item_1", AUDIO[:800]), 0)
    conversation.handle(ev.ReplyDone("resp_1", "completed"), 5)
    conversation.handle(ev.SpeechSuspected(), 90)  # the last 10 ms are still playing
    conversation.handle(ev.MarkPlayed(marks(first)[0]), 100)
    conversation.handle(ev.SpeechLikely(), 120)
    out = conversation.handle(ev.SpeechConfirmed(), 400)
    assert not any(
        isinstance(c, cmd.CancelReply | cmd.TruncateItem | cmd.ClearPlayback) for c in out
    )
    assert conversation.record.committed_barge_ins == []
    assert conversation.record.barge_ins[-1]["kind"] == "nothing_to_cut"
    assert not conversation.audio.is_paused


def test_a_mark_follows_every_100_ms_of_audio_and_the_last_chunk() -> None:
    conversation = short_lead()
    out = conversation.handle(ev.ReplyAudioReceived("resp_1", "item_1", AUDIO[:1200]), 0)
    sent = [plays(out)]
    assert marks(out) == []  # 40 ms sent, more held: no mark yet
    now = 0.0
    names: list[str] = []
    while conversation.audio.playout.has_unreleased:
        now = conversation.audio.next_release_at_ms(now) or now
        out = conversation.handle(ev.PlayoutDue(), now)
        sent.append(plays(out))
        names += marks(out)
    # 150 ms in 20 ms chunks (the last one 10 ms): a mark after 100 ms and one after the last.
    assert [name.split(":")[1] for name in names] == ["800", "1200"]
    assert b"".join(p.audio for batch in sent for p in batch) == AUDIO[:1200]
    conversation.handle(ev.MarkPlayed(names[-1]), now + 40)
    assert not conversation.audio.is_playing  # the last echo covers every chunk


def test_a_hold_marks_the_last_chunk_sent_so_its_echo_ends_playback() -> None:
    conversation = short_lead()
    first = conversation.handle(ev.ReplyAudioReceived("resp_1", "item_1", AUDIO), 0)
    assert marks(first) == []
    out = conversation.handle(ev.SpeechSuspected(), 10)
    (tail,) = marks(out)
    assert tail.split(":")[1] == "320"  # after the 40 ms lead already sent
    conversation.handle(ev.MarkPlayed(tail), 40)
    assert not conversation.audio.is_playing
