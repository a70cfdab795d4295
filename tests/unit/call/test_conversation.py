"""The call state machine, as tables of events in and commands out (no sockets, no clock)."""

from __future__ import annotations

from agentlocator.call import commands as cmd
from agentlocator.call import events as ev
from agentlocator.call.barge_in import BargeInSettings, KnobPolicy
from agentlocator.call.conversation import SAY_EXACTLY, Conversation, ConversationConfig


def make(**settings: object) -> Conversation:
    policy = KnobPolicy(BargeInSettings(**settings))  # type: ignore[arg-type]
    return Conversation(ConversationConfig(greeting="שלום!", silence_timeout_ms=6000), policy)


def of_type(commands: list[cmd.Command], kind: type) -> list[cmd.Command]:
    return [c for c in commands if isinstance(c, kind)]


def greeted(conversation: Conversation) -> None:
    """Start the call and let the greeting reply be created."""
    assert conversation.handle(ev.CallStarted(), 0) == [cmd.ConfigureSession()]
    assert conversation.handle(ev.SessionConfigured(), 10) == [
        cmd.CreateReply(f"{SAY_EXACTLY} שלום!")
    ]
    conversation.handle(ev.ReplyCreated("resp_g"), 20)


def play(conversation: Conversation, response: str, item: str, size: int, now: float) -> list[str]:
    """Deliver one audio delta; return the mark names sent."""
    out = conversation.handle(ev.ReplyAudioReceived(response, item, b"\x01" * size), now)
    played = [(c.audio, c.response_id, c.item_id) for c in of_type(out, cmd.PlayAudio)]
    assert played == [(b"\x01" * size, response, item)]
    return [c.name for c in out if isinstance(c, cmd.SendMark)]


def test_greeting_is_requested_once_after_the_session_is_configured() -> None:
    conversation = make()
    greeted(conversation)
    assert conversation.handle(ev.SessionConfigured(), 30) == []
    assert conversation.active_response_id == "resp_g"


def test_each_audio_delta_is_forwarded_once_with_a_unique_mark() -> None:
    conversation = make()
    greeted(conversation)
    names = play(conversation, "resp_g", "item_1", 800, 100) + play(
        conversation, "resp_g", "item_1", 800, 110
    )
    assert len(names) == 2 and len(set(names)) == 2
    assert conversation.record.audio_bytes_sent == 1600


def test_no_second_create_while_a_reply_is_active_and_one_queued_create_after_done() -> None:
    conversation = make()
    greeted(conversation)
    conversation.handle(ev.ToolCallReady("resp_g", "call_1", "lookup", "{}"), 30)
    out = conversation.handle(ev.ReplyDone("resp_g", "completed"), 40)
    assert of_type(out, cmd.RunTool) == [cmd.RunTool("call_1", "lookup", "{}")]
    conversation.handle(ev.ReplyCreated("resp_auto"), 45)  # the server answered the caller
    out = conversation.handle(ev.ToolFinished("call_1", '{"ok": true}'), 50)
    assert of_type(out, cmd.SendToolOutput) == [cmd.SendToolOutput("call_1", '{"ok": true}')]
    assert of_type(out, cmd.CreateReply) == []
    out = conversation.handle(ev.ReplyDone("resp_auto", "completed"), 60)
    assert of_type(out, cmd.CreateReply) == [cmd.CreateReply(None)]
    assert conversation.handle(ev.ReplyDone("resp_auto", "completed"), 61) == []


def test_barge_in_mid_reply_clears_cancels_and_truncates_at_heard_audio() -> None:
    conversation = make()
    greeted(conversation)
    first = play(conversation, "resp_g", "item_1", 1600, 100)  # 200 ms, playing from t=100
    play(conversation, "resp_g", "item_1", 1600, 120)  # queued behind it
    conversation.handle(ev.MarkPlayed(first[0]), 300)  # 200 ms heard at t=300
    out = conversation.handle(ev.CallerSpeechStarted("item_u", 0), 350)
    assert out[:4] == [
        cmd.ClearPlayback(),
        cmd.CancelReply("resp_g"),
        cmd.TruncateItem("item_1", 250),  # 200 confirmed + 50 ms of the playing chunk
        out[3],
    ]
    assert isinstance(out[3], cmd.LogEvent) and out[3].name == "barge_in"
    # Late audio of the cancelled reply never reaches the phone.
    late = conversation.handle(ev.ReplyAudioReceived("resp_g", "item_1", b"\x02" * 400), 360)
    assert late == []
    assert conversation.record.audio_bytes_dropped == 400
    # The pre-clear mark echo is ignored and cancel is not repeated at done.
    assert conversation.handle(ev.MarkPlayed(first[0]), 365) == []
    assert (
        of_type(conversation.handle(ev.ReplyDone("resp_g", "cancelled"), 370), cmd.CancelReply)
        == []
    )


def test_barge_in_after_done_while_the_phone_still_plays_does_not_cancel() -> None:
    conversation = make()
    greeted(conversation)
    play(conversation, "resp_g", "item_1", 8000, 100)  # one second of audio
    conversation.handle(ev.ReplyDone("resp_g", "completed"), 150)
    out = conversation.handle(ev.CallerSpeechStarted("item_u", 0), 600)
    assert of_type(out, cmd.CancelReply) == []
    assert of_type(out, cmd.ClearPlayback) == [cmd.ClearPlayback()]
    assert of_type(out, cmd.TruncateItem) == [cmd.TruncateItem("item_1", 500)]


def test_truncate_never_exceeds_generated_audio_and_is_skipped_at_zero() -> None:
    conversation = make()
    greeted(conversation)
    play(conversation, "resp_g", "item_1", 800, 100)  # 100 ms generated
    out = conversation.handle(ev.CallerSpeechStarted("item_u", 0), 5000)
    assert of_type(out, cmd.TruncateItem) == [cmd.TruncateItem("item_1", 100)]
    conversation = make()
    greeted(conversation)
    play(conversation, "resp_g", "item_1", 800, 100)
    out = conversation.handle(ev.CallerSpeechStarted("item_u", 0), 100)
    assert of_type(out, cmd.TruncateItem) == []
    assert of_type(out, cmd.ClearPlayback) == [cmd.ClearPlayback()]


def test_speech_while_nothing_is_audible_is_just_the_caller_talking() -> None:
    conversation = make()
    greeted(conversation)
    conversation.handle(ev.ReplyDone("resp_g", "completed"), 30)
    assert conversation.handle(ev.CallerSpeechStarted("item_u", 0), 40) == []


def test_barge_in_works_on_every_reply() -> None:
    conversation = make(cooldown_ms=0)
    greeted(conversation)
    conversation.handle(ev.ReplyDone("resp_g", "completed"), 30)
    now = 100.0
    for turn in range(6):
        response, item = f"resp_{turn}", f"item_{turn}"
        conversation.handle(ev.CallerSpeechStopped("u"), now)
        conversation.handle(ev.ReplyCreated(response), now + 10)
        play(conversation, response, item, 4000, now + 20)
        out = conversation.handle(ev.CallerSpeechStarted(f"u{turn}", 0), now + 220)
        assert of_type(out, cmd.ClearPlayback) == [cmd.ClearPlayback()], turn
        assert of_type(out, cmd.CancelReply) == [cmd.CancelReply(response)], turn
        assert of_type(out, cmd.TruncateItem) == [cmd.TruncateItem(item, 200)], turn
        conversation.handle(ev.ReplyDone(response, "cancelled"), now + 230)
        now += 1000
    assert len(conversation.record.barge_ins) == 6


def test_greeting_can_be_made_uninterruptible() -> None:
    conversation = make(is_greeting_interruptible=False)
    greeted(conversation)
    play(conversation, "resp_g", "item_1", 8000, 100)
    assert conversation.handle(ev.CallerSpeechStarted("item_u", 0), 300) == []


def test_cooldown_suppresses_a_second_barge_in_right_after_the_first() -> None:
    conversation = make(cooldown_ms=800)
    greeted(conversation)
    play(conversation, "resp_g", "item_1", 8000, 100)
    assert of_type(conversation.handle(ev.CallerSpeechStarted("u1", 0), 300), cmd.ClearPlayback)
    conversation.handle(ev.ReplyDone("resp_g", "cancelled"), 310)
    conversation.handle(ev.ReplyCreated("resp_2"), 320)
    play(conversation, "resp_2", "item_2", 8000, 330)
    assert conversation.handle(ev.CallerSpeechStarted("u2", 0), 600) == []


def test_tool_calls_of_a_cancelled_reply_are_not_run() -> None:
    conversation = make()
    greeted(conversation)
    play(conversation, "resp_g", "item_1", 1600, 100)
    conversation.handle(ev.ToolCallReady("resp_g", "call_1", "schedule_appointment", "{}"), 110)
    conversation.handle(ev.CallerSpeechStarted("u", 0), 150)
    out = conversation.handle(ev.ReplyDone("resp_g", "cancelled"), 160)
    assert of_type(out, cmd.RunTool) == []
    assert of_type(out, cmd.HangUp) == []


def test_end_call_hangs_up_only_after_the_goodbye_has_played() -> None:
    conversation = make()
    greeted(conversation)
    marks = play(conversation, "resp_g", "item_1", 1600, 100)
    conversation.handle(ev.ToolCallReady("resp_g", "call_end", "end_call", "{}"), 110)
    out = conversation.handle(ev.ReplyDone("resp_g", "completed"), 120)
    assert of_type(out, cmd.HangUp) == [] and of_type(out, cmd.EndCall) == []
    # The caller talking over the goodbye does not cut it.
    assert (
        of_type(conversation.handle(ev.CallerSpeechStarted("u", 0), 150), cmd.ClearPlayback) == []
    )
    out = conversation.handle(ev.MarkPlayed(marks[0]), 300)
    assert of_type(out, cmd.HangUp) == [cmd.HangUp("agent_ended")]
    assert of_type(out, cmd.EndCall) == [cmd.EndCall("agent_ended")]
    assert conversation.handle(ev.TimerTicked(), 400) == []


def test_goodbye_whose_mark_never_returns_still_hangs_up_at_the_deadline() -> None:
    conversation = make()
    greeted(conversation)
    play(conversation, "resp_g", "item_1", 1600, 100)
    conversation.handle(ev.ToolCallReady("resp_g", "call_end", "end_call", "{}"), 110)
    conversation.handle(ev.ReplyDone("resp_g", "completed"), 120)
    assert conversation.handle(ev.TimerTicked(), 10_000) == []
    out = conversation.handle(ev.TimerTicked(), 15_200)
    assert of_type(out, cmd.EndCall) == [cmd.EndCall("agent_ended")]


def test_silence_prompts_then_says_goodbye_then_hangs_up() -> None:
    conversation = make()
    greeted(conversation)
    conversation.handle(ev.ReplyDone("resp_g", "completed"), 100)
    assert conversation.handle(ev.TimerTicked(), 5000) == []
    out = conversation.handle(ev.TimerTicked(), 6200)
    assert len(of_type(out, cmd.CreateReply)) == 1
    conversation.handle(ev.ReplyCreated("resp_p"), 6210)
    conversation.handle(ev.ReplyDone("resp_p", "completed"), 6300)
    out = conversation.handle(ev.TimerTicked(), 12_400)
    assert len(of_type(out, cmd.CreateReply)) == 1
    conversation.handle(ev.ReplyCreated("resp_bye"), 12_410)
    marks = play(conversation, "resp_bye", "item_bye", 800, 12_420)
    assert (
        of_type(conversation.handle(ev.ReplyDone("resp_bye", "completed"), 12_430), cmd.EndCall)
        == []
    )
    out = conversation.handle(ev.MarkPlayed(marks[0]), 12_520)
    assert of_type(out, cmd.EndCall) == [cmd.EndCall("silence_timeout")]


def test_caller_speech_resets_the_silence_timer() -> None:
    conversation = make()
    greeted(conversation)
    conversation.handle(ev.ReplyDone("resp_g", "completed"), 100)
    conversation.handle(ev.CallerSpeechStarted("u", 0), 5000)
    conversation.handle(ev.CallerSpeechStopped("u"), 5500)
    assert conversation.handle(ev.TimerTicked(), 11_000) == []


def test_max_duration_hangs_up() -> None:
    policy = KnobPolicy(BargeInSettings())
    conversation = Conversation(ConversationConfig(greeting="hi", max_call_ms=60_000), policy)
    conversation.handle(ev.CallStarted(), 0)
    out = conversation.handle(ev.TimerTicked(), 60_000)
    assert of_type(out, cmd.HangUp) == [cmd.HangUp("max_duration")]


def test_an_end_signal_ends_exactly_once() -> None:
    conversation = make()
    greeted(conversation)
    out = conversation.handle(ev.CallEnded("caller_hung_up"), 100)
    assert of_type(out, cmd.EndCall) == [cmd.EndCall("caller_hung_up")]
    assert of_type(out, cmd.HangUp) == []
    assert conversation.handle(ev.CallEnded("status_callback"), 110) == []
    assert conversation.handle(ev.ToolFinished("call_1", "{}"), 120) == []
    assert conversation.end_reason == "caller_hung_up"


def test_a_create_that_crossed_a_server_reply_is_sent_again_after_it() -> None:
    conversation = make()
    greeted(conversation)
    conversation.handle(ev.ReplyDone("resp_g", "completed"), 30)
    conversation.handle(ev.TimerTicked(), 7000)  # silence prompt requested
    out = conversation.handle(
        ev.RealtimeFailed("conversation_already_has_active_response", "busy"), 7005
    )
    assert of_type(out, cmd.CreateReply) == []
    conversation.handle(ev.ReplyCreated("resp_server"), 7006)
    out = conversation.handle(ev.ReplyDone("resp_server", "completed"), 7100)
    assert len(of_type(out, cmd.CreateReply)) == 1


def test_transcripts_and_latency_are_recorded() -> None:
    conversation = make()
    greeted(conversation)
    conversation.handle(ev.ReplyDone("resp_g", "completed"), 30)
    conversation.handle(ev.CallerSpeechStarted("u", 0), 100)
    conversation.handle(ev.CallerSpeechStopped("u"), 900)
    conversation.handle(ev.CallerTranscribed("u", "אני רוצה תור"), 950)
    conversation.handle(ev.ReplyCreated("resp_1"), 1000)
    play(conversation, "resp_1", "item_1", 800, 1400)
    conversation.handle(ev.AgentTranscribed("item_1", "בשמחה"), 1500)
    assert [t["role"] for t in conversation.record.transcript] == ["caller", "agent"]
    assert conversation.record.latency()["reply_p50_ms"] == 500.0


def test_barge_in_after_the_phone_played_everything_sent_still_truncates() -> None:
    # The model streams slower than real time: the phone has played all it got, the reply is
    # still generating. The caller heard every byte sent, and only those.
    conversation = make()
    greeted(conversation)
    marks = play(conversation, "resp_g", "item_1", 800, 100)
    conversation.handle(ev.MarkPlayed(marks[0]), 200)
    out = conversation.handle(ev.CallerSpeechStarted("item_u", 0), 300)
    assert of_type(out, cmd.ClearPlayback) == []
    assert of_type(out, cmd.CancelReply) == [cmd.CancelReply("resp_g")]
    assert of_type(out, cmd.TruncateItem) == [cmd.TruncateItem("item_1", 100)]


def test_a_caller_turn_is_dated_when_the_caller_began_not_when_its_transcript_came() -> None:
    conversation = make()
    greeted(conversation)
    conversation.handle(ev.CallerSpeechStarted("item_u", 0), 1000)
    conversation.handle(ev.CallerSpeechStopped("item_u"), 2000)
    conversation.handle(ev.AgentTranscribed("item_a", "תשובה"), 2600)
    conversation.handle(ev.CallerTranscribed("item_u", "שאלה"), 3100)  # transcripts come late
    turns = [(t["role"], t["text"]) for t in conversation.record.transcript]
    assert turns == [("caller", "שאלה"), ("agent", "תשובה")]


def test_an_agent_turn_is_dated_when_its_audio_began() -> None:
    conversation = make()
    greeted(conversation)
    conversation.handle(ev.ReplyAudioReceived("resp_g", "item_g", b"\x01" * 800), 500)
    conversation.handle(ev.CallerSpeechStarted("item_u", 0), 1000)  # talks over the greeting
    conversation.handle(ev.CallerTranscribed("item_u", "שאלה"), 2500)
    conversation.handle(ev.AgentTranscribed("item_g", "שלום!"), 2600)  # its transcript came last
    turns = [(t["role"], t["at_ms"]) for t in conversation.record.transcript]
    assert turns == [("agent", 500), ("caller", 1000)]
